//! The lab's data path, outside Terraform: `replay` sends the course's
//! trades to a student's stream, `simulate` runs the detector's rule over
//! them offline. Both read a checked spec and its stack; neither renders.

pub mod replay;
pub mod simulate;
