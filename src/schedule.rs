//! Cron schedules in Europe/Amsterdam (the `cron` crate wants 6 or 7 fields; a classic 5-field
//! crontab line is accepted by prefixing seconds).

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Amsterdam;

pub fn parse(expr: &str) -> anyhow::Result<cron::Schedule> {
    let fields = expr.split_whitespace().count();
    let full = if fields == 5 {
        format!("0 {expr}")
    } else {
        expr.to_string()
    };
    cron::Schedule::from_str(&full)
        .map_err(|_| anyhow::anyhow!("`{expr}` is not a cron expression; write e.g. \"0 0 6 * * *\" (sec min hour day month weekday) or \"0 6 * * *\""))
}

/// The next firing after `after`, in UTC.
pub fn next_after(s: &cron::Schedule, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    s.after(&after.with_timezone(&Amsterdam))
        .next()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn five_and_six_fields_in_amsterdam_time() {
        let s = parse("0 6 * * *").unwrap();
        let t = next_after(&s, Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()).unwrap();
        assert_eq!(t, Utc.with_ymd_and_hms(2026, 11, 24, 5, 0, 0).unwrap());
        assert!(parse("elke nacht").is_err());
    }
}
