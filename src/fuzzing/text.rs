//! The fuzz targets for text parsers that need no directory: LDAP DNs and
//! SCIM filters and PATCH paths. Beyond "no panic", each checks the property
//! its module promises: what is displayed parses back to the same value.
//! A failed check panics, which is how a fuzzer reports it.

use super::world::world;
use crate::ldap::dn::{Dn, MAX_DN_LEN};
use crate::scim::eval::{Target, matches};
use crate::scim::filter::{MAX_FILTER_LEN, parse_filter, parse_path};
use crate::scim::schema::USER;

/// A DN string: parsed; a DN that parses is displayed and normalized, and
/// both forms must parse back to the same entry name (the tree looks entries
/// up by the normalized form, and clients get the displayed one back).
pub fn ldap_dn(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(dn) = Dn::parse(text) else {
        return;
    };
    let shown = dn.to_string();
    if shown.len() <= MAX_DN_LEN {
        match Dn::parse(&shown) {
            Ok(again) => {
                assert_eq!(again, dn, "{text:?} displayed as {shown:?}");
                assert_eq!(again.to_string(), shown, "{text:?}");
            }
            Err(e) => panic!("{text:?} displayed as {shown:?}, which does not parse: {e}"),
        }
    }
    let norm = dn.normalized();
    if norm.len() <= MAX_DN_LEN {
        match Dn::parse(&norm) {
            Ok(again) => assert_eq!(again.normalized(), norm, "{text:?}"),
            Err(e) => panic!("{text:?} normalized as {norm:?}, which does not parse: {e}"),
        }
    }
    check_ancestry(&dn);
}

/// Every parent is an ancestor, and the RDNs between them lead back down.
fn check_ancestry(dn: &Dn) {
    let mut up = dn.parent();
    while let Some(parent) = up {
        assert!(dn.is_descendant_of(&parent), "{dn:?} under {parent:?}");
        let below = dn.relative_to(&parent).map_or(0, <[_]>::len);
        assert_eq!(below + parent.len(), dn.len(), "{dn:?} under {parent:?}");
        up = parent.parent();
    }
}

/// A SCIM filter (as the `filter` query parameter, URL-decoded) and the same
/// text as a PATCH path. What parses is displayed and must parse back equal;
/// a filter is then evaluated against a real user resource.
pub fn scim_filter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(filter) = parse_filter(text) {
        let shown = filter.to_string();
        if shown.len() <= MAX_FILTER_LEN {
            assert_eq!(parse_filter(&shown), Ok(filter.clone()), "{text:?}");
        }
        if let Some(obj) = world().user_doc.as_object() {
            let _ = matches(&Target { core: USER, obj }, &filter);
        }
    }
    if let Ok(path) = parse_path(text) {
        let shown = path.to_string();
        if shown.len() <= MAX_FILTER_LEN {
            assert_eq!(parse_path(&shown), Ok(path), "{text:?}");
        }
    }
}
