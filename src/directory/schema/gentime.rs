//! GeneralizedTime (RFC 4517 §3.3.13): formatting of timestamps the way
//! slapd writes them (`YYYYMMDDHHMMSSZ`, seconds precision, UTC) and parsing
//! of every form the syntax allows (optional minutes and seconds, leap
//! second, fraction of the last unit given, `Z` or `+hh[mm]`/`-hh[mm]`).
//! Hand-written to avoid a dependency: only the proleptic Gregorian
//! calendar arithmetic below is needed.

const NANOS_PER_SEC: i128 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;

/// Formats a Unix timestamp in milliseconds as `YYYYMMDDHHMMSSZ`.
/// Milliseconds are dropped (floor), as slapd's operational timestamps have
/// seconds precision. Instants outside years 0000-9999 are clamped to the
/// range the four-digit year can express.
pub fn generalized_time(unix_millis: i64) -> String {
    const MIN_SECS: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
    const MAX_SECS: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    let secs = unix_millis.div_euclid(1000).clamp(MIN_SECS, MAX_SECS);
    let (days, rem) = (secs.div_euclid(SECS_PER_DAY), secs.rem_euclid(SECS_PER_DAY));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Parses a GeneralizedTime into nanoseconds since the Unix epoch (UTC).
/// Fractions finer than a nanosecond are truncated. None when the value
/// does not conform to the syntax or names a non-existent date.
pub fn parse_generalized_time(value: &str) -> Option<i128> {
    let mut cursor = Cursor {
        bytes: value.as_bytes(),
        pos: 0,
    };
    let fields = Fields::parse(&mut cursor)?;
    let fraction = cursor.fraction(fields.last_unit_nanos())?;
    let offset_secs = cursor.zone()?;
    if cursor.pos != cursor.bytes.len() {
        return None;
    }
    Some(fields.unix_nanos() + fraction - i128::from(offset_secs) * NANOS_PER_SEC)
}

/// Convenience for callers comparing against a clock in milliseconds
/// (e.g. password-policy lockout checks). Truncates toward negative infinity.
pub fn generalized_time_to_unix_millis(value: &str) -> Option<i64> {
    let nanos = parse_generalized_time(value)?;
    i64::try_from(nanos.div_euclid(1_000_000)).ok()
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, count: usize) -> Option<u32> {
        let end = self.pos.checked_add(count)?;
        let slice = self.bytes.get(self.pos..end)?;
        let mut value = 0u32;
        for &b in slice {
            if !b.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(b - b'0');
        }
        self.pos = end;
        Some(value)
    }

    fn next_is_digit(&self) -> bool {
        self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit)
    }

    /// `[ ( "." / "," ) 1*DIGIT ]` scaled to the unit it refines.
    fn fraction(&mut self, unit_nanos: i128) -> Option<i128> {
        if !matches!(self.bytes.get(self.pos), Some(b'.' | b',')) {
            return Some(0);
        }
        self.pos += 1;
        let start = self.pos;
        while self.next_is_digit() {
            self.pos += 1;
        }
        let digits = self.bytes.get(start..self.pos)?;
        if digits.is_empty() {
            return None;
        }
        // 18 significant digits are far below a nanosecond even for hours,
        // and keep the arithmetic inside i128.
        let significant = &digits[..digits.len().min(18)];
        let mut numerator: i128 = 0;
        for &b in significant {
            numerator = numerator * 10 + i128::from(b - b'0');
        }
        let denominator = 10i128.pow(u32::try_from(significant.len()).ok()?);
        Some(unit_nanos * numerator / denominator)
    }

    /// `"Z" / ( "+" / "-" ) hour [ minute ]`, as seconds east of UTC.
    fn zone(&mut self) -> Option<i64> {
        let sign = match self.bytes.get(self.pos)? {
            b'Z' => {
                self.pos += 1;
                return Some(0);
            }
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        self.pos += 1;
        let hours = self.digits(2)?;
        let minutes = if self.next_is_digit() {
            self.digits(2)?
        } else {
            0
        };
        if hours > 23 || minutes > 59 {
            return None;
        }
        Some(sign * i64::from(hours * 3600 + minutes * 60))
    }
}

struct Fields {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: Option<u32>,
    second: Option<u32>,
}

impl Fields {
    fn parse(cursor: &mut Cursor<'_>) -> Option<Fields> {
        let year = cursor.digits(4)?;
        let month = cursor.digits(2)?;
        let day = cursor.digits(2)?;
        let hour = cursor.digits(2)?;
        let minute = if cursor.next_is_digit() {
            Some(cursor.digits(2)?)
        } else {
            None
        };
        let second = match minute {
            Some(_) if cursor.next_is_digit() => Some(cursor.digits(2)?),
            _ => None,
        };
        let fields = Fields {
            year,
            month,
            day,
            hour,
            minute,
            second,
        };
        fields.in_range().then_some(fields)
    }

    /// Second 60 is the leap second the syntax allows.
    fn in_range(&self) -> bool {
        (1..=12).contains(&self.month)
            && self.day >= 1
            && self.day <= days_in_month(self.year, self.month)
            && self.hour <= 23
            && self.minute.is_none_or(|m| m <= 59)
            && self.second.is_none_or(|s| s <= 60)
    }

    /// The fraction refines the last unit present (RFC 4517 §3.3.13).
    fn last_unit_nanos(&self) -> i128 {
        match (self.minute, self.second) {
            (_, Some(_)) => NANOS_PER_SEC,
            (Some(_), None) => 60 * NANOS_PER_SEC,
            (None, _) => 3600 * NANOS_PER_SEC,
        }
    }

    fn unix_nanos(&self) -> i128 {
        let days = days_from_civil(i64::from(self.year), self.month, self.day);
        let secs = days * SECS_PER_DAY
            + i64::from(self.hour) * 3600
            + i64::from(self.minute.unwrap_or(0)) * 60
            + i64::from(self.second.unwrap_or(0));
        i128::from(secs) * NANOS_PER_SEC
    }
}

fn is_leap(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`]: (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_22_2026_1030: i128 = 1_795_343_400 * NANOS_PER_SEC;

    #[test]
    fn formats_like_slapd() {
        assert_eq!(generalized_time(0), "19700101000000Z");
        assert_eq!(generalized_time(1_795_343_400_999), "20261122103000Z");
        assert_eq!(generalized_time(-1), "19691231235959Z");
        assert_eq!(generalized_time(951_782_400_000), "20000229000000Z");
        assert_eq!(generalized_time(i64::MAX), "99991231235959Z");
        assert_eq!(generalized_time(i64::MIN), "00000101000000Z");
    }

    #[test]
    fn parses_all_forms() {
        let p = parse_generalized_time;
        assert_eq!(p("20261122103000Z"), Some(NOV_22_2026_1030));
        assert_eq!(p("202611221030Z"), Some(NOV_22_2026_1030));
        assert_eq!(
            p("2026112210Z"),
            Some(NOV_22_2026_1030 - 1800 * NANOS_PER_SEC)
        );
        assert_eq!(p("2026112210.5Z"), Some(NOV_22_2026_1030));
        assert_eq!(p("202611221029,5Z"), p("20261122102930Z"));
        assert_eq!(
            p("20261122103000.25Z"),
            Some(NOV_22_2026_1030 + 250_000_000)
        );
        assert_eq!(p("20261122123000+0200"), Some(NOV_22_2026_1030));
        assert_eq!(p("20261122073000-03"), Some(NOV_22_2026_1030));
        assert_eq!(
            p("20261122080000.5-0230"),
            Some(NOV_22_2026_1030 + 500_000_000)
        );
        assert_eq!(p("20161231235960Z"), p("20170101000000Z"));
        assert_eq!(p("19700101000000Z"), Some(0));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "2026",
            "20261122103000",
            "20261122103000z",
            "20261322103000Z",
            "20260230103000Z",
            "20261122243000Z",
            "20261122106000Z",
            "20261122103061Z",
            "20261122103000.Z",
            "20261122103000+2400",
            "20261122103000+02:00",
            "20261122103000Z ",
            "2026112210300Z",
            "-2026112210Z",
        ] {
            assert_eq!(parse_generalized_time(bad), None, "{bad}");
        }
        assert!(parse_generalized_time("20240229000000Z").is_some());
        assert!(parse_generalized_time("21000229000000Z").is_none());
    }

    #[test]
    fn round_trip_and_millis() {
        for millis in [0, 1_795_343_400_000, -86_400_000, 4_102_444_800_000] {
            let text = generalized_time(millis);
            assert_eq!(generalized_time_to_unix_millis(&text), Some(millis));
        }
        assert_eq!(
            generalized_time_to_unix_millis("19700101000000.0019Z"),
            Some(1)
        );
    }
}
