//! Syntax rules for the names the directory accepts: organization names, login
//! suffixes, logins, role and service-account names, email addresses. Each check
//! returns a message that says what to fix. Uniqueness and existence are the use
//! cases' business (they need the store); this module only looks at the text.

use crate::directory::error::{Error, Result};

/// Organization names that would collide with the fixed branches of the tree.
pub const RESERVED_ORG_NAMES: [&str; 5] = ["people", "groups", "services", "roles", "applications"];

const MAX_ORG_NAME: usize = 64;
const MAX_LOGIN: usize = 254;
const MAX_LOCAL_PART: usize = 64;
const MAX_ROLE_NAME: usize = 128;
const MAX_TEXT: usize = 1024;

/// The case-folded key under which a name is unique.
pub fn fold(name: &str) -> String {
    name.trim().to_lowercase()
}

/// A loose key for names people type (a user's common name, a role name):
/// lowercase letters and digits only. Values that a case-ignoring, space-
/// folding match (such as LDAP's caseIgnoreMatch) finds equal always share this
/// key, so an index on it finds a superset of the matches and the exact rule
/// decides among them.
pub fn loose_key(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// An organization name: letters, digits, `-`, `_`, `.`; no spaces; not reserved.
pub fn check_org_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::invalid("organization name is empty"));
    }
    if name.len() > MAX_ORG_NAME {
        return Err(Error::invalid(format!(
            "organization name is longer than {MAX_ORG_NAME} characters"
        )));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        let what = if c.is_whitespace() {
            "a space".to_owned()
        } else {
            format!("'{c}'")
        };
        return Err(Error::invalid(format!(
            "organization name '{name}' contains {what}; use letters, digits, '-', '_' or '.' (for example Company-Team)"
        )));
    }
    if RESERVED_ORG_NAMES
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name))
    {
        return Err(Error::invalid(format!(
            "organization name '{name}' is reserved (people, groups, services, roles and applications are branches of the tree)"
        )));
    }
    Ok(())
}

/// A login suffix: a DNS-style domain (`example.com`).
pub fn check_suffix(name: &str) -> Result<()> {
    if !is_domain(name) {
        return Err(Error::invalid(format!(
            "login suffix '{name}' is not a domain name such as example.com"
        )));
    }
    Ok(())
}

/// Labels of letters, digits and inner hyphens, separated by dots.
fn is_domain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// A login as `(name, Some(suffix))` or, for a bare name, `(name, None)`.
/// Whether a bare name is acceptable and whether the suffix exists is for the
/// caller to decide.
pub fn split_login(login: &str) -> Result<(&str, Option<&str>)> {
    if login.is_empty() {
        return Err(Error::invalid("login name is empty"));
    }
    if login.len() > MAX_LOGIN {
        return Err(Error::invalid(format!(
            "login name is longer than {MAX_LOGIN} characters"
        )));
    }
    if login.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid(format!(
            "login name '{login}' contains a space or a control character"
        )));
    }
    let (name, suffix) = match login.rsplit_once('@') {
        Some((name, suffix)) => (name, Some(suffix)),
        None => (login, None),
    };
    check_local_part(login, name)?;
    if let Some(suffix) = suffix {
        check_suffix(suffix).map_err(|_| {
            Error::invalid(format!(
                "login name '{login}' must look like name@suffix with a domain suffix"
            ))
        })?;
    }
    Ok((name, suffix))
}

fn check_local_part(login: &str, name: &str) -> Result<()> {
    if name.is_empty() || name.len() > MAX_LOCAL_PART {
        return Err(Error::invalid(format!(
            "login name '{login}' needs 1 to {MAX_LOCAL_PART} characters before the '@'"
        )));
    }
    if let Some(c) = name.chars().find(|c| !is_login_char(*c)) {
        return Err(Error::invalid(format!(
            "login name '{login}' contains '{c}'; use letters, digits and . _ - + '"
        )));
    }
    Ok(())
}

fn is_login_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '\'')
}

/// One well-formed email address (the rule shared with the spreadsheet
/// importer, which explains placeholders such as `N/A`).
pub fn check_email(email: &str) -> Result<()> {
    super::email::check_email(email)
        .map_err(|why| Error::invalid(format!("email address '{email}' {why}")))
}

/// A role name: non-empty text without control characters or surrounding spaces.
pub fn check_role_name(name: &str) -> Result<()> {
    check_label("role name", name, MAX_ROLE_NAME)
}

/// An application name: the rules of a role name (it is the `cn` of its entry).
pub fn check_app_name(name: &str) -> Result<()> {
    check_label("application name", name, MAX_ROLE_NAME)
}

/// A service account name: same shape as an organization name.
pub fn check_service_name(name: &str) -> Result<()> {
    if name.is_empty()
        || name.len() > MAX_ORG_NAME
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(Error::invalid(format!(
            "service account name '{name}' must be 1 to {MAX_ORG_NAME} letters, digits, '-', '_' or '.'"
        )));
    }
    Ok(())
}

/// Free text such as names and descriptions: bounded, no control characters.
pub fn check_text(what: &str, value: &str) -> Result<()> {
    if value.len() > MAX_TEXT {
        return Err(Error::invalid(format!(
            "{what} is longer than {MAX_TEXT} characters"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "{what} contains a control character"
        )));
    }
    Ok(())
}

fn check_label(what: &str, name: &str, max: usize) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid(format!("{what} is empty")));
    }
    if name.trim() != name {
        return Err(Error::invalid(format!(
            "{what} '{name}' starts or ends with a space"
        )));
    }
    if name.len() > max {
        return Err(Error::invalid(format!(
            "{what} is longer than {max} characters"
        )));
    }
    check_text(what, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_keys_ignore_case_spaces_and_punctuation() {
        assert_eq!(loose_key("  Alice   Smith "), "alicesmith");
        assert_eq!(loose_key("ALICE\u{00AD}SMITH"), loose_key("alice smith"));
        assert_eq!(loose_key("Jean-Luc O'Neil"), "jeanluconeil");
        assert_ne!(loose_key("Alice Smith"), loose_key("Alice Smyth"));
    }

    #[test]
    fn org_names() {
        for ok in ["Acme-Sales", "acme_team.2", "Ünïcode-Team"] {
            check_org_name(ok).unwrap();
        }
        for bad in [
            "",
            "Acme Sales",
            "a/b",
            "People",
            "ROLES",
            "x,y",
            &"a".repeat(65),
        ] {
            assert!(check_org_name(bad).is_err(), "{bad}");
        }
        let msg = check_org_name("Acme Sales").unwrap_err().to_string();
        assert!(msg.contains("a space"), "{msg}");
    }

    #[test]
    fn logins() {
        assert_eq!(
            split_login("alice@example.com").unwrap(),
            ("alice", Some("example.com"))
        );
        assert_eq!(split_login("bob").unwrap(), ("bob", None));
        for bad in [
            "",
            "a b@x.com",
            "@x.com",
            "a@",
            "a@-x.com",
            "a,b@x.com",
            "a@x..com",
        ] {
            assert!(split_login(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails() {
        for ok in ["a@b.co", "first.last+tag@sub.example.org", "u@exämple.de"] {
            check_email(ok).unwrap();
        }
        for bad in [
            "",
            "N/A",
            "a@b",
            "a@@b.com",
            ".a@b.com",
            "a..b@c.com",
            "a@b.c",
            "a b@c.com",
            "a@b.c0m1",
            "a@b.com,c@d.com",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn suffixes_and_roles() {
        check_suffix("example.com").unwrap();
        assert!(check_suffix("exa mple.com").is_err());
        check_role_name("Sales Managers").unwrap();
        assert!(check_role_name(" x").is_err());
        assert!(check_role_name("").is_err());
        check_service_name("gitea").unwrap();
        assert!(check_service_name("git ea").is_err());
    }
}
