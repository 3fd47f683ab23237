//! Stage 4, output: a stack turned into files (`emit`, with the READMEs),
//! the class summary, the Lambda zips (`package`), the parse-back and
//! reference check (`link`), and the output directory (`write`).

pub mod emit;
pub mod link;
pub mod package;
pub mod summary;
pub mod write;
