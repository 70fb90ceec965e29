//! Filter evaluation and planning against a small sample directory. Filters
//! are mostly written as strings; ldap3_proto's parser needs quotes around
//! values with spaces or `=` and does not accept OIDs or options as
//! attribute descriptions, so those filters are built directly.

use ldap3_proto::parse_ldap_filter_str;
use ldap3_proto::proto::{LdapFilter, LdapMatchingRuleAssertion};

use super::*;

const ALICE: &str = "uid=alice,ou=Sales,ou=People,dc=example,dc=com";
const STAFF: &str = "cn=staff,ou=Groups,dc=example,dc=com";
const EVERYONE: &str = "cn=everyone,ou=Groups,dc=example,dc=com";

pub(super) fn f(text: &str) -> LdapFilter {
    parse_ldap_filter_str(text).unwrap_or_else(|e| panic!("bad test filter {text}: {e}"))
}

fn entry(dn: &str, attrs: &[(&str, &[&str])]) -> Entry {
    let mut e = Entry::new(dn);
    for (name, values) in attrs {
        e.push(name, values.iter().map(|v| v.to_string()).collect());
    }
    e
}

pub(super) fn alice() -> Entry {
    entry(
        ALICE,
        &[
            (
                "objectClass",
                &[
                    "top",
                    "person",
                    "organizationalPerson",
                    "inetOrgPerson",
                    "posixAccount",
                ],
            ),
            ("cn", &["Alice Smith"]),
            ("sn", &["Smith"]),
            ("givenName", &["Alice"]),
            ("uid", &["alice"]),
            ("mail", &["Alice@Example.com"]),
            ("uidNumber", &["10000"]),
            ("gidNumber", &["100"]),
            ("homeDirectory", &["/home/alice"]),
            ("createTimestamp", &["20240102030405Z"]),
            ("memberOf", &[STAFF]),
        ],
    )
}

/// Lists only the most specific class, as some clients write entries.
pub(super) fn bob() -> Entry {
    entry(
        "uid=bob,ou=Engineering,ou=People,dc=example,dc=com",
        &[
            ("objectClass", &["inetOrgPerson"]),
            ("cn", &["Bob Jones"]),
            ("sn", &["Jones"]),
            ("uid", &["bob"]),
            ("uidNumber", &["9999"]),
            ("createTimestamp", &["20230615120000Z"]),
        ],
    )
}

pub(super) fn carol() -> Entry {
    entry(
        "uid=carol,ou=People,dc=example,dc=com",
        &[
            ("objectClass", &["top", "person"]),
            ("cn", &["Carol"]),
            ("sn", &["Carol"]),
            ("uidNumber", &["100000"]),
        ],
    )
}

pub(super) fn staff() -> Entry {
    entry(
        STAFF,
        &[
            ("objectClass", &["top", "groupOfNames"]),
            ("cn", &["staff"]),
            ("member", &[ALICE, "cn=interns,ou=Groups,dc=example,dc=com"]),
        ],
    )
}

fn eval_on(filter: &LdapFilter, e: &Entry) -> Tri {
    evaluate(filter, e, &NoChain)
}

fn check(text: &str, e: &Entry, expected: Tri) {
    assert_eq!(eval_on(&f(text), e), expected, "{text} on {}", e.dn);
}

use Tri::{False as F, True as T, Undefined as U};

#[test]
fn equality_resolves_names_aliases_oids_and_case() {
    let a = alice();
    for text in [
        "(uid=alice)",
        "(uid=ALICE)",
        "(UID=alice)",
        "(userid=alice)",
        "(CN=\"alice smith\")",
        "(commonName=\"alice smith\")",
        "(cn=\"  Alice   Smith \")",
        "(mail=alice@example.COM)",
        "(uidNumber=010000)",
        "(memberOf=\"CN=Staff, OU=Groups,dc=example,dc=com\")",
    ] {
        check(text, &a, T);
    }
    let by_oid = LdapFilter::Equality("2.5.4.3".into(), "Alice Smith".into());
    assert_eq!(eval_on(&by_oid, &a), T);
    check("(uid=bob)", &a, F);
    check("(uid=alic)", &a, F);
    check("(uidNumber=1000)", &a, F);
    check("(uid=alice)", &staff(), F);
}

#[test]
fn substrings_initial_any_final() {
    let a = alice();
    for text in [
        "(CN=Alice*)",
        "(cn=*smith)",
        "(cn=*ice*mi*)",
        "(cn=A*e*h)",
        "(mail=*@example.com)",
        "(name=*mit*)",
    ] {
        check(text, &a, T);
    }
    check("(cn=*x*)", &a, F);
    check("(cn=Smith*)", &a, F);
    // Pieces may not overlap: "ice" occurs only inside "Alice".
    check("(cn=Alice*ice*)", &a, F);
    check("(cn=*ice*Alice*)", &a, F);
    // No substrings rule for integers or DNs.
    check("(uidNumber=1*)", &a, U);
    check("(memberOf=\"cn=*\")", &a, U);
    // Non-ASCII pieces are invalid for an IA5 rule, even without values.
    check("(mail=*é*)", &a, U);
    check("(mail=*é*)", &staff(), U);
    check("(mail=*x*)", &staff(), F);
}

#[test]
fn integer_ordering_is_numeric() {
    let (a, b, c) = (alice(), bob(), carol());
    check("(uidNumber>=10000)", &b, F);
    check("(uidNumber>=10000)", &a, T);
    check("(uidNumber>=10000)", &c, T);
    check("(uidNumber<=9999)", &b, T);
    check("(uidNumber<=9999)", &a, F);
    check("(uidNumber<=99999999999999999999999)", &c, T);
    check("(uidNumber>=-5)", &b, T);
    check("(uidNumber>=abc)", &a, U);
    check("(uidNumber>=10000)", &staff(), F);
    // cn has no ordering rule in OpenLDAP's schema.
    check("(cn>=a)", &a, U);
}

#[test]
fn generalized_time_ordering_and_equality() {
    let (a, b) = (alice(), bob());
    check("(createTimestamp>=20240101000000Z)", &a, T);
    check("(createTimestamp>=20240101000000Z)", &b, F);
    check("(createTimestamp<=20240101000000Z)", &b, T);
    check("(createTimestamp>=202401020304Z)", &a, T);
    check("(createTimestamp=20240102040405+0100)", &a, T);
    check("(createTimestamp=20240102030405.0Z)", &a, T);
    check("(createTimestamp>=yesterday)", &a, U);
}

#[test]
fn approximate_match() {
    let a = alice();
    check("(cn~=\"alice  smith\")", &a, T);
    check("(cn~=alicesmith)", &a, T);
    check("(sn~=smyth)", &a, F);
    check("(uidNumber~=10000)", &a, T);
    check("(objectClass~=person)", &bob(), T);
}

#[test]
fn presence() {
    let (a, g) = (alice(), staff());
    check("(mail=*)", &a, T);
    check("(telephoneNumber=*)", &a, F);
    check("(name=*)", &a, T);
    check("(objectClass=*)", &g, T);
    check("(unknownAttr=*)", &a, F);
    check("(!(unknownAttr=*))", &a, T);
    check("(member=*)", &g, T);
    check("(distinguishedName=*)", &g, T);
}

#[test]
fn unknown_attribute_is_undefined_and_propagates() {
    let a = alice();
    check("(unknownAttr=x)", &a, U);
    check("(!(unknownAttr=x))", &a, U);
    check("(|(unknownAttr=x)(uid=alice))", &a, T);
    check("(|(unknownAttr=x)(uid=bob))", &a, U);
    check("(&(unknownAttr=x)(uid=alice))", &a, U);
    check("(&(unknownAttr=x)(uid=bob))", &a, F);
    check("(!(&(unknownAttr=x)(uid=bob)))", &a, T);
    assert!(!matches(&f("(!(unknownAttr=x))"), &a, &NoChain));
}

#[test]
fn invalid_assertion_values_are_undefined_everywhere() {
    for e in [alice(), staff()] {
        check("(uidNumber=abc)", &e, U);
        check("(!(uidNumber=abc))", &e, U);
        assert!(!matches(&f("(!(uidNumber=abc))"), &e, &NoChain));
        check("(memberOf=notadn)", &e, U);
        check("(uid=\"\")", &e, U);
    }
}

#[test]
fn boolean_connectives_follow_rfc_4511() {
    let a = alice();
    check("(&(objectClass=inetOrgPerson)(uid=alice))", &a, T);
    check("(&(objectClass=inetOrgPerson)(uid=bob))", &a, F);
    check("(|(uid=bob)(uid=alice))", &a, T);
    check("(!(uid=bob))", &a, T);
    check("(!(!(uid=alice)))", &a, T);
    assert_eq!(eval_on(&LdapFilter::And(vec![]), &a), T);
    assert_eq!(eval_on(&LdapFilter::Or(vec![]), &a), F);
}

#[test]
fn object_class_matches_superclasses() {
    let (a, b, g) = (alice(), bob(), staff());
    for e in [&a, &b, &g] {
        check("(objectClass=top)", e, T);
    }
    check("(objectClass=person)", &b, T);
    check("(objectClass=organizationalPerson)", &b, T);
    check("(objectClass=PERSON)", &b, T);
    check("(objectClass=2.5.6.6)", &b, T);
    check("(objectClass=posixAccount)", &b, F);
    check("(objectClass=groupOfNames)", &a, F);
    check("(objectClass=inetOrgPerson)", &carol(), F);
    // Unknown classes: by name Undefined, by OID FALSE (slapd).
    check("(objectClass=noSuchClass)", &a, U);
    check("(!(objectClass=noSuchClass))", &a, U);
    let by_oid = LdapFilter::Equality("objectClass".into(), "1.2.3.4".into());
    assert_eq!(eval_on(&by_oid, &a), F);
}

#[test]
fn supertypes_match_subtype_values() {
    let a = alice();
    check("(name=\"alice smith\")", &a, T);
    check("(name=smith)", &a, T);
    check("(name=alice)", &a, T);
    check("(name=nobody)", &a, F);
    check(
        "(distinguishedName=\"cn=interns,ou=Groups,dc=example,dc=com\")",
        &staff(),
        T,
    );
}

#[test]
fn attribute_options() {
    let a = alice();
    let eq = |attr: &str| LdapFilter::Equality(attr.into(), "Alice Smith".into());
    assert_eq!(eval_on(&eq("cn;lang-en"), &a), F);
    // slapd knows no `cn;binary`: it names no values.
    assert_eq!(eval_on(&eq("cn;binary"), &a), F);
    assert_eq!(eval_on(&LdapFilter::Present("cn;lang-en".into()), &a), F);
}

fn ext(attr: Option<&str>, rule: Option<&str>, value: &str, dn: bool) -> LdapFilter {
    LdapFilter::Extensible(LdapMatchingRuleAssertion {
        matching_rule: rule.map(str::to_owned),
        type_: attr.map(str::to_owned),
        match_value: value.to_owned(),
        dn_attributes: dn,
    })
}

#[test]
fn extensible_with_rules() {
    let a = alice();
    check("(cn:caseExactMatch:=\"Alice Smith\")", &a, T);
    check("(cn:caseExactMatch:=\"alice smith\")", &a, F);
    check("(cn:caseIgnoreMatch:=\"alice smith\")", &a, T);
    check("(cn:2.5.13.5:=\"Alice Smith\")", &a, T);
    check("(uid:=ALICE)", &a, T);
    check("(mail:caseExactIA5Match:=Alice@Example.com)", &a, T);
    check("(mail:caseExactIA5Match:=alice@example.com)", &a, F);
    check("(uidNumber:integerMatch:=10000)", &a, T);
    check(
        "(memberOf:distinguishedNameMatch:=\"CN=STAFF,ou=groups,dc=example,dc=com\")",
        &a,
        T,
    );
    check("(uid:octetStringMatch:=alice)", &a, T);
    check("(uid:octetStringMatch:=Alice)", &a, F);
    // Rule unsuitable for the type, unknown rule, invalid assertion.
    check("(uidNumber:caseIgnoreMatch:=10000)", &a, U);
    check("(cn:noSuchMatch:=x)", &a, U);
    check("(cn:1.2.840.113556.1.4.803:=2)", &a, U);
    check("(uidNumber:integerMatch:=ten)", &a, U);
    check("(nosuch:caseIgnoreMatch:=x)", &a, U);
    assert_eq!(eval_on(&ext(None, None, "x", false), &a), U);
}

#[test]
fn extensible_without_type_tries_every_suitable_attribute() {
    let a = alice();
    check("(:caseExactMatch:=Smith)", &a, T);
    check("(:caseExactMatch:=smith)", &a, F);
    check("(:caseIgnoreMatch:=SMITH)", &a, T);
    check("(:caseIgnoreIA5Match:=alice@example.com)", &a, T);
    check("(:integerMatch:=100)", &a, T);
    check("(:integerMatch:=101)", &a, F);
    check(
        "(:distinguishedNameMatch:=\"cn=staff,ou=groups,dc=example,dc=com\")",
        &a,
        T,
    );
}

#[test]
fn extensible_dn_attributes() {
    let (a, b) = (alice(), bob());
    check("(ou:dn:=Sales)", &a, T);
    check("(ou:dn:=sales)", &a, T);
    check("(ou:dn:=Sales)", &b, F);
    check("(ou:=Sales)", &a, F);
    check("(ou:dn:caseExactMatch:=sales)", &a, F);
    check("(ou:dn:caseExactMatch:=Sales)", &a, T);
    check("(name:dn:=People)", &a, T);
    check("(dc:dn:=EXAMPLE)", &b, T);
    check("(:dn:caseIgnoreMatch:=engineering)", &b, T);
    check("(:dn:caseIgnoreMatch:=engineering)", &a, F);
    // The attribute values still count.
    check("(uid:dn:=alice)", &a, T);
    check("(cn:dn:=\"Alice Smith\")", &a, T);
}

/// Group nesting for the in-chain tests: (group, enclosing group).
struct Nesting(&'static [(&'static str, &'static str)]);

impl Chain for Nesting {
    fn transitive(&self, entry: &Entry, attr: &AttributeType) -> Vec<String> {
        let mut reached: Vec<String> = entry.get_with_subtypes(attr).cloned().collect();
        let mut i = 0;
        while let Some(current) = reached.get(i).cloned() {
            for (group, parent) in self.0 {
                if current == *group && !reached.iter().any(|r| r == parent) {
                    reached.push(parent.to_string());
                }
            }
            i += 1;
        }
        reached
    }
}

#[test]
fn in_chain_uses_the_chain() {
    let a = alice();
    let chain = Nesting(&[(STAFF, EVERYONE)]);
    let in_chain = |value: &str| ext(Some("memberOf"), Some(IN_CHAIN_RULE), value, false);
    assert_eq!(evaluate(&in_chain(EVERYONE), &a, &chain), T);
    assert_eq!(evaluate(&in_chain(EVERYONE), &a, &NoChain), F);
    assert_eq!(evaluate(&in_chain(STAFF), &a, &NoChain), T);
    let shouted = "CN=Everyone, OU=Groups, DC=example, DC=com";
    assert_eq!(evaluate(&in_chain(shouted), &a, &chain), T);
    assert_eq!(evaluate(&in_chain("not a dn"), &a, &chain), U);
    assert_eq!(evaluate(&in_chain(EVERYONE), &bob(), &chain), F);
    let typeless = ext(None, Some(IN_CHAIN_RULE), EVERYONE, false);
    assert_eq!(evaluate(&typeless, &a, &chain), U);
    let parsed =
        f("(memberOf:1.2.840.113556.1.4.1941:=\"cn=everyone,ou=Groups,dc=example,dc=com\")");
    assert!(matches(&parsed, &a, &chain));
}

fn nested_nots(levels: usize, leaf: LdapFilter) -> LdapFilter {
    (0..levels).fold(leaf, |inner, _| LdapFilter::Not(Box::new(inner)))
}

#[test]
fn depth_guard() {
    let a = alice();
    let leaf = || f("(uid=alice)");
    // 64 levels (63 NOTs around the leaf) are evaluated, 65 are not.
    assert_eq!(eval_on(&nested_nots(62, leaf()), &a), T);
    assert_eq!(eval_on(&nested_nots(63, leaf()), &a), F);
    assert_eq!(eval_on(&nested_nots(64, leaf()), &a), U);
    assert_eq!(eval_on(&nested_nots(1000, leaf()), &a), U);
    let deep_and = (0..1000).fold(leaf(), |inner, _| LdapFilter::And(vec![inner]));
    assert_eq!(eval_on(&deep_and, &a), U);
    assert_eq!(plan(&deep_and, &|_| true), Plan::Scan);
}
