//! SCIM's `addresses` and LDAP's postal attributes are one value. The work
//! address (type `work`, else the first that is not `home`) shows as
//! `street`, `l`, `st`, `postalCode` and, formatted, `postalAddress`; the
//! home address's formatted form as `homePostalAddress`. LDAP's postal
//! syntax separates lines with `$` where SCIM's `formatted` has newlines.
//! SCIM's other address fields (country, type, primary) and other
//! addresses are kept as they were when LDAP writes these.

use crate::directory::profile::{Address, Profile};

/// One field of an address, to read or write.
pub type Field = fn(&mut Address) -> &mut Option<String>;

/// The parts of the work address and the LDAP attribute each shows under.
pub const WORK_PARTS: &[(&str, Field)] = &[
    ("street", |a| &mut a.street_address),
    ("l", |a| &mut a.locality),
    ("st", |a| &mut a.region),
    ("postalCode", |a| &mut a.postal_code),
    ("postalAddress", |a| &mut a.formatted),
];

/// The home address's formatted form.
pub const HOME: &str = "homePostalAddress";

/// Every LDAP attribute an address shows under.
pub fn is_address_attribute(name: &str) -> bool {
    name == HOME || WORK_PARTS.iter().any(|(n, _)| *n == name)
}

fn is_home(a: &Address) -> bool {
    a.kind
        .as_deref()
        .is_some_and(|k| k.eq_ignore_ascii_case("home"))
}

/// Index of the work address among `list`.
fn work_index(list: &[Address]) -> Option<usize> {
    let typed = |a: &Address| {
        a.kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("work"))
    };
    list.iter()
        .position(typed)
        .or_else(|| list.iter().position(|a| !is_home(a)))
}

/// SCIM's newlines as LDAP's `$` line separators, and back.
fn to_postal(text: &str) -> String {
    text.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("$")
}

fn from_postal(text: &str) -> String {
    text.split('$')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The address attributes of `p` as LDAP shows them, each with its value.
pub fn values(p: &Profile) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(i) = work_index(&p.addresses) {
        let mut work = p.addresses[i].clone();
        for (name, part) in WORK_PARTS {
            if let Some(v) = part(&mut work).as_ref().filter(|v| !v.is_empty()) {
                let v = if *name == "postalAddress" {
                    to_postal(v)
                } else {
                    v.clone()
                };
                out.push((*name, v));
            }
        }
    }
    let home = p.addresses.iter().find(|a| is_home(a));
    if let Some(v) = home
        .and_then(|a| a.formatted.as_ref())
        .filter(|v| !v.is_empty())
    {
        out.push((HOME, to_postal(v)));
    }
    out
}

/// The addresses of `base` as an entry's address attributes now say:
/// `value(name)` is the one value of an attribute (or none). The work and
/// home addresses are replaced field by field; one left with nothing is
/// removed.
pub fn with_values(base: &Profile, value: &dyn Fn(&str) -> Option<String>) -> Vec<Address> {
    let mut list = base.addresses.clone();
    let mut work = match work_index(&list) {
        Some(i) => list.remove(i),
        None => Address {
            kind: Some("work".into()),
            ..Address::default()
        },
    };
    for (name, part) in WORK_PARTS {
        *part(&mut work) = value(name).map(|v| match *name {
            "postalAddress" => from_postal(&v),
            _ => v,
        });
    }
    let home_at = list.iter().position(is_home);
    let mut home = match home_at {
        Some(i) => list.remove(i),
        None => Address {
            kind: Some("home".into()),
            ..Address::default()
        },
    };
    home.formatted = value(HOME).map(|v| from_postal(&v));
    let empty = |a: &Address| {
        Address {
            kind: None,
            primary: None,
            ..a.clone()
        } == Address::default()
    };
    let mut out = Vec::new();
    if !empty(&work) {
        out.push(work);
    }
    out.extend(list);
    if !empty(&home) {
        out.push(home);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        Profile {
            addresses: vec![
                Address {
                    street_address: Some("1 Main St".into()),
                    locality: Some("Springfield".into()),
                    postal_code: Some("62701".into()),
                    country: Some("US".into()),
                    formatted: Some("1 Main St\nSpringfield 62701".into()),
                    kind: Some("work".into()),
                    primary: Some(true),
                    ..Address::default()
                },
                Address {
                    formatted: Some("2 Elm St\nShelbyville".into()),
                    kind: Some("home".into()),
                    ..Address::default()
                },
            ],
            ..Profile::default()
        }
    }

    #[test]
    fn the_work_and_home_addresses_show_and_come_back() {
        let p = profile();
        let shown = values(&p);
        assert!(shown.contains(&("street", "1 Main St".into())));
        assert!(shown.contains(&("postalAddress", "1 Main St$Springfield 62701".into())));
        assert!(shown.contains(&(HOME, "2 Elm St$Shelbyville".into())));
        let same = |name: &str| {
            shown
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(with_values(&p, &same), p.addresses);
        // A new locality keeps the country, type and primary flag.
        let moved = |name: &str| match name {
            "l" => Some("Capital City".to_owned()),
            other => same(other),
        };
        let out = with_values(&p, &moved);
        assert_eq!(out[0].locality.as_deref(), Some("Capital City"));
        assert_eq!(out[0].country.as_deref(), Some("US"));
        // Nothing left of the home address: it goes.
        let no_home = |name: &str| if name == HOME { None } else { same(name) };
        assert_eq!(with_values(&p, &no_home).len(), 1);
    }
}
