//! Tests of the SCIM filter and path parser: the RFC 7644 examples, vendor
//! shapes, limits, round trips through Display, and randomized no-panic checks.
use super::*;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

fn path(attr: &str) -> AttrPath {
    let (attr, sub_attr) = match attr.split_once('.') {
        Some((a, s)) => (a, Some(s.to_owned())),
        None => (attr, None),
    };
    AttrPath {
        urn: None,
        attr: attr.to_owned(),
        sub_attr,
    }
}

fn urn_path(urn: &str, attr: &str) -> AttrPath {
    AttrPath {
        urn: Some(urn.to_owned()),
        ..path(attr)
    }
}

fn cmp(attr: &str, op: CompareOp, value: CompValue) -> Filter {
    Filter::Compare(path(attr), op, value)
}

fn eq(attr: &str, value: &str) -> Filter {
    cmp(attr, CompareOp::Eq, s(value))
}

fn s(value: &str) -> CompValue {
    CompValue::Str(value.to_owned())
}

fn num(text: &str) -> CompValue {
    CompValue::Num(text.parse().unwrap())
}

fn pr(attr: &str) -> Filter {
    Filter::Present(path(attr))
}

fn and(l: Filter, r: Filter) -> Filter {
    Filter::And(Box::new(l), Box::new(r))
}

fn or(l: Filter, r: Filter) -> Filter {
    Filter::Or(Box::new(l), Box::new(r))
}

fn not(f: Filter) -> Filter {
    Filter::Not(Box::new(f))
}

fn vp(attr: &str, f: Filter) -> Filter {
    Filter::ValuePath {
        attr: path(attr),
        filter: Box::new(f),
    }
}

fn ok(input: &str) -> Filter {
    match parse_filter(input) {
        Ok(f) => f,
        Err(e) => panic!("{input:?} failed: {e}"),
    }
}

fn err(input: &str) -> FilterError {
    match parse_filter(input) {
        Ok(f) => panic!("{input:?} parsed as {f:?}"),
        Err(e) => e,
    }
}

fn err_msg(input: &str) -> String {
    err(input).to_string()
}

fn ok_path(input: &str) -> PatchPath {
    match parse_path(input) {
        Ok(p) => p,
        Err(e) => panic!("{input:?} failed: {e}"),
    }
}

fn assert_round_trip(f: &Filter) {
    let text = f.to_string();
    assert_eq!(
        parse_filter(&text).as_ref(),
        Ok(f),
        "round trip of {text:?}"
    );
}

/// RFC 7644 §3.4.2.2 (every example), plus what Entra ID and Okta send.
const CORPUS: &[&str] = &[
    r#"userName eq "bjensen""#,
    r#"name.familyName co "O'Malley""#,
    r#"userName sw "J""#,
    r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
    r#"title pr"#,
    r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified lt "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified le "2011-05-13T04:42:34Z""#,
    r#"title pr and userType eq "Employee""#,
    r#"title pr or userType eq "Intern""#,
    r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
    "userType eq \"Employee\" and (emails co \"example.com\" or\n  emails.value co \"example.org\")",
    "userType ne \"Employee\" and not (emails co \"example.com\" or\n  emails.value co \"example.org\")",
    r#"userType eq "Employee" and (emails.type eq "work")"#,
    "userType eq \"Employee\" and emails[type eq \"work\" and\n  value co \"@example.com\"]",
    "emails[type eq \"work\" and value co \"@example.com\"] or\n  ims[type eq \"xmpp\" and value co \"@foo.com\"]",
    // Microsoft Entra ID provisioning.
    r#"externalId eq "9a0cbb9f-6d4c-4d3b-b8f4-8b2cbd7f1a10""#,
    r#"userName eq "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081""#,
    r#"displayName eq "Group_7c7e3b34""#,
    r#"id eq "92b725fd" and members[value eq "b9a4c2b0"]"#,
    r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#,
    // Okta.
    r#"userName eq "a@b.c""#,
    r#"userName eq "isaac.brock@example.com""#,
    // Mixed-case operators.
    r#"userName Eq "john""#,
    r#"Username eq "john""#,
    r#"title PR AND userType EQ "Employee""#,
    r#"title Pr Or NOT (userType Ne "Intern")"#,
    r#"emails[type EQ "work" And value CO "@example.com"]"#,
    // Values, URNs and odd spacing.
    r#"members[$ref eq "https://example.com/v2/Users/1"]"#,
    r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d""#,
    r#"active eq true and x.y ne null or z gt -3.5e2"#,
    r#"loginCount ge 10 and score lt 0.5"#,
    r#"note eq "a\"b\\c\u00e9\n""#,
    "  ( a pr )\tand\n\tnot(b pr)  ",
    r#"a pr or (b pr or c pr)"#,
    r#"(a pr or b pr) and c pr"#,
    r#"not (not (a pr))"#,
];

#[test]
fn rfc_examples_parse_to_expected_trees() {
    let expected = [
        eq("userName", "bjensen"),
        cmp("name.familyName", CompareOp::Co, s("O'Malley")),
        cmp("userName", CompareOp::Sw, s("J")),
        Filter::Compare(urn_path(CORE_USER, "userName"), CompareOp::Sw, s("J")),
        pr("title"),
        cmp(
            "meta.lastModified",
            CompareOp::Gt,
            s("2011-05-13T04:42:34Z"),
        ),
        cmp(
            "meta.lastModified",
            CompareOp::Ge,
            s("2011-05-13T04:42:34Z"),
        ),
        cmp(
            "meta.lastModified",
            CompareOp::Lt,
            s("2011-05-13T04:42:34Z"),
        ),
        cmp(
            "meta.lastModified",
            CompareOp::Le,
            s("2011-05-13T04:42:34Z"),
        ),
        and(pr("title"), eq("userType", "Employee")),
        or(pr("title"), eq("userType", "Intern")),
        eq("schemas", ENTERPRISE),
        and(
            eq("userType", "Employee"),
            or(
                cmp("emails", CompareOp::Co, s("example.com")),
                cmp("emails.value", CompareOp::Co, s("example.org")),
            ),
        ),
        and(
            cmp("userType", CompareOp::Ne, s("Employee")),
            not(or(
                cmp("emails", CompareOp::Co, s("example.com")),
                cmp("emails.value", CompareOp::Co, s("example.org")),
            )),
        ),
        and(eq("userType", "Employee"), eq("emails.type", "work")),
        and(
            eq("userType", "Employee"),
            vp(
                "emails",
                and(
                    eq("type", "work"),
                    cmp("value", CompareOp::Co, s("@example.com")),
                ),
            ),
        ),
        or(
            vp(
                "emails",
                and(
                    eq("type", "work"),
                    cmp("value", CompareOp::Co, s("@example.com")),
                ),
            ),
            vp(
                "ims",
                and(
                    eq("type", "xmpp"),
                    cmp("value", CompareOp::Co, s("@foo.com")),
                ),
            ),
        ),
    ];
    for (input, want) in CORPUS.iter().zip(expected.iter()) {
        assert_eq!(&ok(input), want, "{input}");
    }
}

#[test]
fn whole_corpus_parses_and_round_trips_through_display() {
    for input in CORPUS {
        assert_round_trip(&ok(input));
    }
}

#[test]
fn identity_provider_filters_parse() {
    assert_eq!(
        ok(r#"externalId eq "9a0cbb9f-6d4c-4d3b-b8f4-8b2cbd7f1a10""#),
        eq("externalId", "9a0cbb9f-6d4c-4d3b-b8f4-8b2cbd7f1a10")
    );
    assert_eq!(ok(r#"userName eq "a@b.c""#), eq("userName", "a@b.c"));
    assert_eq!(
        ok(r#"id eq "92b725fd" and members[value eq "b9a4c2b0"]"#),
        and(eq("id", "92b725fd"), vp("members", eq("value", "b9a4c2b0")))
    );
}

#[test]
fn operators_and_keywords_ignore_case() {
    assert_eq!(ok(r#"userName EQ "x""#), eq("userName", "x"));
    assert_eq!(ok("a PR And b pR"), and(pr("a"), pr("b")));
    assert_eq!(ok("a pr OR b pr"), or(pr("a"), pr("b")));
    assert_eq!(ok("NOT (a pr)"), not(pr("a")));
    for (word, op) in [
        ("Ne", CompareOp::Ne),
        ("CO", CompareOp::Co),
        ("sW", CompareOp::Sw),
        ("EW", CompareOp::Ew),
        ("Gt", CompareOp::Gt),
        ("GE", CompareOp::Ge),
        ("lT", CompareOp::Lt),
        ("LE", CompareOp::Le),
    ] {
        assert_eq!(ok(&format!("a {word} 1")), cmp("a", op, num("1")));
    }
}

#[test]
fn not_binds_tighter_than_and_which_binds_tighter_than_or() {
    assert_eq!(
        ok("a pr or b pr and c pr"),
        or(pr("a"), and(pr("b"), pr("c")))
    );
    assert_eq!(
        ok("a pr and b pr or c pr"),
        or(and(pr("a"), pr("b")), pr("c"))
    );
    assert_eq!(ok("not (a pr) and b pr"), and(not(pr("a")), pr("b")));
    assert_eq!(
        ok("(a pr or b pr) and c pr"),
        and(or(pr("a"), pr("b")), pr("c"))
    );
}

#[test]
fn and_and_or_are_left_associative() {
    assert_eq!(
        ok("a pr or b pr or c pr"),
        or(or(pr("a"), pr("b")), pr("c"))
    );
    assert_eq!(
        ok("a pr and b pr and c pr"),
        and(and(pr("a"), pr("b")), pr("c"))
    );
}

#[test]
fn whitespace_is_lenient() {
    assert_eq!(ok("not(a pr)"), not(pr("a")));
    assert_eq!(ok("  a \t pr\r\n"), pr("a"));
    assert_eq!(ok("((a pr))and(b pr)"), and(pr("a"), pr("b")));
    assert_eq!(
        ok(r#"emails [ type eq "work" ]"#),
        vp("emails", eq("type", "work"))
    );
    assert_eq!(ok(r#"a eq"x""#), eq("a", "x"));
}

#[test]
fn values_are_decoded() {
    assert_eq!(ok(r#"a eq "a\"b""#), eq("a", "a\"b"));
    assert_eq!(ok(r#"a eq "\u00e9\t\/""#), eq("a", "é\t/"));
    assert_eq!(ok(r#"a eq "日本""#), eq("a", "日本"));
    assert_eq!(ok(r#"a eq "(((""#), eq("a", "((("));
    assert_eq!(ok("a eq -1"), cmp("a", CompareOp::Eq, num("-1")));
    assert_eq!(ok("a gt 3.5e2"), cmp("a", CompareOp::Gt, num("3.5e2")));
    assert_eq!(
        ok("a eq TRUE"),
        cmp("a", CompareOp::Eq, CompValue::Bool(true))
    );
    assert_eq!(
        ok("a eq False"),
        cmp("a", CompareOp::Eq, CompValue::Bool(false))
    );
    assert_eq!(ok("a ne NULL"), cmp("a", CompareOp::Ne, CompValue::Null));
}

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
fn value_paths() {
    assert_eq!(
        ok(r#"emails[type eq "work"]"#),
        vp("emails", eq("type", "work"))
    );
    assert_eq!(
        ok(r#"emails[not (type eq "work") or primary eq true]"#),
        vp(
            "emails",
            or(
                not(eq("type", "work")),
                cmp("primary", CompareOp::Eq, CompValue::Bool(true))
            )
        )
    );
    let nested = err(r#"a[b[c pr]]"#);
    assert_eq!(
        nested,
        FilterError::NestedValuePath {
            offset: 2,
            attr: "b".into()
        }
    );
    assert!(matches!(
        err(r#"a[(b[c pr])]"#),
        FilterError::NestedValuePath { .. }
    ));
    assert!(matches!(
        err(r#"emails[type eq "work"].value eq "x""#),
        FilterError::SubAttrAfterValueFilter { offset: 22, .. }
    ));
    assert!(matches!(
        err(r#"name.given[x pr]"#),
        FilterError::InvalidAttrPath { .. }
    ));
    assert!(matches!(
        err("emails[]"),
        FilterError::Unexpected { offset: 7, .. }
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

#[test]
fn urn_qualified_paths_split_at_the_last_colon() {
    let manager = ok(&format!("{ENTERPRISE}:manager.value eq \"x\""));
    assert_eq!(
        manager,
        Filter::Compare(urn_path(ENTERPRISE, "manager.value"), CompareOp::Eq, s("x"))
    );
    let given = ok(&format!("{CORE_USER}:name.givenName pr"));
    assert_eq!(
        given,
        Filter::Present(urn_path(CORE_USER, "name.givenName"))
    );
    let upper = ok("URN:IETF:params:scim:schemas:core:2.0:User:userName pr");
    assert_eq!(
        upper,
        Filter::Present(urn_path(
            "URN:IETF:params:scim:schemas:core:2.0:User",
            "userName"
        ))
    );
    let unversioned = ok("urn:acme:ext:costCenter eq \"1\"");
    assert_eq!(
        unversioned,
        Filter::Compare(
            urn_path("urn:acme:ext", "costCenter"),
            CompareOp::Eq,
            s("1")
        )
    );
    let in_brackets = ok(&format!("emails[{CORE_USER}:emails.type eq \"w\"]"));
    assert_eq!(
        in_brackets,
        vp(
            "emails",
            Filter::Compare(urn_path(CORE_USER, "emails.type"), CompareOp::Eq, s("w"))
        )
    );
}

#[test]
fn malformed_urns_are_errors() {
    let whole_schema = err_msg(&format!("{ENTERPRISE} eq \"x\""));
    assert!(
        whole_schema.contains("names a whole schema"),
        "{whole_schema}"
    );
    for bad in [
        "urn:foo:bar pr",
        "urn:a::b:c pr",
        "urn: pr",
        "urn:x:y: pr",
        "urn:x:y:a.b.c pr",
        "urn:x:é:a pr",
    ] {
        assert!(
            matches!(err(bad), FilterError::InvalidAttrPath { .. }),
            "{bad}"
        );
    }
}

#[test]
fn attr_path_is_ignores_case_and_checks_urn() {
    let plain = path("name.givenName");
    assert!(plain.is(CORE_USER, "NAME", Some("givenname")));
    assert!(plain.is("any:schema", "name", Some("givenName")));
    assert!(!plain.is(CORE_USER, "name", None));
    assert!(!plain.is(CORE_USER, "name", Some("familyName")));
    let manager = urn_path(ENTERPRISE, "manager");
    assert!(manager.is(&ENTERPRISE.to_uppercase(), "Manager", None));
    assert!(!manager.is(CORE_USER, "manager", None));
    assert!(!manager.is(ENTERPRISE, "manager", Some("value")));
}

#[test]
fn rfc_patch_paths() {
    assert_eq!(
        ok_path(r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#),
        PatchPath {
            attr: path("members"),
            filter: Some(eq("value", "2819c223-7f76-453a-919d-413861904646")),
            sub_attr: None,
        }
    );
    assert_eq!(
        ok_path(r#"emails[type eq "work" and value ew "example.com"]"#).filter,
        Some(and(
            eq("type", "work"),
            cmp("value", CompareOp::Ew, s("example.com"))
        ))
    );
    assert_eq!(
        ok_path(r#"addresses[type eq "work"].streetAddress"#),
        PatchPath {
            attr: path("addresses"),
            filter: Some(eq("type", "work")),
            sub_attr: Some("streetAddress".into()),
        }
    );
    for plain in ["members", "name.familyName", "name.givenName"] {
        assert_eq!(
            ok_path(plain),
            PatchPath {
                attr: path(plain),
                filter: None,
                sub_attr: None
            }
        );
    }
    assert_eq!(
        ok_path(r#"emails[type eq "work"] .value"#).sub_attr,
        Some("value".into())
    );
}

#[test]
fn urn_patch_paths() {
    assert_eq!(
        ok_path(&format!("{ENTERPRISE}:manager")).attr,
        urn_path(ENTERPRISE, "manager")
    );
    assert_eq!(
        ok_path(&format!("{ENTERPRISE}:manager.value")).attr,
        urn_path(ENTERPRISE, "manager.value")
    );
    assert_eq!(
        ok_path(&format!("{CORE_USER}:name.givenName")).attr,
        urn_path(CORE_USER, "name.givenName")
    );
    let custom = "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User";
    assert_eq!(
        ok_path(&format!("{custom}:CustomAttribute")).attr,
        urn_path(custom, "CustomAttribute")
    );
    let whole = ok_path(ENTERPRISE);
    assert!(whole.attr.is_schema_only());
    assert_eq!(
        whole.attr,
        AttrPath {
            urn: Some(ENTERPRISE.into()),
            attr: String::new(),
            sub_attr: None
        }
    );
    assert!(whole.attr.is(ENTERPRISE, "", None));
    assert_eq!(ok_path("urn:acme:scim:1.0:Ext").attr.attr, "");
    assert!(matches!(
        parse_path(&format!("{ENTERPRISE}[value pr]")),
        Err(FilterError::InvalidAttrPath { .. })
    ));
}

#[test]
fn patch_path_errors() {
    assert_eq!(parse_path(""), Err(FilterError::Empty { what: "path" }));
    let cases = [
        ("name.givenName x", 15),
        (r#"emails[type eq "work"].value.x"#, 22),
        (r#"emails[type eq "work"]value"#, 22),
        (r#"name.x[type eq "work"]"#, 0),
        (r#"emails[a[b pr]]"#, 7),
        ("(a pr)", 0),
        ("emails]", 6),
    ];
    for (input, offset) in cases {
        let message = match parse_path(input) {
            Ok(p) => panic!("{input:?} parsed as {p:?}"),
            Err(e) => e.to_string(),
        };
        assert!(
            message.contains(&format!("offset {offset}")),
            "{input}: {message}"
        );
    }
}

#[test]
fn patch_paths_round_trip_through_display() {
    for input in [
        r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#,
        r#"addresses[type eq "work"].streetAddress"#,
        "name.familyName",
        ENTERPRISE,
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
    ] {
        let parsed = ok_path(input);
        assert_eq!(ok_path(&parsed.to_string()), parsed, "{input}");
    }
}

#[test]
fn display_is_canonical() {
    assert_eq!(ok(r#"userName EQ "a""#).to_string(), r#"userName eq "a""#);
    assert_eq!(
        ok("((a pr) OR (b pr)) or c pr").to_string(),
        "a pr or b pr or c pr"
    );
    assert_eq!(
        ok("a pr or (b pr or c pr)").to_string(),
        "a pr or (b pr or c pr)"
    );
    assert_eq!(
        ok("(a pr or b pr) and c pr").to_string(),
        "(a pr or b pr) and c pr"
    );
    assert_eq!(
        ok("a pr and (b pr and c pr)").to_string(),
        "a pr and (b pr and c pr)"
    );
    assert_eq!(ok("not(a pr AND b pr)").to_string(), "not (a pr and b pr)");
    assert_eq!(ok("a eq \"\\u00e9\\\"\"").to_string(), "a eq \"é\\\"\"");
    assert_eq!(
        ok("a eq TRUE or b eq Null").to_string(),
        "a eq true or b eq null"
    );
}

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

/// xorshift64: deterministic, good enough to shake out panics.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'t>(&mut self, items: &[&'t str]) -> &'t str {
        items[self.below(items.len())]
    }
}

const ALPHABET: &[&str] = &[
    "a",
    "userName",
    "emails",
    "name.givenName",
    "$ref",
    "urn:ietf:params:scim:schemas:core:2.0:User:",
    "urn:x:2.0:User",
    ":",
    ".",
    ".value",
    "eq",
    "EQ",
    "ne",
    "co",
    "sw",
    "gt",
    "le",
    "pr",
    "Pr",
    "and",
    "AND",
    "or",
    "Or",
    "not",
    "NOT",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "\\",
    "\"x\"",
    "\"a\\\"b\"",
    "\"\\u00e9\"",
    "\"\\ud800\"",
    "'x'",
    "1",
    "-3.5e2",
    "01",
    "1e999",
    "true",
    "False",
    "null",
    " ",
    "  ",
    "\t",
    "\n",
    "é",
    "日本",
    "\u{0}",
    "\u{7f}",
    "\u{feff}",
    "𝄞",
];

fn random_tokens(rng: &mut Rng) -> String {
    let count = rng.below(24);
    let mut out = String::new();
    for _ in 0..count {
        out.push_str(rng.pick(ALPHABET));
        if rng.below(3) > 0 {
            out.push(' ');
        }
    }
    out
}

fn random_chars(rng: &mut Rng) -> String {
    let count = rng.below(40);
    (0..count)
        .map(|_| match rng.below(4) {
            0 => char::from(rng.below(128) as u8),
            1 => char::from(b"()[]\"\\.: "[rng.below(9)]),
            2 => char::from(rng.below(256) as u8),
            _ => char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}'),
        })
        .collect()
}

/// A valid filter with a few tokens inserted or characters deleted, to
/// probe the error paths next to valid syntax.
fn mutated_filter(rng: &mut Rng) -> String {
    let mut chars: Vec<char> = random_filter(rng, 4, false).to_string().chars().collect();
    for _ in 0..rng.below(3) {
        let at = rng.below(chars.len() + 1);
        if rng.below(2) == 0 {
            let end = (at + 1 + rng.below(3)).min(chars.len());
            chars.drain(at.min(end)..end);
        } else {
            chars.splice(at..at, rng.pick(ALPHABET).chars());
        }
    }
    chars.into_iter().collect()
}

fn check_no_panic_and_round_trip(input: &str) -> bool {
    if let Ok(patch) = parse_path(input) {
        assert_eq!(ok_path(&patch.to_string()), patch, "{input:?}");
    }
    match parse_filter(input) {
        Ok(filter) => {
            assert_round_trip(&filter);
            true
        }
        Err(_) => false,
    }
}

#[test]
fn random_input_never_panics() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut parsed = 0;
    for _ in 0..20_000 {
        parsed += usize::from(check_no_panic_and_round_trip(&random_tokens(&mut rng)));
        parsed += usize::from(check_no_panic_and_round_trip(&random_chars(&mut rng)));
        parsed += usize::from(check_no_panic_and_round_trip(&mutated_filter(&mut rng)));
    }
    assert!(
        parsed > 2_000,
        "the generators should hit valid filters too ({parsed})"
    );
}

fn random_filter(rng: &mut Rng, depth: usize, in_brackets: bool) -> Filter {
    const ATTRS: &[&str] = &["a", "userName", "name.familyName", "$ref", "x-y_1"];
    let leaf = depth == 0 || rng.below(3) == 0;
    let choice = if leaf { rng.below(3) } else { 3 + rng.below(4) };
    let attr = path(rng.pick(ATTRS));
    let sub = |rng: &mut Rng| Box::new(random_filter(rng, depth.saturating_sub(1), in_brackets));
    match choice {
        0 => Filter::Present(attr),
        1 => {
            let value = match rng.below(4) {
                0 => s(rng.pick(&["", "x\"y", "é\n\u{1}", "(["])),
                1 => num(rng.pick(&["0", "-7", "2.5", "1e300", "-0"])),
                2 => CompValue::Bool(rng.below(2) == 0),
                _ => CompValue::Null,
            };
            Filter::Compare(attr, CompareOp::ALL[rng.below(9)], value)
        }
        2 if !in_brackets && attr.sub_attr.is_none() => Filter::ValuePath {
            attr,
            filter: Box::new(random_filter(rng, depth.saturating_sub(1), true)),
        },
        2 => Filter::Present(attr),
        3 => Filter::And(sub(rng), sub(rng)),
        4 => Filter::Or(sub(rng), sub(rng)),
        _ => Filter::Not(sub(rng)),
    }
}

#[test]
fn random_trees_round_trip_through_display() {
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    for _ in 0..5_000 {
        let filter = random_filter(&mut rng, 6, false);
        assert_round_trip(&filter);
    }
}
