//! Search filters: evaluation of an RFC 4511 §4.5.1.7 filter against one
//! [`Entry`] with three-valued logic (TRUE, FALSE, Undefined), using the
//! schema's matching rules the way slapd does; the query planner that
//! turns a filter into index probes lives in `planner` and is re-exported
//! here ([`plan`]).
//!
//! Filters arrive from the network, so nothing here may panic on them and
//! recursion is cut off at [`MAX_DEPTH`] nested filters (deeper components
//! evaluate to Undefined and plan as a scan). Evaluation runs once per
//! candidate entry: the common components (`(uid=x)`, `(objectClass=x)`
//! and their conjunctions) are evaluated without allocating.

use std::cmp::Ordering;

use ldap3_proto::proto::{LdapFilter, LdapMatchingRuleAssertion, LdapSubstringFilter};

use super::entry::{Description, Entry};
use super::schema::{self, AttributeType, MatchingRule};

/// Deepest filter nesting evaluated or planned; the top-level filter is
/// depth 1, as in ldap3_proto's string parser.
pub const MAX_DEPTH: usize = 64;

/// Active Directory's LDAP_MATCHING_RULE_IN_CHAIN: the assertion DN is
/// compared with every value reachable through nested groups.
pub const IN_CHAIN_RULE: &str = "1.2.840.113556.1.4.1941";

/// The result of evaluating a filter (RFC 4511 §4.5.1.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tri {
    True,
    False,
    Undefined,
}

impl Tri {
    fn negate(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Undefined => Tri::Undefined,
        }
    }
}

impl From<bool> for Tri {
    fn from(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }
}

/// Answers what an entry alone cannot: transitive values for the in-chain
/// matching rule.
pub trait Chain {
    /// All values of `attr` reachable from `entry` through nested groups
    /// (e.g. nested memberOf DNs, or for a group's `member`: every member
    /// DN reachable through nested groups).
    fn transitive(&self, entry: &Entry, attr: &AttributeType) -> Vec<String>;
}

/// A [`Chain`] without group nesting: the entry's direct values.
pub struct NoChain;

impl Chain for NoChain {
    fn transitive(&self, entry: &Entry, attr: &AttributeType) -> Vec<String> {
        entry.get_with_subtypes(attr).cloned().collect()
    }
}

/// Evaluates `filter` against `entry`.
pub fn evaluate(filter: &LdapFilter, entry: &Entry, chain: &dyn Chain) -> Tri {
    eval(filter, entry, chain, 1)
}

/// Whether the entry matches: only TRUE returns it (RFC 4511 §4.5.1).
pub fn matches(filter: &LdapFilter, entry: &Entry, chain: &dyn Chain) -> bool {
    evaluate(filter, entry, chain) == Tri::True
}

fn eval(filter: &LdapFilter, entry: &Entry, chain: &dyn Chain, depth: usize) -> Tri {
    if depth > MAX_DEPTH {
        return Tri::Undefined;
    }
    let sub = |f: &LdapFilter| eval(f, entry, chain, depth + 1);
    match filter {
        LdapFilter::And(filters) => all(filters.iter().map(sub)),
        LdapFilter::Or(filters) => any(filters.iter().map(sub)),
        LdapFilter::Not(inner) => sub(inner).negate(),
        LdapFilter::Equality(attr, value) => with_desc(attr, |d| equality(d, value, entry)),
        LdapFilter::Substring(attr, pieces) => with_desc(attr, |d| substrings(d, pieces, entry)),
        LdapFilter::GreaterOrEqual(attr, value) => {
            with_desc(attr, |d| ordering(d, value, entry, Ordering::is_ge))
        }
        LdapFilter::LessOrEqual(attr, value) => {
            with_desc(attr, |d| ordering(d, value, entry, Ordering::is_le))
        }
        LdapFilter::Approx(attr, value) => with_desc(attr, |d| approx(d, value, entry)),
        LdapFilter::Present(attr) => present(attr, entry),
        LdapFilter::Extensible(assertion) => extensible(assertion, entry, chain),
    }
}

/// AND: any FALSE is FALSE, else any Undefined is Undefined; `(&)` is TRUE
/// (RFC 4526). Stops at the first FALSE.
fn all(results: impl Iterator<Item = Tri>) -> Tri {
    let mut acc = Tri::True;
    for result in results {
        match result {
            Tri::False => return Tri::False,
            Tri::Undefined => acc = Tri::Undefined,
            Tri::True => {}
        }
    }
    acc
}

/// OR: any TRUE is TRUE, else any Undefined is Undefined; `(|)` is FALSE.
fn any(results: impl Iterator<Item = Tri>) -> Tri {
    let mut acc = Tri::False;
    for result in results {
        match result {
            Tri::True => return Tri::True,
            Tri::Undefined => acc = Tri::Undefined,
            Tri::False => {}
        }
    }
    acc
}

/// An unrecognized attribute type makes a value assertion Undefined.
fn with_desc(attr: &str, test: impl FnOnce(Description) -> Tri) -> Tri {
    Description::parse(attr).map_or(Tri::Undefined, test)
}

/// An assertion over an attribute's values: TRUE when some value matches,
/// else Undefined when some comparison was Undefined (an invalid stored
/// value), else FALSE. Without any value the outcome hinges on `valid`: an
/// assertion value the rule rejects (`(uidNumber=abc)`) is Undefined on
/// every entry, as in slapd, so `(!(uidNumber=abc))` matches nothing.
/// `valid` is only asked then, keeping the common path allocation-free.
fn over_values<'a>(
    values: impl Iterator<Item = &'a String>,
    valid: impl FnOnce() -> bool,
    mut test: impl FnMut(&str) -> Option<bool>,
) -> Tri {
    let (mut seen, mut undefined) = (false, false);
    for value in values {
        seen = true;
        match test(value) {
            Some(true) => return Tri::True,
            Some(false) => {}
            None => undefined = true,
        }
    }
    if undefined || (!seen && !valid()) {
        Tri::Undefined
    } else {
        Tri::False
    }
}

fn equality(d: Description, assertion: &str, entry: &Entry) -> Tri {
    if is_class_type(d.ty) {
        return class_match(assertion, entry, d);
    }
    let Some(rule) = d.ty.equality else {
        return Tri::Undefined;
    };
    let valid = || rule.normalize_assertion(assertion).is_some();
    over_values(entry.values(d), valid, |v| equal(rule, assertion, v))
}

/// Any valid value for every substrings rule: probing the pieces against
/// it tells whether they are valid when the entry has no value to try.
const SUBSTRING_PROBE: &str = "0";

fn substrings(d: Description, pieces: &LdapSubstringFilter, entry: &Entry) -> Tri {
    if d.ty.substr.is_none() {
        return Tri::Undefined;
    }
    let (initial, final_) = (pieces.initial.as_deref(), pieces.final_.as_deref());
    let test = |v: &str| schema::substrings(d.ty, initial, &pieces.any, final_, v);
    over_values(entry.values(d), || test(SUBSTRING_PROBE).is_some(), test)
}

fn ordering(d: Description, assertion: &str, entry: &Entry, accept: fn(Ordering) -> bool) -> Tri {
    let Some(rule) = d.ty.ordering else {
        return Tri::Undefined;
    };
    let valid = || rule.normalize_assertion(assertion).is_some();
    over_values(entry.values(d), valid, |v| {
        compare(rule, assertion, v).map(accept)
    })
}

/// Approximate match falls back to equality for rules that have no
/// approximate form; objectClass keeps its class semantics, as in slapd.
fn approx(d: Description, assertion: &str, entry: &Entry) -> Tri {
    if is_class_type(d.ty) {
        return class_match(assertion, entry, d);
    }
    if d.ty.equality.is_none() {
        return Tri::Undefined;
    }
    let valid = || schema::approx(d.ty, assertion, assertion).is_some();
    over_values(entry.values(d), valid, |v| {
        schema::approx(d.ty, assertion, v)
    })
}

/// Presence of an unrecognized type is FALSE, not Undefined (RFC 4511).
fn present(attr: &str, entry: &Entry) -> Tri {
    Description::parse(attr).map_or(Tri::False, |d| Tri::from(entry.values(d).next().is_some()))
}

/// objectClass and structuralObjectClass compare by class hierarchy, like
/// slapd's objectSubClassMatch: `(objectClass=person)` matches an entry
/// listing only inetOrgPerson. An unknown asserted class is FALSE when
/// given as an OID and Undefined when given as a name; an unknown stored
/// class is Undefined.
fn class_match(assertion: &str, entry: &Entry, d: Description) -> Tri {
    let assertion = assertion.trim_matches(' ');
    let Some(asserted) = schema::object_class(assertion) else {
        return if assertion.starts_with(|c: char| c.is_ascii_digit()) {
            Tri::False
        } else {
            Tri::Undefined
        };
    };
    // Entries usually list the asserted class itself: spotting it by name
    // first spares a schema lookup per value and a walk up the hierarchy.
    let named = |v: &String| {
        let v = v.trim_matches(' ');
        asserted.oid == v || asserted.names.iter().any(|n| n.eq_ignore_ascii_case(v))
    };
    if entry.values(d).any(named) {
        return Tri::True;
    }
    let test =
        |v: &str| schema::object_class(v.trim_matches(' ')).map(|c| c.is_subclass_of(asserted));
    over_values(entry.values(d), || true, test)
}

fn is_class_type(ty: &AttributeType) -> bool {
    const OBJECT_CLASS: &str = "2.5.4.0";
    const STRUCTURAL_OBJECT_CLASS: &str = "2.5.21.9";
    ty.oid == OBJECT_CLASS || ty.oid == STRUCTURAL_OBJECT_CLASS
}

/// Equality under `rule`, with an allocation-free path for the common
/// case; otherwise the schema normalizes both sides.
fn equal(rule: MatchingRule, assertion: &str, value: &str) -> Option<bool> {
    fast_equal(rule, assertion, value).or_else(|| rule.matches(assertion, value))
}

/// For printable ASCII without leading, trailing or doubled spaces the
/// schema's string preparation is the identity (plus ASCII lowercasing
/// for the caseIgnore rules), and i64 covers the usual integers; anything
/// else returns None and takes the general path.
fn fast_equal(rule: MatchingRule, assertion: &str, value: &str) -> Option<bool> {
    use MatchingRule as M;
    match rule {
        M::CaseIgnore | M::CaseIgnoreIa5 if plain(assertion) && plain(value) => {
            Some(assertion.eq_ignore_ascii_case(value))
        }
        M::CaseExact | M::CaseExactIa5 if plain(assertion) && plain(value) => {
            Some(assertion == value)
        }
        M::Integer => Some(small_int(assertion)? == small_int(value)?),
        _ => None,
    }
}

/// `value` relative to `assertion` under an ordering rule.
fn compare(rule: MatchingRule, assertion: &str, value: &str) -> Option<Ordering> {
    let fast = match rule {
        MatchingRule::IntegerOrdering => small_int(value)
            .zip(small_int(assertion))
            .map(|(v, a)| v.cmp(&a)),
        _ => None,
    };
    fast.or_else(|| rule.compare(assertion, value))
}

fn plain(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes.first() != Some(&b' ')
        && bytes.last() != Some(&b' ')
        && bytes.iter().all(|b| (0x20..0x7f).contains(b))
        && !text.contains("  ")
}

/// RFC 4517 Integer within i64; `+` is not part of the syntax (but Rust's
/// parser accepts it), leading zeros and `-0` are, as in the schema.
fn small_int(text: &str) -> Option<i64> {
    if text.starts_with('+') {
        return None;
    }
    text.parse().ok()
}

/// Extensible match (RFC 4511 §4.5.1.7.7): the rule is the given one or
/// the type's equality rule; with a type it applies to that type's values
/// (and must suit the type), without one to every attribute it suits; with
/// `dnAttributes` also to the AVAs of the entry's DN.
fn extensible(m: &LdapMatchingRuleAssertion, entry: &Entry, chain: &dyn Chain) -> Tri {
    let desc = match m.type_.as_deref() {
        Some(name) => match Description::parse(name) {
            Some(d) => Some(d),
            None => return Tri::Undefined,
        },
        None => None,
    };
    let rule = match m.matching_rule.as_deref() {
        Some(IN_CHAIN_RULE) => {
            return desc.map_or(Tri::Undefined, |d| {
                in_chain(d, &m.match_value, entry, chain)
            });
        }
        Some(name) => schema::matching_rule(name),
        None => desc.and_then(|d| d.ty.equality),
    };
    let Some(rule) = rule else {
        return Tri::Undefined;
    };
    let value = m.match_value.as_str();
    if rule.normalize_assertion(value).is_none() {
        return Tri::Undefined;
    }
    let in_attrs = match desc {
        Some(d) if m.matching_rule.is_none() => equality(d, value, entry),
        Some(d) if usable(rule, d.ty) => {
            over_values(entry.values(d), || true, |v| rule.matches(value, v))
        }
        Some(_) => Tri::Undefined,
        None => any_attribute(rule, value, entry),
    };
    if !m.dn_attributes || in_attrs == Tri::True {
        return in_attrs;
    }
    any([in_attrs, in_dn(rule, desc, value, entry)].into_iter())
}

/// A type-less extensible match: every attribute the rule suits.
fn any_attribute(rule: MatchingRule, value: &str, entry: &Entry) -> Tri {
    let attrs = entry.attrs.iter().filter(|attr| usable(rule, attr.ty));
    any(attrs.map(|attr| over_values(attr.values.iter(), || true, |v| rule.matches(value, v))))
}

/// The DN part of `dnAttributes`: AVAs of the requested type (or its
/// subtypes), or of any type the rule suits when no type was given.
fn in_dn(rule: MatchingRule, desc: Option<Description>, value: &str, entry: &Entry) -> Tri {
    let avas = entry.dn_avas();
    let relevant = avas
        .iter()
        .filter(|(ty, _)| match (schema::attribute(ty), desc) {
            (Some(at), Some(d)) => !d.tagged && at.is_subtype_of(d.ty),
            (Some(at), None) => usable(rule, at),
            (None, _) => false,
        });
    over_values(
        relevant.map(|(_, v)| v),
        || true,
        |v| rule.matches(value, v),
    )
}

/// LDAP_MATCHING_RULE_IN_CHAIN: the assertion is a DN compared with
/// distinguishedNameMatch to every value the chain reaches.
fn in_chain(d: Description, value: &str, entry: &Entry, chain: &dyn Chain) -> Tri {
    let rule = MatchingRule::DistinguishedName;
    let Some(asserted) = rule.normalize_assertion(value) else {
        return Tri::Undefined;
    };
    if d.tagged {
        return Tri::False;
    }
    let reachable = chain.transitive(entry, d.ty);
    over_values(
        reachable.iter(),
        || true,
        |v| rule.normalize(v).map(|n| n == asserted),
    )
}

/// Whether `rule` may be applied to values of `ty`, approximating RFC 4512
/// matchingRuleUse: one of the type's own rules, a rule whose assertion
/// syntax is the type's syntax, or a character-string rule on a type whose
/// equality compares character strings (so caseExactMatch works on uid
/// and mail alike).
fn usable(rule: MatchingRule, ty: &AttributeType) -> bool {
    use MatchingRule as M;
    let own = [ty.equality, ty.ordering, ty.substr].contains(&Some(rule));
    let string_rule = matches!(
        rule,
        M::CaseIgnore
            | M::CaseExact
            | M::CaseIgnoreOrdering
            | M::CaseExactOrdering
            | M::CaseIgnoreIa5
            | M::CaseExactIa5
            | M::OctetString
    );
    let string_type = matches!(
        ty.equality,
        Some(M::CaseIgnore | M::CaseExact | M::CaseIgnoreIa5 | M::CaseExactIa5)
    );
    own || rule.syntax() == ty.syntax || (string_rule && string_type)
}

mod planner;
pub use planner::{Plan, Probe, plan};

#[cfg(test)]
mod tests;
