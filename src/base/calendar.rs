//! UTC calendar hours of Unix times, both ways: what `simulate` prints per
//! hour and how `grade --live` reads the processed zone's
//! `year=/month=/day=/hour=` partitions. Howard Hinnant's days-from-civil
//! algorithms, exact for every date of the proleptic Gregorian calendar.

/// (year, month, day, hour) of seconds since the epoch, UTC.
pub fn civil(ts: i64) -> (i64, u32, u32, u32) {
    let days = ts.div_euclid(86_400);
    let hour = u32::try_from(ts.rem_euclid(86_400) / 3600).unwrap_or(0);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, hour)
}

/// Seconds since the epoch of a UTC hour; None for a month, day or hour
/// out of range.
pub fn epoch_hour(year: i64, month: u32, day: u32, hour: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + i64::from(hour) * 3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_round_trip() {
        // 2020-10-01T00:01:12Z, the lab's first trade.
        assert_eq!(civil(1_601_510_472), (2020, 10, 1, 0));
        assert_eq!(epoch_hour(2020, 10, 1, 0), Some(1_601_510_400));
        assert_eq!(civil(-1), (1969, 12, 31, 23));
        for ts in [0_i64, 951_782_400, 1_709_164_800, 4_102_444_800 + 3600 * 23] {
            let h = ts.div_euclid(3600) * 3600;
            let (y, m, d, hh) = civil(h);
            assert_eq!(epoch_hour(y, m, d, hh), Some(h), "{ts}");
        }
        assert_eq!(epoch_hour(2020, 13, 1, 0), None);
        assert_eq!(epoch_hour(2020, 1, 1, 24), None);
    }
}
