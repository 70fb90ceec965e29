//! Filters that are refused, and messages that say why: bad values, missing
//! operators or values, empty or trailing input, unbalanced brackets, `not`
//! without parentheses, invalid attribute names.

use super::*;

#[test]
fn invalid_values_say_why() {
    let bare = err_msg("userName eq bjensen");
    assert!(bare.contains("'bjensen' at offset 12"), "{bare}");
    assert!(bare.contains("double quotes"), "{bare}");
    let single = err_msg("userName eq 'bjensen'");
    assert!(single.contains("not single quotes"), "{single}");
    for bad_number in ["a eq 01", "a eq 1.", "a eq -", "a eq 1e999", "a eq 1x"] {
        let message = err_msg(bad_number);
        assert!(message.contains("not a valid JSON number"), "{message}");
    }
    assert!(matches!(
        err(r#"a eq "\x""#),
        FilterError::InvalidString { offset: 5, .. }
    ));
    assert!(matches!(
        err(r#"a eq "\ud800""#),
        FilterError::InvalidString { offset: 5, .. }
    ));
    assert!(matches!(
        err("a eq \"tab\there\""),
        FilterError::InvalidString { .. }
    ));
    assert_eq!(
        err(r#"a eq "abc"#),
        FilterError::UnterminatedString { offset: 5 }
    );
    assert_eq!(
        err(r#"a eq "abc\""#),
        FilterError::UnterminatedString { offset: 5 }
    );
}

#[test]
fn missing_operator_message_names_attribute_and_offset() {
    assert_eq!(
        err_msg(r#"userName "bjensen""#),
        "expected a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) \
         after 'userName' at offset 9, found string \"bjensen\""
    );
    assert_eq!(
        err("userName"),
        FilterError::MissingOperator {
            attr: "userName".into(),
            offset: 8,
            found: "end of input".into()
        }
    );
    assert!(err_msg("userName equals 1").contains("found 'equals'"));
}

#[test]
fn missing_value_and_value_after_pr_are_errors() {
    assert_eq!(
        err_msg("userName eq"),
        "expected a value (a double-quoted string, a number, true, false or null) \
         after 'eq' at offset 11, found end of input"
    );
    assert!(matches!(
        err("(a eq)"),
        FilterError::MissingValue { offset: 5, .. }
    ));
    assert!(matches!(
        err("a eq and b pr"),
        FilterError::InvalidValue { offset: 5, .. }
    ));
    assert_eq!(
        err_msg(r#"title pr "x""#),
        "'pr' takes no value, but string \"x\" follows it at offset 9"
    );
    assert!(matches!(
        err("title pr 5"),
        FilterError::ValueAfterPresent { .. }
    ));
    assert!(matches!(
        err("title pr true"),
        FilterError::ValueAfterPresent { .. }
    ));
}

#[test]
fn empty_and_trailing_input_are_errors() {
    assert_eq!(err(""), FilterError::Empty { what: "filter" });
    assert_eq!(err(" \t\n"), FilterError::Empty { what: "filter" });
    assert_eq!(
        err_msg("a eq 1 b eq 2"),
        "expected 'and', 'or' or end of input at offset 7, found 'b'"
    );
    assert!(matches!(
        err(r#"a eq "x" "y""#),
        FilterError::Unexpected { offset: 9, .. }
    ));
    assert!(matches!(
        err("a pr and"),
        FilterError::Unexpected { offset: 8, .. }
    ));
    assert!(matches!(err("and"), FilterError::MissingOperator { .. }));
    assert!(matches!(
        err("()"),
        FilterError::Unexpected { offset: 1, .. }
    ));
    assert!(matches!(
        err(r#""x" eq 1"#),
        FilterError::Unexpected { offset: 0, .. }
    ));
}

#[test]
fn unbalanced_brackets_are_errors() {
    assert_eq!(
        err("(a pr"),
        FilterError::Unclosed {
            open: '(',
            open_offset: 0,
            offset: 5
        }
    );
    assert_eq!(err_msg("a pr)"), "')' at offset 4 closes nothing");
    assert_eq!(
        err("a pr]"),
        FilterError::Unmatched {
            close: ']',
            offset: 4
        }
    );
    assert!(matches!(
        err(r#"emails[type eq "w""#),
        FilterError::Unclosed { open: '[', .. }
    ));
    assert!(matches!(
        err(r#"emails[type eq "w")"#),
        FilterError::Unexpected { .. }
    ));
    assert!(matches!(
        err("(a pr]"),
        FilterError::Unexpected { offset: 5, .. }
    ));
    assert!(matches!(
        err("((a pr)"),
        FilterError::Unclosed { open_offset: 0, .. }
    ));
}

#[test]
fn not_requires_parentheses() {
    assert_eq!(
        err_msg("not a pr"),
        "expected '(' after 'not' at offset 4, found 'a'"
    );
    assert!(matches!(
        err("not"),
        FilterError::Unexpected { offset: 3, .. }
    ));
}

#[test]
fn attribute_names_are_validated() {
    for bad in [
        "1abc pr",
        "a.b.c pr",
        "a. pr",
        ".a pr",
        "a_b$ pr",
        "foo:bar pr",
        "é pr",
    ] {
        assert!(
            matches!(err(bad), FilterError::InvalidAttrPath { .. }),
            "{bad}"
        );
    }
    assert_eq!(ok("a-b_9 pr"), pr("a-b_9"));
    assert_eq!(ok("members.$ref pr"), pr("members.$ref"));
}
