//! How `dirgate load-ldif` takes applications (what an export writes for
//! them, see `render::apps`): `ou=applications` inside an organization is
//! dirgate's container, taken as it is; an entry inside `ou=applications`
//! (the base's or an organization's) becomes an application with its
//! description, URL and whether users may ask for it, keeping its
//! `entryUUID`; once every entry exists, the roles its `dirgateCarriedBy`
//! names are made to carry it.

use super::dn::Dn;
use super::ldif::Record;
use super::load::found;
use super::session::Context;
use super::tree::Node;
use crate::directory::Request;
use crate::directory::apps::NewApp;
use crate::directory::users::OrgRef;
use crate::store::Tx;
use uuid::Uuid;

/// Where an entry of the file sits among applications.
pub enum Place {
    /// `ou=applications` directly in an organization.
    Container,
    /// An application of this owner (`None`: server-wide).
    App(Option<Uuid>),
}

fn names_apps(dn: &Dn) -> bool {
    dn.rdn()
        .and_then(|r| r.get("ou"))
        .is_some_and(|v| v.eq_ignore_ascii_case("applications"))
}

/// Whether `dn` is an applications container of an organization or an
/// application's entry (and whose).
pub fn place(ctx: &Context, req: &Request, tx: &Tx, dn: &Dn) -> Result<Option<Place>, String> {
    let Some(parent) = dn.parent() else {
        return Ok(None);
    };
    if names_apps(dn) {
        return Ok(match found(ctx, req, tx, &parent)? {
            Some(Node::Org(_)) => Some(Place::Container),
            _ => None,
        });
    }
    if !names_apps(&parent) {
        return Ok(None);
    }
    let Some(owner) = parent.parent() else {
        return Ok(None);
    };
    Ok(match found(ctx, req, tx, &owner)? {
        Some(Node::Base) => Some(Place::App(None)),
        Some(Node::Org(o)) => Some(Place::App(Some(o))),
        _ => None,
    })
}

/// Makes the application a record describes, owned by `org`.
pub fn add(
    ctx: &Context,
    req: &Request,
    tx: &mut Tx,
    r: &Record,
    dn: &Dn,
    org: Option<Uuid>,
    id: Option<Uuid>,
) -> Result<(), String> {
    let name = dn
        .rdn()
        .and_then(|rdn| rdn.get("cn"))
        .ok_or("an application is named by cn=<name>")?;
    let new = NewApp {
        name: name.to_owned(),
        org: Some(org.map_or(OrgRef::NoOrg, OrgRef::Id)),
        description: r.first("description").map(str::to_owned),
        url: r.first("labeledURI").map(str::to_owned),
        requestable: r
            .first("dirgateRequestable")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("TRUE")),
        id,
        ..NewApp::default()
    };
    ctx.dir
        .create_app_in(tx, req, new)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Makes each role the record's `dirgateCarriedBy` names carry the
/// application (every entry of the file exists by now).
pub fn link(ctx: &Context, req: &Request, tx: &mut Tx, r: &Record, dn: &Dn) -> Result<(), String> {
    let Some(Node::App(app)) = found(ctx, req, tx, dn)? else {
        return Ok(());
    };
    for value in r.values("dirgateCarriedBy") {
        let role_dn = Dn::parse(value).map_err(|e| format!("dirgateCarriedBy: {e}"))?;
        let Some(Node::Role(role)) = found(ctx, req, tx, &role_dn)? else {
            return Err(format!("dirgateCarriedBy: {value} is no role"));
        };
        ctx.dir
            .link_role_app(tx, req, role, app, true)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
