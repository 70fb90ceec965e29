//! The filter grammar: every RFC 7644 §3.4.2.2 example and what Entra ID and
//! Okta send parse to the expected trees; keywords in any case, precedence,
//! associativity, whitespace, decoded values, and value paths.

use super::*;

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
