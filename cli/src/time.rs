//! Durations on the command line and times for people: `90s`, `1h30m`,
//! `2026-11-22 20:50:24 UTC`, `in 55m`. No time-zone database: dates are UTC.

/// Seconds since the Unix epoch, as the module's `os.time()` clock reads
/// them (before 1970: negative).
pub fn now() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// Seconds in a duration written as `90`, `90s`, `15m`, `1h`, `7d`, `2w` or
/// a sum such as `1h30m`; a leading `-` makes it negative. At most ten years.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    const LIMIT: i64 = 10 * 366 * 86400;
    let (sign, body) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    if body.is_empty() {
        return Err(format!(
            "'{text}' is not a duration (e.g. 90s, 15m, 1h, 7d)"
        ));
    }
    let mut total: i64 = 0;
    let mut number: Option<i64> = None;
    for c in body.chars() {
        if let Some(d) = c.to_digit(10) {
            let n = number.unwrap_or(0);
            number = Some(
                n.checked_mul(10)
                    .and_then(|n| n.checked_add(i64::from(d)))
                    .filter(|&n| n <= LIMIT)
                    .ok_or_else(|| format!("'{text}' is too long a duration"))?,
            );
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            'w' => 7 * 86400,
            _ => return Err(format!("'{text}': unknown unit '{c}' (s, m, h, d, w)")),
        };
        let n = number
            .take()
            .ok_or_else(|| format!("'{text}' is not a duration (e.g. 90s, 15m, 1h, 7d)"))?;
        total = total.saturating_add(n.saturating_mul(unit));
    }
    if let Some(n) = number {
        // A bare number is seconds, alone or at the end ("1m30").
        total = total.saturating_add(n);
    }
    if total > LIMIT {
        return Err(format!("'{text}' is longer than ten years"));
    }
    Ok(sign * total)
}

/// `YYYY-MM-DD hh:mm:ss UTC` for seconds since the epoch.
pub fn utc_date(t: i64) -> String {
    let days = t.div_euclid(86400);
    let secs = t.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Howard Hinnant's days-to-civil conversion (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `in 55m` or `3d 2h ago` for a signed offset from now.
pub fn relative(delta: i64) -> String {
    match delta {
        0 => "now".to_owned(),
        d if d > 0 => format!("in {}", relative_span(d)),
        d => format!("{} ago", relative_span(d.saturating_neg())),
    }
}

/// A span in its two largest units: `30 days`, `2h 5m`, `40s`.
pub fn relative_span(secs: i64) -> String {
    let days = secs / 86400;
    let (h, m, s) = (secs % 86400 / 3600, secs % 3600 / 60, secs % 60);
    if days >= 2 {
        format!("{days} days")
    } else if days == 1 {
        format!("1 day {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {s}s")
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for (text, secs) in [
            ("90", 90),
            ("90s", 90),
            ("15m", 900),
            ("1h", 3600),
            ("1h30m", 5400),
            ("7d", 604_800),
            ("2w", 1_209_600),
            ("-30s", -30),
            ("+5m", 300),
            ("1m30", 90),
            ("0", 0),
        ] {
            assert_eq!(parse_duration(text), Ok(secs), "{text}");
        }
        for bad in [
            "",
            "-",
            "h",
            "1y",
            "1.5h",
            "99999999999999999999",
            "5000w",
            "1 h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(utc_date(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_date(4_102_444_800), "2100-01-01 00:00:00 UTC");
        assert_eq!(utc_date(951_825_600), "2000-02-29 12:00:00 UTC");
        assert_eq!(utc_date(-1), "1969-12-31 23:59:59 UTC");
        assert_eq!(relative(3300), "in 55m 0s");
        assert_eq!(relative(-90_000), "1 day 1h ago");
        assert_eq!(relative(0), "now");
        assert_eq!(relative_span(30 * 86400), "30 days");
    }
}
