//! Attribute selection and server-side sorting on sample entries.

use super::*;

fn entry(dn: &str, attrs: &[(&str, &[&str])]) -> Entry {
    let mut e = Entry::new(dn);
    for (name, values) in attrs {
        e.push(name, values.iter().map(|v| v.to_string()).collect());
    }
    e
}

fn alice() -> Entry {
    entry(
        "uid=alice,ou=People,dc=example,dc=com",
        &[
            ("objectClass", &["top", "person", "inetOrgPerson"]),
            ("cn", &["Alice Smith"]),
            ("sn", &["Smith"]),
            ("uid", &["alice"]),
            ("createTimestamp", &["20240102030405Z"]),
            ("mail", &["alice@example.com"]),
            ("memberOf", &["cn=staff,dc=example,dc=com"]),
        ],
    )
}

fn req(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

/// The names `select` returns.
fn names(requested: &[&str]) -> Vec<String> {
    select(&alice(), &req(requested), false)
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

#[test]
fn wildcards() {
    let user = ["objectClass", "cn", "sn", "uid", "mail"];
    assert_eq!(names(&[]), user);
    assert_eq!(names(&["*"]), user);
    assert_eq!(names(&["+"]), ["createTimestamp", "memberOf"]);
    assert_eq!(
        names(&["*", "+"]),
        [
            "objectClass",
            "cn",
            "sn",
            "uid",
            "createTimestamp",
            "mail",
            "memberOf"
        ]
    );
    assert_eq!(
        names(&["*", "memberOf"]),
        ["objectClass", "cn", "sn", "uid", "mail", "memberOf"]
    );
}

#[test]
fn no_attributes() {
    assert!(names(&["1.1"]).is_empty());
    assert_eq!(names(&["1.1", "uid"]), ["uid"]);
    assert_eq!(names(&["1.1", "+"]), ["createTimestamp", "memberOf"]);
}

#[test]
fn names_aliases_oids_and_subtypes() {
    assert_eq!(names(&["commonName"]), ["cn"]);
    assert_eq!(names(&["CN", "cn", "2.5.4.3"]), ["cn"]);
    assert_eq!(names(&["OBJECTCLASS"]), ["objectClass"]);
    assert_eq!(names(&["rfc822Mailbox", "userid"]), ["uid", "mail"]);
    assert_eq!(names(&["name"]), ["cn", "sn"]);
    assert_eq!(names(&["createtimestamp"]), ["createTimestamp"]);
    assert!(names(&["noSuchAttr"]).is_empty());
    assert_eq!(names(&["noSuchAttr", "sn"]), ["sn"]);
    assert!(names(&["cn;lang-en"]).is_empty());
    // `;binary` names certificates only (slapd does not know `cn;binary`).
    assert!(names(&["cn;binary"]).is_empty());
    let certificate = schema::attribute("userCertificate").unwrap();
    for asked in [
        "userCertificate;binary",
        "usercertificate",
        "2.5.4.36;BINARY",
    ] {
        assert!(
            Selection::parse(&req(&[asked])).wants(certificate),
            "{asked}"
        );
    }
}

#[test]
fn values_and_types_only() {
    let e = alice();
    let full = select(&e, &req(&["cn", "mail"]), false);
    assert_eq!(
        full,
        [
            ("cn".to_string(), vec!["Alice Smith".to_string()]),
            ("mail".to_string(), vec!["alice@example.com".to_string()]),
        ]
    );
    let bare = select(&e, &req(&["cn", "mail"]), true);
    assert_eq!(
        bare,
        [("cn".to_string(), vec![]), ("mail".to_string(), vec![])]
    );
}

#[test]
fn hand_built_duplicates_are_merged() {
    let mut e = alice();
    e.attrs.push(e.attrs[1].clone());
    let cn = select(&e, &req(&["cn"]), false);
    assert_eq!(cn.len(), 1);
    assert_eq!(cn[0].1.len(), 2);
}

#[test]
fn selection_predicates() {
    let s = Selection::parse(&req(&["*", "memberOf"]));
    let at = |n: &str| schema::attribute(n).unwrap();
    assert!(s.wants(at("cn")) && s.wants(at("memberOf")));
    assert!(!s.wants(at("createTimestamp")));
    assert!(s.wants_operational(at("memberOf")));
    assert!(!s.wants_operational(at("cn")));
    assert!(!s.wants_operational(at("entryUUID")));
    assert!(Selection::parse(&req(&["+"])).wants_operational(at("entryUUID")));
    assert!(!Selection::parse(&req(&["1.1"])).wants(at("cn")));
}

fn person(uid: &str, attrs: &[(&str, &[&str])]) -> Entry {
    let mut e = entry(&format!("uid={uid},dc=example,dc=com"), attrs);
    e.push("uid", vec![uid.to_string()]);
    e
}

fn people() -> Vec<Entry> {
    vec![
        person("a", &[("sn", &["Young"]), ("uidNumber", &["100"])]),
        person("b", &[("sn", &["adams"]), ("uidNumber", &["9"])]),
        person("c", &[("sn", &["Young"]), ("uidNumber", &["20"])]),
        person("d", &[("uidNumber", &["1000"])]),
        person("e", &[("sn", &["Baker", "Zed"])]),
    ]
}

fn key(attr: &str, rule: Option<&str>, reverse: bool) -> SortKey {
    SortKey {
        attr: attr.to_string(),
        ordering_rule: rule.map(str::to_string),
        reverse,
    }
}

fn sorted(keys: &[SortKey]) -> Vec<String> {
    let mut entries = people();
    sort_entries(&mut entries, keys).unwrap();
    entries
        .iter()
        .map(|e| e.get(schema::attribute("uid").unwrap()).unwrap()[0].clone())
        .collect()
}

const CASE_IGNORE_ORDERING: Option<&str> = Some("caseIgnoreOrderingMatch");

#[test]
fn integer_ordering_is_numeric_and_missing_counts_as_largest() {
    assert_eq!(
        sorted(&[key("uidNumber", None, false)]),
        ["b", "c", "a", "d", "e"]
    );
    // RFC 2891 §1.1: no value is larger than every value, so it leads when reversed.
    assert_eq!(
        sorted(&[key("uidNumber", None, true)]),
        ["e", "d", "a", "c", "b"]
    );
    // A string rule orders the same values as text.
    assert_eq!(
        sorted(&[key("uidNumber", CASE_IGNORE_ORDERING, false)]),
        ["a", "d", "c", "b", "e"]
    );
}

#[test]
fn several_keys_and_multi_valued_attributes() {
    let by_sn = key("surname", CASE_IGNORE_ORDERING, false);
    // e sorts by "Baker" ascending; equal "Young"s fall to uidNumber.
    assert_eq!(
        sorted(&[by_sn.clone(), key("uidNumber", None, false)]),
        ["b", "e", "c", "a", "d"]
    );
    // Reversed, e sorts by "Zed"; d has no sn, the largest, so it leads.
    let by_sn_desc = key("sn", Some("2.5.13.3"), true);
    assert_eq!(
        sorted(&[by_sn_desc, key("uidNumber", None, true)]),
        ["d", "e", "a", "c", "b"]
    );
    // Equal keys keep their order.
    assert_eq!(sorted(&[by_sn]), ["b", "e", "a", "c", "d"]);
    assert_eq!(sorted(&[]), ["a", "b", "c", "d", "e"]);
}

#[test]
fn case_exact_ordering() {
    let exact = key("sn", Some("caseExactOrderingMatch"), false);
    assert_eq!(sorted(&[exact]), ["e", "a", "c", "b", "d"]);
}

#[test]
fn sort_errors() {
    let mut entries = people();
    let err = |k: SortKey| sort_entries(&mut people(), &[k]).unwrap_err();
    let unknown = err(key("noSuchAttr", None, false));
    assert_eq!(unknown, SortError::UnknownAttribute("noSuchAttr".into()));
    assert_eq!(unknown.result_code(), 16);
    // cn has no ORDERING in OpenLDAP's schema (slapd refuses the sort); we
    // order by its equality rule instead. Only a type with neither is refused.
    assert!(sort_entries(&mut people(), &[key("cn", None, false)]).is_ok());
    let no_rule = err(key("jpegPhoto", None, false));
    assert_eq!(no_rule, SortError::NoOrderingRule("jpegPhoto".into()));
    assert_eq!(no_rule.result_code(), 18);
    let bad_rule = err(key("cn", Some("noSuchMatch"), false));
    assert_eq!(bad_rule, SortError::UnknownRule("noSuchMatch".into()));
    assert_eq!(bad_rule.result_code(), 18);
    // A bad later key leaves the entries untouched.
    let keys = [key("uidNumber", None, true), key("nope", None, false)];
    assert!(sort_entries(&mut entries, &keys).is_err());
    assert_eq!(entries, people());
}
