//! Deterministic zip archives of the Lambda sources.
//!
//! Terraform's `source_code_hash` is a hash of the zip, so a zip that
//! changed with the clock would redeploy the function on every render.
//! Every entry gets the same timestamp (1980-01-01, the zip epoch) and mode,
//! and entries are written in the order given.

use std::io::{Cursor, Write};
use std::sync::OnceLock;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// The ETL function's source, handler `lambda_definition.etl_function`.
pub const ETL_SOURCE: &str = include_str!("../../templates/lambda/etl/lambda_definition.py");
/// The anomaly detector's source, handler `anomaly_detector.handler`.
pub const DETECTOR_SOURCE: &str =
    include_str!("../../templates/lambda/detector/anomaly_detector.py");
/// The alert function's source, handler `alert_function.handler`.
pub const ALERT_SOURCE: &str = include_str!("../../templates/lambda/alert/alert_function.py");

/// The stack reaper's source (`expire_after_hours`), handler
/// `stack_reaper.handler`.
pub const REAPER_SOURCE: &str = include_str!("../../templates/lambda/reaper/stack_reaper.py");

/// The ETL function's zip, built once: every student's is the same.
pub fn etl_zip() -> &'static [u8] {
    static ZIP: OnceLock<Vec<u8>> = OnceLock::new();
    ZIP.get_or_init(|| {
        zip(&[("lambda_definition.py", ETL_SOURCE.as_bytes())])
            .expect("zipping a constant into memory cannot fail")
    })
}

/// The alert function's zip, built once.
pub fn alert_zip() -> &'static [u8] {
    static ZIP: OnceLock<Vec<u8>> = OnceLock::new();
    ZIP.get_or_init(|| {
        zip(&[("alert_function.py", ALERT_SOURCE.as_bytes())])
            .expect("zipping a constant into memory cannot fail")
    })
}

/// The anomaly detector's zip (modern target), built once.
pub fn detector_zip() -> &'static [u8] {
    static ZIP: OnceLock<Vec<u8>> = OnceLock::new();
    ZIP.get_or_init(|| {
        zip(&[("anomaly_detector.py", DETECTOR_SOURCE.as_bytes())])
            .expect("zipping a constant into memory cannot fail")
    })
}

/// The stack reaper's zip, built once.
pub fn reaper_zip() -> &'static [u8] {
    static ZIP: OnceLock<Vec<u8>> = OnceLock::new();
    ZIP.get_or_init(|| {
        zip(&[("stack_reaper.py", REAPER_SOURCE.as_bytes())])
            .expect("zipping a constant into memory cannot fail")
    })
}

/// A zip holding `entries` (name, contents).
pub fn zip(entries: &[(&str, &[u8])]) -> std::io::Result<Vec<u8>> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    for (name, contents) in entries {
        writer
            .start_file(*name, options)
            .map_err(std::io::Error::other)?;
        writer.write_all(contents)?;
    }
    let cursor = writer.finish().map_err(std::io::Error::other)?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_input_same_bytes() {
        let a = zip(&[("lambda_definition.py", ETL_SOURCE.as_bytes())]).unwrap();
        let b = zip(&[("lambda_definition.py", ETL_SOURCE.as_bytes())]).unwrap();
        assert_eq!(a, b);
        assert!(a.starts_with(b"PK\x03\x04"));
    }

    #[test]
    fn archive_holds_the_source() {
        let bytes = zip(&[("alert_function.py", ALERT_SOURCE.as_bytes())]).unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut file = archive.by_name("alert_function.py").unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut file, &mut text).unwrap();
        assert_eq!(text, ALERT_SOURCE);
    }
}
