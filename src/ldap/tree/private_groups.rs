//! User private groups (`[posix] user_private_groups`): with the option on,
//! every posixAccount user whose gidNumber is its own uidNumber (what
//! dirgate allocates when none is given, and the convention of Red Hat,
//! FreeIPA and Debian) shows a posixGroup of its own, `cn=<login>` with
//! that gidNumber, so that `id` and SSSD resolve the user's primary group.
//! The group is computed, never stored: it sits in the user's organization's
//! `ou=roles` (in `ou=groups` for a user in no organization), exists while
//! the user does, is read by whoever may read the user, and cannot be
//! written. A role that holds the number, or one of the organization named
//! like the login, takes its place: a real group is never shadowed.

use super::Node;
use crate::directory::Result;
use crate::directory::model::User;
use crate::directory::view::View;
use crate::ldap::render::users::is_posix;
use uuid::Uuid;

/// Whether the server shows user private groups at all.
pub fn enabled(tx: &View<'_>) -> bool {
    tx.settings().posix.private_groups
}

/// Whether `u` shows a private group.
pub fn has(tx: &View<'_>, u: &User) -> Result<bool> {
    if !enabled(tx) || u.gid_number != u.uid_number || !is_posix(u) {
        return Ok(false);
    }
    if tx.role_by_gid_number(u.gid_number)?.is_some() {
        return Ok(false);
    }
    Ok(tx.role_by_name(u.org, &u.login)?.is_none())
}

/// The private groups of the users of `org` (None: users in no
/// organization), as children of its roles container.
pub fn of_org(tx: &View<'_>, org: Option<Uuid>) -> Result<Vec<Node>> {
    let mut out = Vec::new();
    if !enabled(tx) {
        return Ok(out);
    }
    for id in tx.users_in(org)? {
        if let Some(u) = tx.user(id)?
            && has(tx, &u)?
        {
            out.push(Node::PrivateGroup(id));
        }
    }
    Ok(out)
}

/// The private group named `cn=<login>` among those of `org`.
pub fn by_login(tx: &View<'_>, login: &str, org: Option<Uuid>) -> Result<Option<Node>> {
    if !enabled(tx) {
        return Ok(None);
    }
    Ok(match tx.user_by_login(login)? {
        Some(u) if u.org == org && has(tx, &u)? => Some(Node::PrivateGroup(u.id)),
        _ => None,
    })
}

/// The private group named `login`, wherever it sits (for `cn` probes).
pub fn named(tx: &View<'_>, login: &str) -> Result<Option<Node>> {
    if !enabled(tx) {
        return Ok(None);
    }
    Ok(match tx.user_by_login(login)? {
        Some(u) if has(tx, &u)? => Some(Node::PrivateGroup(u.id)),
        _ => None,
    })
}

/// The private group with gidNumber `n` (for `gidNumber` probes).
pub fn by_gid(tx: &View<'_>, n: u32) -> Result<Option<Node>> {
    if !enabled(tx) {
        return Ok(None);
    }
    let Some(id) = tx.user_by_uid_number(n)? else {
        return Ok(None);
    };
    Ok(match tx.user(id)? {
        Some(u) if has(tx, &u)? => Some(Node::PrivateGroup(id)),
        _ => None,
    })
}

/// Where the private group of `u` sits: its organization's roles
/// container, or `ou=groups`.
pub fn parent(u: &User) -> Node {
    match u.org {
        Some(o) => Node::RolesOf(o),
        None => Node::Branch(super::Branch::Groups),
    }
}
