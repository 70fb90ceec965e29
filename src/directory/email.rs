//! The shape check for the `Email Address` column.
//!
//! Spreadsheets collect everything people type into a cell: placeholders
//! ("N/A", "unknown"), two addresses in one cell, a display name around the
//! address. This module owns the pragmatic rule that accepts one ordinary
//! address and explains every refusal. It is deliberately not a full RFC 5322
//! parser: quoted local parts, comments and IP-literal domains are refused
//! because no directory user should have one, while internationalised domain
//! names (non-ASCII letters) are accepted.

/// Longest address accepted (RFC 5321 path limit minus the angle brackets).
const MAX_LEN: usize = 254;
/// Longest part before the '@' (RFC 5321).
const MAX_LOCAL: usize = 64;
/// Longest DNS label.
const MAX_LABEL: usize = 63;

/// Longest cell worth normalising for the placeholder check, in bytes
/// ("unavailable" with dots or spaces around and between).
const PLACEHOLDER_SCAN: usize = 24;

/// Values people type when they have no address, normalised the way
/// `placeholder_key` normalises a cell (lower case, no dots or slashes), so
/// "N/A", "n.a." and "NA" are one entry.
const PLACEHOLDERS: [&str; 13] = [
    "na",
    "none",
    "nil",
    "null",
    "unavailable",
    "unknown",
    "-",
    "--",
    "tbd",
    "x",
    "?",
    "no email",
    "noemail",
];

/// Accepts exactly one well-formed address; the error is a reason meant to
/// follow the column name ("Email Address: must contain '@'").
pub fn check_email(s: &str) -> Result<(), String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("must not be empty".into());
    }
    if is_placeholder(s) {
        return Err(format!("placeholder '{s}' is not an email address"));
    }
    let parts = s
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .count();
    if parts > 1 {
        return Err(format!(
            "exactly one address expected, found {parts} values separated by ',', ';' or spaces"
        ));
    }
    if s.len() > MAX_LEN && s.chars().count() > MAX_LEN {
        return Err(format!("is longer than {MAX_LEN} characters"));
    }
    let (local, domain) = split_at_sign(s)?;
    check_local(local)?;
    check_domain(domain)
}

/// Whether a cell is one of the known "no address" spellings. Real
/// addresses are longer than any placeholder, so they skip the copy.
fn is_placeholder(s: &str) -> bool {
    if s.len() > PLACEHOLDER_SCAN {
        return false;
    }
    let key: String = s
        .chars()
        .filter(|c| *c != '.' && *c != '/')
        .flat_map(char::to_lowercase)
        .collect();
    PLACEHOLDERS.contains(&key.trim())
}

fn split_at_sign(s: &str) -> Result<(&str, &str), String> {
    let mut parts = s.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => Ok((local, domain)),
        (_, None, _) => Err("must contain '@'".into()),
        _ => Err("must contain exactly one '@'".into()),
    }
}

/// RFC 5322 dot-atom: printable ASCII specials allowed, dots only between
/// characters.
fn check_local(local: &str) -> Result<(), String> {
    if local.is_empty() {
        return Err("nothing before '@'".into());
    }
    if local.chars().count() > MAX_LOCAL {
        return Err(format!(
            "the part before '@' is longer than {MAX_LOCAL} characters"
        ));
    }
    if let Some(c) = local.chars().find(|c| !is_atext(*c) && *c != '.') {
        return Err(format!("character '{c}' is not allowed before '@'"));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err("the part before '@' must not start or end with '.' or contain '..'".into());
    }
    Ok(())
}

/// The atext set of RFC 5322 section 3.2.3.
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

/// Host name labels: letters (any script, for IDNs), digits and inner
/// hyphens; a dot is required because a bare host is not a mail domain.
fn check_domain(domain: &str) -> Result<(), String> {
    if domain.is_empty() {
        return Err("nothing after '@'".into());
    }
    let Some((_, tld)) = domain.rsplit_once('.') else {
        return Err(format!("the domain '{domain}' must contain a dot"));
    };
    for label in domain.split('.') {
        check_label(domain, label)?;
    }
    check_tld(tld)
}

fn check_label(domain: &str, label: &str) -> Result<(), String> {
    if label.is_empty() {
        return Err(format!(
            "the domain '{domain}' has an empty part (check the dots)"
        ));
    }
    if label.chars().count() > MAX_LABEL {
        return Err(format!(
            "the domain part '{label}' is longer than {MAX_LABEL} characters"
        ));
    }
    if let Some(c) = label.chars().find(|c| !c.is_alphanumeric() && *c != '-') {
        return Err(format!("character '{c}' is not allowed in the domain"));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(format!(
            "the domain part '{label}' must not start or end with '-'"
        ));
    }
    Ok(())
}

/// Top-level domains are letters only; an ACE-encoded IDN TLD ("xn--p1ai")
/// is the one exception, since it is what an IDN TLD looks like in ASCII.
fn check_tld(tld: &str) -> Result<(), String> {
    let ace = tld.len() > 4 && tld.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--"));
    if ace || (tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic)) {
        Ok(())
    } else {
        Err(format!(
            "the top-level domain '{tld}' must be at least 2 letters"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(s: &str) -> String {
        check_email(s).unwrap_err()
    }

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "alice@example.com",
            "  Alice.Smith@Example.COM ",
            "a+tag@sub.example.co.uk",
            "o'brien@example.ie",
            "x_y-z!#$%&'*+/=?^`{|}~@ex-ample.org",
            "user@bücher.de",
            "user@пример.рф",
            "user@example.xn--p1ai",
            "1@2.io",
        ] {
            assert_eq!(check_email(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn every_placeholder_is_named() {
        for p in [
            "N/A",
            "n/a",
            "NA",
            "n.a.",
            " None ",
            "nil",
            "NULL",
            "unavailable",
            "Unknown",
            "-",
            "--",
            "TBD",
            "x",
            "?",
            "no email",
            "NoEmail",
            "N.A",
        ] {
            assert_eq!(
                reason(p),
                format!("placeholder '{}' is not an email address", p.trim()),
                "{p}"
            );
        }
    }

    #[test]
    fn empty_and_several() {
        assert_eq!(reason("  "), "must not be empty");
        let several =
            "exactly one address expected, found 2 values separated by ',', ';' or spaces";
        assert_eq!(reason("a@example.com, b@example.com"), several);
        assert_eq!(reason("a@example.com;b@example.com"), several);
        assert_eq!(reason("a@example.com b@example.com"), several);
        assert!(reason("Alice <a@example.com>").starts_with("exactly one address expected"));
    }

    #[test]
    fn at_sign_rules() {
        assert_eq!(reason("alice.example.com"), "must contain '@'");
        assert_eq!(reason("a@b@example.com"), "must contain exactly one '@'");
        assert_eq!(reason("@example.com"), "nothing before '@'");
        assert_eq!(reason("alice@"), "nothing after '@'");
    }

    #[test]
    fn local_part_rules() {
        let dots = "the part before '@' must not start or end with '.' or contain '..'";
        assert_eq!(reason(".a@example.com"), dots);
        assert_eq!(reason("a.@example.com"), dots);
        assert_eq!(reason("a..b@example.com"), dots);
        assert_eq!(
            reason("a\"b@example.com"),
            "character '\"' is not allowed before '@'"
        );
        assert_eq!(
            reason("josé@example.com"),
            "character 'é' is not allowed before '@'"
        );
        let long = format!("{}@example.com", "a".repeat(65));
        assert_eq!(
            reason(&long),
            "the part before '@' is longer than 64 characters"
        );
        assert_eq!(
            check_email(&format!("{}@example.com", "a".repeat(64))),
            Ok(())
        );
    }

    #[test]
    fn domain_rules() {
        assert_eq!(
            reason("a@localhost"),
            "the domain 'localhost' must contain a dot"
        );
        assert_eq!(
            reason("a@example..com"),
            "the domain 'example..com' has an empty part (check the dots)"
        );
        assert_eq!(
            reason("a@example.com."),
            "the domain 'example.com.' has an empty part (check the dots)"
        );
        assert_eq!(
            reason("a@-example.com"),
            "the domain part '-example' must not start or end with '-'"
        );
        assert_eq!(
            reason("a@exa_mple.com"),
            "character '_' is not allowed in the domain"
        );
        assert_eq!(
            reason("a@[192.168.0.1]"),
            "character '[' is not allowed in the domain"
        );
        let label = "l".repeat(64);
        assert_eq!(
            reason(&format!("a@{label}.com")),
            format!("the domain part '{label}' is longer than 63 characters")
        );
        assert_eq!(
            reason("a@example.c"),
            "the top-level domain 'c' must be at least 2 letters"
        );
        assert_eq!(
            reason("a@example.abcé1"),
            "the top-level domain 'abcé1' must be at least 2 letters"
        );
        assert_eq!(
            reason("a@example.123"),
            "the top-level domain '123' must be at least 2 letters"
        );
    }

    #[test]
    fn total_length() {
        let domain = format!(
            "{}.{}.{}.com",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63)
        );
        let at_limit = format!("{}@{domain}", "x".repeat(254 - 1 - domain.len()));
        assert_eq!(check_email(&at_limit), Ok(()));
        let over = format!("x{at_limit}");
        assert_eq!(reason(&over), "is longer than 254 characters");
    }
}
