//! Per-row field checks: turns one record of cell texts into a `RawRow` and
//! the list of what is wrong with it.
//!
//! Only the *shape* of each value is judged here; whether a login suffix or an
//! organization exists is for the code that knows the directory. Every
//! problem in a row is reported, not just the first, so an administrator
//! fixes a row once.

use super::columns::{Columns, Field};
use super::read::{CheckedRow, RawRow, RowError};
use crate::directory::email::check_email;

/// Longest first, last or display name accepted, in characters.
const MAX_NAME: usize = 256;
/// Longest profile text accepted (title, department, …), in characters.
const MAX_TEXT: usize = 1024;
/// Values are echoed in messages; a runaway cell must not flood the preview.
const MAX_ECHO: usize = 40;

/// One data record as the readers (CSV, XLSX) expose it.
pub(super) trait Record {
    /// The value of `field`, trimmed; "" when the column is absent or the
    /// row is too short to reach it.
    fn value(&self, field: Field) -> &str;
}

/// Reads the `OU Admin` column. Excel booleans arrive as "True"/"False";
/// typed text may use any case. Anything else (yes, 1, empty) is refused
/// rather than guessed, because it decides administrative rights.
pub fn parse_ou_admin(s: &str) -> Result<bool, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if t.eq_ignore_ascii_case("false") {
        Ok(false)
    } else if t.is_empty() {
        Err("must be True or False (the cell is empty)".into())
    } else {
        Err(format!("must be True or False, not '{}'", echo(t)))
    }
}

/// Builds the row and its errors. `shape` is a row-level problem found by
/// the reader (a CSV row with too few or too many values): the values are
/// then misaligned, so field checks would only add noise and are skipped.
pub(super) fn check_row(
    line: usize,
    rec: &impl Record,
    columns: &Columns,
    shape: Option<String>,
) -> CheckedRow {
    let ou_admin = parse_ou_admin(rec.value(Field::OuAdmin));
    let mut problems = Problems {
        line,
        errors: Vec::new(),
    };
    match shape {
        Some(reason) => problems.row(reason),
        None => check_fields(rec, columns, &ou_admin, &mut problems),
    }
    let row = RawRow {
        line,
        login: rec.value(Field::Login).to_owned(),
        organization: rec.value(Field::Organization).to_owned(),
        ou_admin: ou_admin.ok(),
        email: rec.value(Field::Email).to_owned(),
        first_name: optional(rec, columns, Field::FirstName),
        last_name: optional(rec, columns, Field::LastName),
        display_name: optional(rec, columns, Field::DisplayName),
        texts: texts(rec, columns),
        valid: problems.errors.is_empty(),
    };
    CheckedRow {
        row,
        errors: problems.errors,
    }
}

/// `None` means "the file has no such column" (leave the value alone);
/// `Some("")` means the column is there and the cell is empty.
fn optional(rec: &impl Record, columns: &Columns, field: Field) -> Option<String> {
    columns.has(field).then(|| rec.value(field).to_owned())
}

/// The profile texts the file has columns for: the row of the core's
/// table and the cell.
fn texts(rec: &impl Record, columns: &Columns) -> Vec<(usize, String)> {
    text_columns(columns)
        .filter_map(|f| f.text().map(|(i, _)| (i, rec.value(f).to_owned())))
        .collect()
}

fn text_columns(columns: &Columns) -> impl Iterator<Item = Field> + '_ {
    Field::all().filter(|f| f.text().is_some() && columns.has(*f))
}

fn check_fields(
    rec: &impl Record,
    columns: &Columns,
    ou_admin: &Result<bool, String>,
    problems: &mut Problems,
) {
    problems.check(Field::Login, check_login(rec.value(Field::Login)));
    problems.check(
        Field::Organization,
        non_empty(rec.value(Field::Organization)),
    );
    if let Err(reason) = ou_admin {
        problems.field(Field::OuAdmin, reason.clone());
    }
    problems.check(Field::Email, check_email(rec.value(Field::Email)));
    for field in [Field::FirstName, Field::LastName, Field::DisplayName] {
        if columns.has(field) {
            problems.check(field, check_name(rec.value(field)));
        }
    }
    for field in text_columns(columns) {
        problems.check(field, check_text(rec.value(field)));
    }
}

/// `<name>@<suffix>`; whether the suffix exists is checked elsewhere.
fn check_login(s: &str) -> Result<(), String> {
    non_empty(s)?;
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces".into());
    }
    match s.split_once('@') {
        Some((name, suffix)) if !name.is_empty() && !suffix.is_empty() && !suffix.contains('@') => {
            Ok(())
        }
        _ => Err("must be name@suffix with exactly one '@', e.g. alice@example.com".into()),
    }
}

fn non_empty(s: &str) -> Result<(), String> {
    if s.is_empty() {
        Err("must not be empty".into())
    } else {
        Ok(())
    }
}

/// Names are free text, but a line break or other control character in a
/// name is always an accident of copy and paste and breaks LDIF and UIs.
fn check_name(s: &str) -> Result<(), String> {
    one_line(s, MAX_NAME)
}

/// A profile text (title, department, …): free text of a sane length, on
/// one line, as LDAP and SCIM take it.
fn check_text(s: &str) -> Result<(), String> {
    one_line(s, MAX_TEXT)
}

/// At most `max` characters, none of them a control character.
fn one_line(s: &str, max: usize) -> Result<(), String> {
    if s.chars().count() > max {
        return Err(format!("is longer than {max} characters"));
    }
    if s.chars().any(char::is_control) {
        return Err("must not contain line breaks or other control characters".into());
    }
    Ok(())
}

/// The start of a value, for quoting it in a message.
pub(super) fn echo(s: &str) -> String {
    match s.char_indices().nth(MAX_ECHO) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

/// Collects the errors of one row.
struct Problems {
    line: usize,
    errors: Vec<RowError>,
}

impl Problems {
    fn check(&mut self, field: Field, result: Result<(), String>) {
        if let Err(reason) = result {
            self.field(field, reason);
        }
    }

    fn field(&mut self, field: Field, reason: String) {
        self.push(Some(field.header()), reason);
    }

    fn row(&mut self, reason: String) {
        self.push(None, reason);
    }

    fn push(&mut self, column: Option<&'static str>, reason: String) {
        self.errors.push(RowError {
            line: self.line,
            column,
            reason,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ou_admin_values() {
        for t in ["True", "true", "TRUE", " tRuE "] {
            assert_eq!(parse_ou_admin(t), Ok(true), "{t}");
        }
        for f in ["False", "false", "FALSE"] {
            assert_eq!(parse_ou_admin(f), Ok(false), "{f}");
        }
        for bad in ["yes", "no", "1", "0", "Y", "T"] {
            assert_eq!(
                parse_ou_admin(bad),
                Err(format!("must be True or False, not '{bad}'"))
            );
        }
        assert_eq!(
            parse_ou_admin("  "),
            Err("must be True or False (the cell is empty)".to_string())
        );
    }

    #[test]
    fn login_rules() {
        assert_eq!(check_login("alice@example.com"), Ok(()));
        assert_eq!(check_login(""), Err("must not be empty".into()));
        assert_eq!(
            check_login("alice smith@example.com"),
            Err("must not contain spaces".into())
        );
        let shape = Err("must be name@suffix with exactly one '@', e.g. alice@example.com".into());
        for bad in ["alice", "@example.com", "alice@", "a@b@c"] {
            assert_eq!(check_login(bad), shape, "{bad}");
        }
    }

    #[test]
    fn name_rules() {
        assert_eq!(check_name(&"é".repeat(256)), Ok(()));
        assert_eq!(
            check_name(&"é".repeat(257)),
            Err("is longer than 256 characters".into())
        );
        assert!(check_name("a\nb").is_err());
    }

    #[test]
    fn echo_cuts_long_values() {
        assert_eq!(echo("short"), "short");
        assert_eq!(echo(&"ü".repeat(50)), format!("{}…", "ü".repeat(40)));
    }
}
