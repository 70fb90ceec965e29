//! `manager` and SCIM's enterprise `manager` are one value. SCIM names the
//! manager by id (the profile's `manager_id`); LDAP shows the DN of that
//! user, when it is a user the reader may read. A DN an LDAP client writes
//! that names a user becomes the manager's id; any other value (a manager
//! outside dirgate, an entry the writer may not read) is kept as written.

use crate::directory::Result;
use crate::directory::model::User;
use crate::directory::view::{Seen, View};
use crate::ldap::dn::Dn;
use crate::ldap::tree::{Node, Resolved, Tree};
use uuid::Uuid;

/// The DN LDAP shows for `u`'s manager by id, if it is a user `tx`'s actor
/// may read.
pub fn manager_dn(tx: &View<'_>, tree: &Tree, u: &User) -> Result<Option<String>> {
    let Some(id) = (u.profile.manager_id.as_deref()).and_then(|m| Uuid::parse_str(m).ok()) else {
        return Ok(None);
    };
    match tx.user(id)? {
        Some(m) if tx.may_read(Seen::Entry, m.org, Some(m.id)) => {
            Ok(Some(tree.dn_of(tx, Node::User(id))?).filter(|dn| !dn.is_empty()))
        }
        _ => Ok(None),
    }
}

/// `manager` values as written: the id of the first that names a user the
/// writer may read, and the others, kept as written.
pub fn split_manager(
    tx: &View<'_>,
    tree: &Tree,
    values: &[String],
) -> Result<(Option<Uuid>, Vec<String>)> {
    let mut id = None;
    let mut kept = Vec::new();
    for v in values {
        let user = match (id, Dn::parse(v)) {
            (None, Ok(dn)) => match tree.resolve(tx, &dn)? {
                Resolved::Found(Node::User(u)) => tx
                    .user(u)?
                    .filter(|m| tx.may_read(Seen::Entry, m.org, Some(m.id)))
                    .map(|m| m.id),
                _ => None,
            },
            _ => None,
        };
        match user {
            Some(u) => id = Some(u),
            None => kept.push(v.clone()),
        }
    }
    Ok((id, kept))
}
