//! Renders the schema tables as the values of the `cn=Subschema` entry, in
//! the RFC 4512 §4.1 description formats and the term order slapd prints
//! (single spaces, `NAME ( 'a' 'b' )`, `MAY ( a $ b )`).
//!
//! Attribute types omit what they inherit from their SUP, as their
//! definitions in the schema files do (`cn` prints `SUP name` only).
//! `matchingRuleUse` lists, per rule, the attribute types whose EQUALITY,
//! ORDERING or SUBSTR is that rule: the pairs the code actually evaluates,
//! narrower than slapd's syntax-compatibility list.

use std::sync::OnceLock;

use super::dirgate::{DIRGATE_ATTRIBUTES, DIRGATE_CLASSES};
use super::matching::MatchingRule;
use super::syntax::{SYNTAXES, Syntax};
use super::{AttributeType, ObjectClass, Usage, attribute, attribute_types, object_classes};

/// The values of the subschema attributes, one description per value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubschemaValues {
    pub ldap_syntaxes: Vec<String>,
    pub matching_rules: Vec<String>,
    pub matching_rule_use: Vec<String>,
    pub attribute_types: Vec<String>,
    pub object_classes: Vec<String>,
}

impl SubschemaValues {
    /// The values of the subschema attribute named `name` (any alias or OID,
    /// any case), e.g. for serving `(objectClass=*)` with `attributeTypes`
    /// requested.
    pub fn get(&self, name: &str) -> Option<&[String]> {
        let values = match attribute(name)?.canonical() {
            "ldapSyntaxes" => &self.ldap_syntaxes,
            "matchingRules" => &self.matching_rules,
            "matchingRuleUse" => &self.matching_rule_use,
            "attributeTypes" => &self.attribute_types,
            "objectClasses" => &self.object_classes,
            _ => return None,
        };
        Some(values)
    }
}

/// The subschema entry's values, rendered once from the tables and then
/// cloned: the tables are static, so the text never changes at run time.
pub fn subschema_values() -> SubschemaValues {
    static RENDERED: OnceLock<SubschemaValues> = OnceLock::new();
    RENDERED
        .get_or_init(|| SubschemaValues {
            ldap_syntaxes: SYNTAXES.iter().map(syntax_description).collect(),
            matching_rules: MatchingRule::ALL
                .iter()
                .map(|r| rule_description(*r))
                .collect(),
            matching_rule_use: MatchingRule::ALL
                .iter()
                .filter_map(|r| rule_use_description(*r))
                .collect(),
            attribute_types: attribute_types().map(attribute_type_description).collect(),
            object_classes: object_classes().map(object_class_description).collect(),
        })
        .clone()
}

/// dirgate's own attribute types and object classes as an OpenLDAP schema
/// file (`include` it in slapd.conf), so that slapd takes an export that
/// carries them. Operational types are left out: slapd refuses user schema
/// that marks types NO-USER-MODIFICATION, and exports never hold them.
pub fn slapd_schema() -> String {
    let mut out = String::from(
        "# dirgate's own schema (printed by `dirgate schema`), for slapd to load\n\
         # LDIF exports that carry dirgate's attributes. Needs core.schema.\n\n",
    );
    for at in DIRGATE_ATTRIBUTES.iter().filter(|a| !a.is_operational()) {
        out.push_str(&format!(
            "attributetype {}\n\n",
            attribute_type_description(at)
        ));
    }
    for oc in DIRGATE_CLASSES {
        out.push_str(&format!("objectclass {}\n\n", object_class_description(oc)));
    }
    out
}

/// RFC 4512 §4.1.2 AttributeTypeDescription.
pub(super) fn attribute_type_description(at: &AttributeType) -> String {
    let parent = at.supertype();
    let inherited =
        |same: fn(&AttributeType, &AttributeType) -> bool| parent.is_some_and(|p| same(p, at));
    let mut out = format!("( {}", at.oid);
    push_names(&mut out, at.names);
    push_desc(&mut out, at.desc);
    if let Some(sup) = at.sup {
        push_term(&mut out, "SUP", sup);
    }
    let rules = [
        (
            "EQUALITY",
            at.equality,
            inherited(|p, a| p.equality == a.equality),
        ),
        (
            "ORDERING",
            at.ordering,
            inherited(|p, a| p.ordering == a.ordering),
        ),
        ("SUBSTR", at.substr, inherited(|p, a| p.substr == a.substr)),
    ];
    for (keyword, rule, is_inherited) in rules {
        if let (Some(rule), false) = (rule, is_inherited) {
            push_term(&mut out, keyword, rule.name());
        }
    }
    if !inherited(|p, a| p.syntax == a.syntax && p.syntax_len == a.syntax_len) {
        let len = at
            .syntax_len
            .map(|n| format!("{{{n}}}"))
            .unwrap_or_default();
        push_term(&mut out, "SYNTAX", &format!("{}{len}", at.syntax));
    }
    push_flag(&mut out, at.single_value, "SINGLE-VALUE");
    push_flag(&mut out, at.no_user_modification, "NO-USER-MODIFICATION");
    if at.usage != Usage::UserApplications {
        push_term(&mut out, "USAGE", at.usage.keyword());
    }
    out.push_str(" )");
    out
}

/// RFC 4512 §4.1.1 ObjectClassDescription; the kind is always printed.
pub(super) fn object_class_description(oc: &ObjectClass) -> String {
    let mut out = format!("( {}", oc.oid);
    push_names(&mut out, oc.names);
    push_desc(&mut out, oc.desc);
    push_oids(&mut out, "SUP", oc.sup);
    out.push(' ');
    out.push_str(oc.kind.keyword());
    push_oids(&mut out, "MUST", oc.must);
    push_oids(&mut out, "MAY", oc.may);
    out.push_str(" )");
    out
}

/// RFC 4512 §4.1.3 MatchingRuleDescription.
pub(super) fn rule_description(rule: MatchingRule) -> String {
    format!(
        "( {} NAME '{}' SYNTAX {} )",
        rule.oid(),
        rule.name(),
        rule.syntax()
    )
}

/// RFC 4512 §4.1.4 MatchingRuleUseDescription; None for rules no attribute
/// type uses and for certificateExactMatch, which always evaluates to
/// Undefined and so suits no extensible match.
pub(super) fn rule_use_description(rule: MatchingRule) -> Option<String> {
    if rule == MatchingRule::CertificateExact {
        return None; // declared for userCertificate, never evaluated
    }
    let uses = |at: &&AttributeType| [at.equality, at.ordering, at.substr].contains(&Some(rule));
    let applies: Vec<&str> = attribute_types()
        .filter(uses)
        .map(AttributeType::canonical)
        .collect();
    if applies.is_empty() {
        return None;
    }
    let mut out = format!("( {} NAME '{}'", rule.oid(), rule.name());
    push_oids(&mut out, "APPLIES", &applies);
    out.push_str(" )");
    Some(out)
}

/// RFC 4512 §4.1.5 SyntaxDescription, with slapd's X- extensions.
pub(super) fn syntax_description(syntax: &Syntax) -> String {
    let mut out = format!("( {}", syntax.oid);
    push_desc(&mut out, syntax.desc);
    push_flag(
        &mut out,
        syntax.binary_transfer,
        "X-BINARY-TRANSFER-REQUIRED 'TRUE'",
    );
    push_flag(&mut out, syntax.binary, "X-NOT-HUMAN-READABLE 'TRUE'");
    out.push_str(" )");
    out
}

fn push_term(out: &mut String, keyword: &str, value: &str) {
    out.push(' ');
    out.push_str(keyword);
    out.push(' ');
    out.push_str(value);
}

fn push_flag(out: &mut String, set: bool, keyword: &str) {
    if set {
        out.push(' ');
        out.push_str(keyword);
    }
}

/// `NAME 'a'` or `NAME ( 'a' 'b' )` (qdescrs).
fn push_names(out: &mut String, names: &[&str]) {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match quoted.as_slice() {
        [] => {}
        [one] => push_term(out, "NAME", one),
        many => push_term(out, "NAME", &format!("( {} )", many.join(" "))),
    }
}

/// `DESC '...'` (qdstring), omitted when empty.
fn push_desc(out: &mut String, desc: &str) {
    if !desc.is_empty() {
        push_term(out, "DESC", &format!("'{}'", escape_qdstring(desc)));
    }
}

/// `KEYWORD a` or `KEYWORD ( a $ b )` (oids), omitted when empty.
fn push_oids(out: &mut String, keyword: &str, oids: &[&str]) {
    match oids {
        [] => {}
        [one] => push_term(out, keyword, one),
        many => push_term(out, keyword, &format!("( {} )", many.join(" $ "))),
    }
}

/// RFC 4512 §4.1: `'` and `\` inside a qdstring are written `\27`, `\5C`.
fn escape_qdstring(text: &str) -> String {
    text.replace('\\', "\\5C").replace('\'', "\\27")
}
