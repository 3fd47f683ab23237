//! Stage 1, input: the files a person writes, read into the model. The
//! student and class files (`load`, the only user of serde_yaml for them),
//! the places of their fields (`locate`), unknown keys (`keys`), the JSON
//! Schema, the class file's students and roster, and the files `stackgen
//! init` starts from.

pub mod class;
pub mod edition;
pub mod init;
pub mod keys;
pub mod load;
pub mod locate;
pub mod roster;
pub mod schema;
