//! The entry of an organization's OU: the name, description and seat count
//! dirgate interprets, and whatever else an LDAP client wrote on it (its
//! object classes, `l`, `telephoneNumber`, further `description` values, …),
//! which the organization keeps as written. Search results, the export and
//! LDAP writes (the entry as it stands, which a modify changes) read it.

use super::{ORG_CLASSES, Renderer, operational};
use crate::directory::model::Organization;
use crate::ldap::entry::Entry;

/// The organization's attributes as LDAP shows them; `seats`: whether the
/// seat count shows, with dirgate's class that allows it.
pub fn org_values(org: &Organization, seats: bool) -> Vec<(String, Vec<String>)> {
    let written = org.attrs.get("objectClass");
    let mut classes: Vec<String> = match written {
        [] => ORG_CLASSES
            .iter()
            .filter(|c| !c.starts_with("dirgate"))
            .map(|c| (*c).to_owned())
            .collect(),
        written => written.to_vec(),
    };
    let own = |c: &String| c.eq_ignore_ascii_case("dirgateOrganization");
    if seats && !classes.iter().any(own) {
        classes.push("dirgateOrganization".to_owned());
    }
    let ou = match org.attrs.get("ou") {
        [] => vec![org.name.clone()],
        written => written.to_vec(),
    };
    let mut out = vec![("objectClass".to_owned(), classes), ("ou".to_owned(), ou)];
    let descriptions: Vec<String> = (org.description.iter())
        .chain(org.attrs.get("description"))
        .cloned()
        .collect();
    if !descriptions.is_empty() {
        out.push(("description".to_owned(), descriptions));
    }
    for (name, values) in org.attrs.iter() {
        if !matches!(name, "objectClass" | "ou" | "description") {
            out.push((name.to_owned(), values.to_vec()));
        }
    }
    if seats {
        out.push(("dirgateSeats".to_owned(), vec![org.seats.to_string()]));
    }
    out
}

impl Renderer<'_> {
    pub(super) fn org_entry(&self, org: &Organization) -> Entry {
        let dn = self.tree.org_entry_dn(org);
        let mut e = Entry::new(dn.clone());
        // An export leaves out the seat count a load without one gives.
        let seats = !self.export || org.seats != u32::MAX;
        for (name, values) in org_values(org, seats) {
            e.push(&name, values);
        }
        if self.operational {
            let (id, created, modified) = (Some(org.id), Some(org.created), Some(org.modified));
            operational(
                &mut e,
                &dn,
                "organizationalUnit",
                id,
                created,
                modified,
                true,
            );
        }
        e
    }
}
