//! Which attribute types a search needs rendered: those it selects or its
//! filter names (with their subtypes), so a search for `(uid=x)` returning
//! `cn` skips computing `memberOf` and the operational attributes.

use super::super::schema;
use super::super::select::Selection;
use ldap3_proto::proto::{LdapFilter, LdapSearchRequest};
use std::collections::HashSet;

/// The attribute types a search selects or filters on, with their subtypes,
/// or `None` when it needs all user attributes (`*`, no list, or a filter that
/// may look at any attribute).
pub(super) fn needed_types(req: &LdapSearchRequest) -> Option<HashSet<&'static str>> {
    let mut set = HashSet::new();
    let mut add = |name: &str| {
        if let Some(t) = schema::attribute(name.split(';').next().unwrap_or(name)) {
            set.insert(t.canonical());
            set.extend(super::super::entry::subtypes_of(t).map(|s| s.canonical()));
        }
    };
    if req.attrs.is_empty() {
        return None;
    }
    for a in &req.attrs {
        match a.trim() {
            "*" => return None,
            "+" | "1.1" => {}
            name => add(name),
        }
    }
    if !filter_types(&req.filter, &mut add) {
        return None;
    }
    Some(set)
}

/// Calls `add` with every attribute type a filter names; false when part of
/// it may look at any attribute (an extensible match without a type).
fn filter_types(filter: &LdapFilter, add: &mut dyn FnMut(&str)) -> bool {
    match filter {
        LdapFilter::And(v) | LdapFilter::Or(v) => v.iter().all(|f| filter_types(f, add)),
        LdapFilter::Not(f) => filter_types(f, add),
        LdapFilter::Equality(a, _)
        | LdapFilter::Substring(a, _)
        | LdapFilter::GreaterOrEqual(a, _)
        | LdapFilter::LessOrEqual(a, _)
        | LdapFilter::Present(a)
        | LdapFilter::Approx(a, _) => {
            add(a);
            true
        }
        LdapFilter::Extensible(m) => match &m.type_ {
            Some(a) => {
                add(a);
                true
            }
            None => false,
        },
    }
}

pub(super) fn wants(selection: &Selection, name: &str) -> bool {
    schema::attribute(name).is_some_and(|t| selection.wants(t))
}

/// Whether a filter names an attribute type that `pred` accepts (so
/// rendering must compute it). Extensible matches without a type may look at
/// any attribute, so they count too.
pub(super) fn mentions(filter: &LdapFilter, pred: &dyn Fn(&schema::AttributeType) -> bool) -> bool {
    let mut hit = false;
    let typed = filter_types(filter, &mut |a| {
        hit |= schema::attribute(a.split(';').next().unwrap_or(a)).is_some_and(pred);
    });
    hit || !typed
}
