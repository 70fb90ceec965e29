//! Paths: URN-qualified attribute paths split at the last colon, malformed
//! URNs, the RFC's PATCH paths, and the canonical Display of filters and
//! paths.

use super::*;

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

/// Numbers are read correctly rounded (serde_json's `float_roundtrip`): its
/// default reader lands one step off on some decimals, and the value shown
/// then read a different number back (found by the `scim_filter` fuzzer).
#[test]
fn numbers_read_exactly_and_round_trip() {
    let f = ok("a ge 555555555555555.5555");
    let Filter::Compare(_, _, CompValue::Num(n)) = &f else {
        panic!("{f:?}");
    };
    // The nearest double, 555555555555555.5625.
    assert_eq!(n.as_f64(), Some(555_555_555_555_555.56));
    assert_round_trip(&f);
}
