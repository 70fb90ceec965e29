//! String preparation shared by the string matching rules: a simplified
//! RFC 4518 "prepare" step (map, case fold, insignificant space handling).
//!
//! Simplifications, chosen to stay predictable without Unicode tables:
//! - no NFKC normalization (composed and decomposed forms differ);
//! - case folding is `char::to_lowercase`, not full Unicode case folding;
//! - insignificant spaces: values and assertions are trimmed and internal
//!   runs of whitespace become one space (RFC 4518 uses two, which gives the
//!   same equality results); substring pieces only lose the spaces at the
//!   ends where the value itself was trimmed (start of `initial`, end of
//!   `final`), so `(cn=foo *)` still requires a space after `foo`.

/// Whether the rule ignores case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Case {
    Ignore,
    Exact,
}

/// Position of a substring assertion piece (RFC 4511 §4.5.1.7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Piece {
    Initial,
    Any,
    Final,
}

enum Mapped {
    Space,
    Drop,
    Keep(char),
}

/// RFC 4518 §2.2: controls and a few invisible characters map to nothing,
/// every kind of whitespace maps to SPACE.
fn map_char(c: char) -> Mapped {
    match c {
        '\u{00AD}'
        | '\u{1806}'
        | '\u{034F}'
        | '\u{180B}'..='\u{180D}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FFFC}'
        | '\u{200B}' => Mapped::Drop,
        '\u{200C}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' => Mapped::Drop,
        '\u{FEFF}' => Mapped::Drop,
        c if c.is_whitespace() => Mapped::Space,
        c if c.is_control() => Mapped::Drop,
        c => Mapped::Keep(c),
    }
}

/// Maps, optionally lowercases, and collapses runs of spaces to one space
/// without trimming the ends.
fn collapse(value: &str, case: Case) -> String {
    let mut out = String::with_capacity(value.len());
    let mut pending_space = false;
    for c in value.chars() {
        match map_char(c) {
            Mapped::Drop => {}
            Mapped::Space => pending_space = true,
            Mapped::Keep(c) => {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                push_cased(&mut out, c, case);
            }
        }
    }
    if pending_space {
        out.push(' ');
    }
    out
}

fn push_cased(out: &mut String, c: char, case: Case) {
    match case {
        Case::Exact => out.push(c),
        Case::Ignore => out.extend(c.to_lowercase()),
    }
}

/// Prepared form of a whole value or equality/ordering assertion.
pub(super) fn fold(value: &str, case: Case) -> String {
    let collapsed = collapse(value, case);
    collapsed.trim_matches(' ').to_owned()
}

/// Prepared form of one substring assertion piece.
pub(super) fn fold_piece(piece: &str, case: Case, position: Piece) -> String {
    let collapsed = collapse(piece, case);
    match position {
        Piece::Initial => collapsed.trim_start_matches(' ').to_owned(),
        Piece::Final => collapsed.trim_end_matches(' ').to_owned(),
        Piece::Any => collapsed,
    }
}

/// Hyphens that RFC 4517 `telephoneNumberMatch` treats as insignificant.
fn is_phone_hyphen(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{058A}' | '\u{2010}' | '\u{2011}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}'
    )
}

/// telephoneNumberMatch: caseIgnoreMatch with spaces and hyphens removed.
pub(super) fn phone(value: &str) -> String {
    collapse(value, Case::Ignore)
        .chars()
        .filter(|&c| c != ' ' && !is_phone_hyphen(c))
        .collect()
}

/// numericStringMatch: spaces are insignificant; None when anything but
/// digits and spaces is present.
pub(super) fn numeric(value: &str) -> Option<String> {
    let digits: String = value.chars().filter(|&c| c != ' ').collect();
    digits.bytes().all(|b| b.is_ascii_digit()).then_some(digits)
}

/// The approximate-match key: lowercase letters and digits only.
pub(super) fn skeleton(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_trims_and_collapses() {
        assert_eq!(fold("  John \t\n  SMITH ", Case::Ignore), "john smith");
        assert_eq!(fold("  John   SMITH ", Case::Exact), "John SMITH");
        assert_eq!(fold("a\u{00A0}\u{3000}b", Case::Exact), "a b");
        assert_eq!(fold("in\u{00AD}visible\u{200B}", Case::Exact), "invisible");
        assert_eq!(fold("ÄÖÜ ΣΑΣ", Case::Ignore), "äöü σασ");
        assert_eq!(fold("   ", Case::Ignore), "");
    }

    #[test]
    fn pieces_keep_inner_edges() {
        assert_eq!(fold_piece("  Foo  ", Case::Ignore, Piece::Initial), "foo ");
        assert_eq!(fold_piece("  Foo  ", Case::Ignore, Piece::Any), " foo ");
        assert_eq!(fold_piece("  Foo  ", Case::Ignore, Piece::Final), " foo");
    }

    #[test]
    fn phone_and_numeric() {
        assert_eq!(phone("+49 (30) 1234-56\u{2011}78"), "+49(30)12345678");
        assert_eq!(numeric(" 12 34 ").as_deref(), Some("1234"));
        assert_eq!(numeric("12a"), None);
        assert_eq!(skeleton("Jean-Luc O'Neil"), "jeanluconeil");
    }
}
