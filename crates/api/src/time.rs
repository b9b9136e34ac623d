//! Times in query strings and CSV: milliseconds since the Unix epoch, or RFC 3339 text.

/// Why a text is not a time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Neither form; `why` says what is wrong.
    #[error("`{text}`: {why}; expected milliseconds since the Unix epoch or RFC 3339 like 2026-11-24T10:00:00Z")]
    Invalid { text: String, why: &'static str },
}

/// Milliseconds since the Unix epoch from integer milliseconds (`1795860000000`) or RFC 3339
/// (`2026-11-24T10:00:00Z`, `2026-11-24T10:00:00.250Z`, `2026-11-24T12:00:00+02:00`).
/// Fractions finer than a millisecond are truncated. Times before 1970 are refused.
pub fn parse_time_ms(text: &str) -> Result<u64, TimeError> {
    let invalid = |why| TimeError::Invalid { text: text.chars().take(64).collect(), why };
    if text.is_empty() {
        return Err(invalid("empty"));
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map_err(|_| invalid("too large"));
    }
    parse_rfc3339(text.as_bytes()).map_err(invalid)
}

/// RFC 3339 UTC text with milliseconds, like `2026-11-24T10:00:00.250Z`.
pub fn format_time_ms(time_ms: u64) -> String {
    let days = time_ms / 86_400_000;
    let ms_of_day = time_ms % 86_400_000;
    let (year, month, day) = civil_from_days(days);
    let (hour, minute) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60);
    let (second, milli) = (ms_of_day / 1000 % 60, ms_of_day % 1000);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{milli:03}Z")
}

fn parse_rfc3339(bytes: &[u8]) -> Result<u64, &'static str> {
    if bytes.len() < 20 || bytes.len() > 40 {
        return Err("wrong length");
    }
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, sep)| bytes[at] != sep) || !matches!(bytes[10], b'T' | b't' | b' ') {
        return Err("wrong separators");
    }
    let year = digits(&bytes[0..4])?;
    let month = digits(&bytes[5..7])?;
    let day = digits(&bytes[8..10])?;
    let hour = digits(&bytes[11..13])?;
    let minute = digits(&bytes[14..16])?;
    let second = digits(&bytes[17..19])?;
    if year < 1970 {
        return Err("before 1970");
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err("no such date");
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err("no such time of day");
    }
    let mut rest = &bytes[19..];
    let mut milli = 0;
    if let Some((b'.', fraction)) = rest.split_first() {
        let n_digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if n_digits == 0 || n_digits > 9 {
            return Err("fraction of a second must have 1 to 9 digits");
        }
        let mut padded = [b'0'; 3];
        let n_ms_digits = n_digits.min(3);
        padded[..n_ms_digits].copy_from_slice(&fraction[..n_ms_digits]);
        milli = digits(&padded)?;
        rest = &fraction[n_digits..];
    }
    let offset_s: i64 = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (offset_h, offset_m) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if offset_h > 23 || offset_m > 59 {
                return Err("no such offset");
            }
            let offset = (offset_h * 3600 + offset_m * 60) as i64;
            if *sign == b'+' {
                offset
            } else {
                -offset
            }
        }
        _ => return Err("missing or malformed offset (Z or +hh:mm)"),
    };
    let days = days_from_civil(year, month, day);
    let local_s = days as i64 * 86_400 + (hour * 3600 + minute * 60 + second) as i64;
    let utc_s = local_s - offset_s;
    if utc_s < 0 {
        return Err("before 1970");
    }
    Ok(utc_s as u64 * 1000 + milli)
}

fn digits(bytes: &[u8]) -> Result<u64, &'static str> {
    bytes.iter().try_fold(0u64, |value, &b| {
        if b.is_ascii_digit() {
            Ok(value * 10 + u64::from(b - b'0'))
        } else {
            Err("a digit was expected")
        }
    })
}

fn is_leap(year: u64) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date from 1970 on (Howard Hinnant's algorithm).
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year / 400;
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of `days_from_civil`.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_epoch_ms_and_rfc3339() {
        assert_eq!(parse_time_ms("0"), Ok(0));
        assert_eq!(parse_time_ms("1795860000000"), Ok(1_795_860_000_000));
        assert_eq!(parse_time_ms("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_time_ms("2026-11-24T10:00:00Z"), Ok(1_795_514_400_000));
        assert_eq!(parse_time_ms("2026-11-24T10:00:00.250Z"), Ok(1_795_514_400_250));
        assert_eq!(parse_time_ms("2026-11-24T10:00:00.2Z"), Ok(1_795_514_400_200));
        assert_eq!(parse_time_ms("2026-11-24T10:00:00.123456789Z"), Ok(1_795_514_400_123));
        assert_eq!(parse_time_ms("2026-11-24T12:00:00+02:00"), Ok(1_795_514_400_000));
        assert_eq!(parse_time_ms("2024-02-29T00:00:00Z"), Ok(1_709_164_800_000));
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        for bad in [
            "",
            "-1",
            "99999999999999999999999",
            "2026-11-24",
            "2026-11-24T10:00:00",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-11-24T24:00:00Z",
            "2026-11-24T10:00:60Z",
            "1969-12-31T23:59:59Z",
            "1970-01-01T00:00:00+01:00",
            "2026-11-24T10:00:00.Z",
            "2026-11-24T10:00:00.1234567890Z",
            "2026-11-24T10:00:00+2:00",
            "２０２６-11-24T10:00:00Z",
        ] {
            assert!(parse_time_ms(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_what_it_parses() {
        for ms in [0, 1_795_514_400_250, 1_709_164_800_000, 253_402_300_799_999] {
            assert_eq!(parse_time_ms(&format_time_ms(ms)), Ok(ms), "{ms}");
        }
        assert_eq!(format_time_ms(1_795_514_400_250), "2026-11-24T10:00:00.250Z");
    }
}
