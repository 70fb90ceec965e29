//! The bounds checked before parsing (length, nesting depth) and the parser's
//! own refusal of deep nesting, so no input overflows the stack.

use super::*;

#[test]
fn length_limit_is_exact() {
    let at_limit = format!("a eq \"{}\"", "x".repeat(MAX_FILTER_LEN - 7));
    assert_eq!(at_limit.len(), MAX_FILTER_LEN);
    assert!(parse_filter(&at_limit).is_ok());
    let over = format!("{at_limit} ");
    let expected = FilterError::TooLong {
        len: MAX_FILTER_LEN + 1,
        max: MAX_FILTER_LEN,
    };
    assert_eq!(parse_filter(&over), Err(expected.clone()));
    assert_eq!(parse_path(&over), Err(expected));
}

#[test]
fn depth_limit_is_exact() {
    let parens = |n: usize| format!("{}a pr{}", "(".repeat(n), ")".repeat(n));
    let nots = |n: usize| format!("{}a pr{}", "not (".repeat(n), ")".repeat(n));
    let too_deep = FilterError::TooDeep { max: MAX_DEPTH };
    assert!(parse_filter(&parens(MAX_DEPTH)).is_ok());
    assert!(parse_filter(&nots(MAX_DEPTH)).is_ok());
    assert_eq!(parse_filter(&parens(MAX_DEPTH + 1)), Err(too_deep.clone()));
    assert_eq!(parse_filter(&nots(MAX_DEPTH + 1)), Err(too_deep.clone()));
    let bracketed = format!(
        "{}e[a pr]{}",
        "(".repeat(MAX_DEPTH - 1),
        ")".repeat(MAX_DEPTH - 1)
    );
    assert!(parse_filter(&bracketed).is_ok());
    let over = format!("({bracketed})");
    assert_eq!(parse_filter(&over), Err(too_deep.clone()));
    // Unbalanced input counts too: the scan does not wait for closers.
    assert_eq!(parse_filter(&"(".repeat(MAX_DEPTH + 1)), Err(too_deep));
}

#[test]
fn depth_scan_skips_string_literals() {
    let quoted = format!("a eq \"{}\\\"{}\"", "(".repeat(100), "[".repeat(100));
    assert_eq!(
        ok(&quoted),
        eq("a", &format!("{}\"{}", "(".repeat(100), "[".repeat(100)))
    );
}

/// Runs the recursive parser without the up-front length and depth scan,
/// to prove that it refuses deep nesting on its own.
fn parse_unchecked(input: &str) -> Result<Filter, FilterError> {
    Parser::new(input, "filter")?.whole_filter()
}

#[test]
fn hundred_thousand_open_parentheses_are_refused() {
    let input = "(".repeat(100_000);
    assert!(matches!(
        parse_filter(&input),
        Err(FilterError::TooLong { .. })
    ));
    assert!(matches!(
        parse_path(&input),
        Err(FilterError::TooLong { .. })
    ));
    let too_deep = Err(FilterError::TooDeep { max: MAX_DEPTH });
    assert_eq!(parse_unchecked(&input), too_deep);
}

#[test]
fn ten_thousand_nested_nots_are_refused() {
    let input = format!("{}a pr{}", "not (".repeat(10_000), ")".repeat(10_000));
    assert!(matches!(
        parse_filter(&input),
        Err(FilterError::TooLong { .. })
    ));
    assert_eq!(
        parse_unchecked(&input),
        Err(FilterError::TooDeep { max: MAX_DEPTH })
    );
    let short = format!("{}a pr{}", "not(".repeat(800), ")".repeat(800));
    assert!(short.len() <= MAX_FILTER_LEN);
    assert_eq!(
        parse_filter(&short),
        Err(FilterError::TooDeep { max: MAX_DEPTH })
    );
}

#[test]
fn long_flat_chains_do_not_recurse() {
    let chain = vec!["a pr"; 800].join(" or ");
    let filter = parse_unchecked(&chain).unwrap();
    assert!(matches!(filter, Filter::Or(..)));
}

#[test]
fn error_excerpts_are_bounded() {
    let long = format!("{} pr", "é".repeat(500));
    let message = err_msg(&long);
    assert!(message.chars().count() < 300, "{message}");
}
