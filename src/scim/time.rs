//! Timestamps as SCIM writes them: RFC 3339 in UTC with milliseconds, so the
//! strings sort in time order (filters and sorting on meta dates rely on it).

use crate::directory::model::Millis;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `2026-01-02T03:04:05.678Z` for a time in milliseconds since the epoch.
pub fn rfc3339(ms: Millis) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    let t = OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let whole = t.replace_millisecond(t.millisecond()).unwrap_or(t);
    let s = whole.format(&Rfc3339).unwrap_or_default();
    // Fix the fraction at three digits: time omits zeros, which breaks sorting.
    match s.split_once('.') {
        Some((head, _)) => format!("{head}.{:03}Z", t.millisecond()),
        None => format!("{}.{:03}Z", s.trim_end_matches('Z'), t.millisecond()),
    }
}
