//! `dirgate export-ldif` (through `GET /admin/v1/export`): the directory,
//! or one organization, as LDIF that both slapadd and `dirgate load-ldif`
//! take. Entries come parents first: the base and dirgate's fixed
//! containers (whole directory only), then each organization with its
//! roles container, its units depth-first, its users and its groups; then
//! the users in no organization, the server-wide roles and the service
//! accounts. Each is rendered by the LDAP renderer in its export form (see
//! `render::export`) for the actor who asks, so what the actor may not read
//! is not exported. Of the operational attributes only those dirgate keeps
//! are written: `entryUUID`, `createTimestamp`, `modifyTimestamp`. Binary
//! values are written as `attr:: <base64 of the bytes>`, certificates as
//! `userCertificate;binary::`, which is how slapcat writes them and what
//! slapadd requires.
//!
//! A service account cannot be loaded without its password, so service
//! accounts are exported only with secrets (by the system administrator).

use super::binary;
use super::entry::Entry;
use super::ldif;
use super::render::Renderer;
use super::tree::{Branch, Node, Tree};
use crate::directory::model::Unit;
use crate::directory::view::View;
use crate::directory::{Directory, Error, Request, Result};
use uuid::Uuid;

/// The operational attributes an export writes: what dirgate keeps.
const KEPT_OPERATIONAL: [&str; 3] = ["entryUUID", "createTimestamp", "modifyTimestamp"];

/// How deep units are walked (a bound, as in the tree's own walks).
const MAX_UNIT_DEPTH: usize = 64;

/// An export: the LDIF text and what it holds.
#[derive(Debug)]
pub struct Exported {
    pub ldif: String,
    pub entries: usize,
    /// Whether password hashes (and so service accounts) are in it.
    pub secrets: bool,
}

/// Exports the whole directory (`org: None`) or the organization named
/// `org`, as `req`'s actor sees it. An organization the actor may not read
/// is "not found", as one that does not exist.
pub fn export(dir: &Directory, tree: &Tree, req: &Request, org: Option<&str>) -> Result<Exported> {
    let secrets = dir.may_export_secrets(req);
    let (ldif, entries, org_id) = dir.view(&req.actor, |tx| build(tx, tree, org, secrets))?;
    dir.audit_export(req, org_id, org.unwrap_or(""), entries, secrets);
    Ok(Exported {
        ldif,
        entries,
        secrets,
    })
}

/// The export inside one read transaction: its text, its entry count, and
/// the id of the organization exported.
fn build(
    tx: &View<'_>,
    tree: &Tree,
    org: Option<&str>,
    secrets: bool,
) -> Result<(String, usize, Option<Uuid>)> {
    let mut r = Renderer::new(tx, tree);
    r.member_of = false;
    r.export = true;
    let (nodes, org_id) = match org {
        None => (whole(tx)?, None),
        Some(name) => {
            let found = tx.org_by_name(name)?.map(|o| o.id);
            let visible = match found {
                Some(id) => r.render(Node::Org(id))?.map(|_| id),
                None => None,
            };
            let id = visible.ok_or_else(|| Error::not_found(format!("organization {name}")))?;
            let mut nodes = Vec::new();
            organization(tx, id, &mut nodes)?;
            (nodes, Some(id))
        }
    };
    // No `version: 1` line: slapadd takes none (it reads the line as an
    // entry without a DN), and RFC 2849 makes it optional.
    let mut ldif = String::new();
    let mut entries = 0;
    for node in nodes {
        if matches!(node, Node::Service(_)) && !secrets {
            continue;
        }
        if let Some(e) = r.render(node)? {
            write_entry(&mut ldif, &e);
            entries += 1;
        }
    }
    Ok((ldif, entries, org_id))
}

/// Writes an entry's user attributes and the operational ones dirgate keeps.
fn write_entry(out: &mut String, e: &Entry) {
    let attrs = e
        .attrs
        .iter()
        .filter(|a| !a.ty.is_operational() || KEPT_OPERATIONAL.iter().any(|n| a.ty.has_name(n)));
    ldif::write_value(out, "dn", &e.dn);
    for a in attrs {
        let name = binary::wire_name(a.ty);
        for v in &a.values {
            if a.ty.is_binary() {
                ldif::write_base64(out, &name, &binary::bytes_of(a.ty, v));
            } else {
                ldif::write_value(out, &name, v);
            }
        }
    }
    ldif::end_record(out);
}

/// Every node of the directory, parents first.
fn whole(tx: &View<'_>) -> Result<Vec<Node>> {
    let mut out = vec![Node::Base];
    out.extend(Branch::ALL.into_iter().map(Node::Branch));
    let mut orgs = tx.orgs()?;
    orgs.sort_by_key(|o| o.name.to_lowercase());
    for org in orgs {
        organization(tx, org.id, &mut out)?;
    }
    users(tx, None, &mut out)?;
    roles(tx, None, &mut out)?;
    let mut services = tx.services()?;
    services.sort_by_key(|s| s.name.to_lowercase());
    out.extend(services.into_iter().map(|s| Node::Service(s.id)));
    apps(tx, None, &mut out)?;
    Ok(out)
}

/// An organization's nodes: itself, its roles container, its units
/// depth-first, its users, its roles.
fn organization(tx: &View<'_>, org: Uuid, out: &mut Vec<Node>) -> Result<()> {
    out.push(Node::Org(org));
    out.push(Node::RolesOf(org));
    let units = tx.units_in(org)?;
    units_below(&units, None, 0, out);
    users(tx, Some(org), out)?;
    roles(tx, Some(org), out)?;
    if !tx.apps_in(Some(org))?.is_empty() {
        out.push(Node::AppsOf(org));
    }
    apps(tx, Some(org), out)
}

/// The applications `org` owns (`None`: the server-wide ones), by name.
fn apps(tx: &View<'_>, org: Option<Uuid>, out: &mut Vec<Node>) -> Result<()> {
    let mut found = Vec::new();
    for id in tx.apps_in(org)? {
        if let Some(a) = tx.app(id)? {
            found.push((a.name.to_lowercase(), id));
        }
    }
    found.sort();
    out.extend(found.into_iter().map(|(_, id)| Node::App(id)));
    Ok(())
}

/// The units inside `parent` (none: directly in the organization), each
/// followed by what it holds, by name.
fn units_below(units: &[Unit], parent: Option<Uuid>, depth: usize, out: &mut Vec<Node>) {
    if depth >= MAX_UNIT_DEPTH {
        return;
    }
    let mut here: Vec<&Unit> = units.iter().filter(|u| u.parent == parent).collect();
    here.sort_by_key(|u| u.name.to_lowercase());
    for unit in here {
        out.push(Node::Unit(unit.id));
        units_below(units, Some(unit.id), depth + 1, out);
    }
}

fn users(tx: &View<'_>, org: Option<Uuid>, out: &mut Vec<Node>) -> Result<()> {
    let mut found = Vec::new();
    for id in tx.users_in(org)? {
        if let Some(u) = tx.user(id)? {
            found.push((u.login.to_lowercase(), id));
        }
    }
    found.sort();
    out.extend(found.into_iter().map(|(_, id)| Node::User(id)));
    Ok(())
}

fn roles(tx: &View<'_>, org: Option<Uuid>, out: &mut Vec<Node>) -> Result<()> {
    let mut found = Vec::new();
    for id in tx.roles_in(org)? {
        if let Some(r) = tx.role(id)? {
            found.push((r.name.to_lowercase(), id));
        }
    }
    found.sort();
    out.extend(found.into_iter().map(|(_, id)| Node::Role(id)));
    Ok(())
}
