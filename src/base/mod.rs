//! Layer 0: what every stage may use. The input model, the codes and
//! diagnostics, editions as data, the kinds of part and name an edition
//! speaks of, and AWS's own tables. Nothing here reads a stage above it
//! (ARCHITECTURE.md, "Layers").

pub mod aws;
pub mod calendar;
pub mod codes;
pub mod diagnostic;
pub mod edition;
pub mod field_schema;
pub mod model;
pub mod part;
pub mod suggest;
pub mod translit;
