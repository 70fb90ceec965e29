//! `dirgate load-ldif`: loads an LDIF file of entries into a stopped server's
//! store in one transaction, the way slapadd does for OpenLDAP, so a directory
//! can move over with its `{SSHA}` password hashes. Every entry goes through
//! the same LDAP add (and the same schema checks and core use cases) as
//! `ldapadd` as the system administrator: organizations and the units inside
//! them, users with every attribute they carry (binary ones, `jpegPhoto::`
//! and `userCertificate;binary::`, as the bytes they are), roles and groups
//! with their members, service accounts, and applications (`load_apps`).
//! dirgate's fixed entries (the base, `ou=people`, `ou=groups`,
//! `ou=services`, `ou=applications`, `ou=roles` of an organization) are
//! taken as they are. Any entry that cannot be loaded
//! stops the load with its line and the reason, and nothing is written.
//!
//! Of what a server maintains itself (slapcat writes it into every entry),
//! a load keeps each entry's `entryUUID` as its record's id and its
//! `createTimestamp` and `modifyTimestamp`: applications keyed on entryUUID
//! find their entries after a move, and dirgate's own export loads back as
//! the directory it came from. A user's `pwdChangedTime` (slapd's ppolicy)
//! is kept too, so the password's age, and its expiry, go on. The rest (`creatorsName`, `entryCSN`,
//! `structuralObjectClass`, `memberOf`, …) dirgate maintains itself.

use super::dn::Dn;
use super::ldif::{self, Record};
use super::load_apps::Place;
use super::schema::{self, generalized_time_to_unix_millis};
use super::session::Context;
use super::tree::{Node, Resolved, Tree};
use super::write::{Added, Failure, add_entry, modify_entry};
use crate::config::LdapConfig;
use crate::directory::model::Millis;
use crate::directory::{Directory, Error, Request};
use crate::store::Tx;
use ldap3_proto::proto::{
    LdapAddRequest, LdapModify, LdapModifyRequest, LdapModifyType, LdapPartialAttribute,
};
use std::sync::Arc;
use uuid::Uuid;

/// What a load did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    pub organizations: usize,
    /// Organizational units inside organizations.
    pub units: usize,
    pub users: usize,
    pub roles: usize,
    pub services: usize,
    pub applications: usize,
    /// dirgate's fixed entries, which exist already.
    pub fixed: usize,
    /// Login suffixes the file's logins named and the store lacked.
    pub suffixes: usize,
}

/// Group member attributes: set once every entry of the file exists, so a
/// group may name users (or groups) that come after it.
const MEMBERS: [&str; 3] = ["member", "uniqueMember", "memberUid"];

/// slapd's bookkeeping attributes that are in no schema dirgate serves.
const SLAPD_BOOKKEEPING: [&str; 2] = ["entryCSN", "contextCSN"];

/// Whether an attribute of the file is one a directory server maintains
/// itself: not written by the add (the id and times are kept apart).
fn maintained(name: &str) -> bool {
    SLAPD_BOOKKEEPING
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
        || schema::attribute(name).is_some_and(|ty| ty.is_operational())
}

/// Loads `text` (LDIF) under `base`; all or nothing.
pub fn load(dir: &Directory, base: &Dn, text: &str) -> Result<Loaded, String> {
    let records = ldif::parse(text).map_err(|e| e.to_string())?;
    let ctx = Context {
        dir: dir.clone(),
        tree: Tree::new(base.clone()),
        cfg: LdapConfig::default(),
        tls: None,
        metrics: Arc::new(crate::metrics::Metrics::new(None, None)),
    };
    let req = Request::internal();
    let mut loaded = Loaded::default();
    let mut refusal = None;
    let out = dir.write(&req, |tx| {
        let steps = records
            .iter()
            .map(|r| (r, Step::Add))
            .chain(records.iter().map(|r| (r, Step::Members)))
            .chain(records.iter().map(|r| (r, Step::Times)));
        for (r, step) in steps {
            if let Err(why) = load_one(&ctx, &req, tx, r, step, &mut loaded) {
                refusal = Some(format!("line {}: {}: {why}", r.line, r.dn));
                return Err(Error::conflict("the LDIF file was refused"));
            }
        }
        Ok(())
    });
    match (out, refusal) {
        (_, Some(why)) => Err(why),
        (Err(e), None) => Err(e.to_string()),
        (Ok(()), None) => Ok(loaded),
    }
}

/// Entries are added first (without group members), then members are set,
/// then each record gets the times the file gives it (setting members
/// changed a group's).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Add,
    Members,
    Times,
}

/// The id a record keeps: the entry's `entryUUID`, if the file gives one.
fn kept_id(r: &Record) -> Result<Option<Uuid>, String> {
    r.first("entryUUID")
        .map(|v| Uuid::try_parse(v.trim()).map_err(|_| format!("entryUUID: {v} is not a UUID")))
        .transpose()
}

/// A timestamp the file gives (GeneralizedTime), if any.
fn kept_time(r: &Record, name: &str) -> Result<Option<Millis>, String> {
    r.first(name)
        .map(|v| {
            generalized_time_to_unix_millis(v.trim())
                .ok_or_else(|| format!("{name}: {v} is not a GeneralizedTime"))
        })
        .transpose()
}

/// Gives the record an entry became the times the file gives it.
fn keep_times(
    ctx: &Context,
    req: &Request,
    tx: &mut Tx,
    r: &Record,
    dn: &Dn,
) -> Result<(), String> {
    let (created, modified, changed) = (
        kept_time(r, "createTimestamp")?,
        kept_time(r, "modifyTimestamp")?,
        // slapd's ppolicy keeps when a password was set: its age goes on.
        kept_time(r, "pwdChangedTime")?,
    );
    if created.is_none() && modified.is_none() && changed.is_none() {
        return Ok(());
    }
    let id = match found(ctx, req, tx, dn)? {
        Some(
            Node::User(id)
            | Node::Role(id)
            | Node::Org(id)
            | Node::Unit(id)
            | Node::Service(id)
            | Node::App(id),
        ) => id,
        // dirgate's fixed entries keep no times of their own.
        _ => return Ok(()),
    };
    ctx.dir
        .keep_times_in(tx, req, id, created, modified, changed)
        .map_err(|e| e.to_string())
}

fn load_one(
    ctx: &Context,
    req: &Request,
    tx: &mut Tx,
    r: &Record,
    step: Step,
    loaded: &mut Loaded,
) -> Result<(), String> {
    let dn = Dn::parse(&r.dn).map_err(|e| format!("invalid DN: {e}"))?;
    let app = super::load_apps::place(ctx, req, tx, &dn)?;
    match (step, app) {
        (Step::Members, Some(Place::App(_))) => {
            return super::load_apps::link(ctx, req, tx, r, &dn);
        }
        (Step::Members, _) => return set_members(ctx, req, tx, r),
        (Step::Times, _) => return keep_times(ctx, req, tx, r, &dn),
        (Step::Add, Some(Place::Container)) => {
            loaded.fixed += 1;
            return Ok(());
        }
        (Step::Add, Some(Place::App(org))) => {
            super::load_apps::add(ctx, req, tx, r, &dn, org, kept_id(r)?)?;
            loaded.applications += 1;
            return Ok(());
        }
        (Step::Add, None) => {}
    }
    if let Some(Node::Base | Node::Branch(_) | Node::RolesOf(_) | Node::AppsOf(_)) =
        found(ctx, req, tx, &dn)?
    {
        loaded.fixed += 1;
        return Ok(());
    }
    ensure_suffix(ctx, req, tx, &dn, loaded)?;
    let add = LdapAddRequest {
        dn: r.dn.clone(),
        attributes: attributes(r, |name| !is_member(name) && !maintained(name)),
    };
    match add_entry(&ctx.dir, ctx, req, tx, &add, kept_id(r)?).map_err(|f| describe(&f))? {
        Added::Org => loaded.organizations += 1,
        Added::Unit => loaded.units += 1,
        Added::User => loaded.users += 1,
        Added::Role => loaded.roles += 1,
        Added::Service => loaded.services += 1,
    }
    Ok(())
}

/// Adds the login suffix a user entry's RDN names (`uid=ann@example.com`)
/// when the store has none: a directory moved from slapd brings its logins'
/// domains, and a load is the system administrator's to make. A bare login
/// (`uid=ann`) names none (see `[logins] require_suffix`).
fn ensure_suffix(
    ctx: &Context,
    req: &Request,
    tx: &mut Tx,
    dn: &Dn,
    loaded: &mut Loaded,
) -> Result<(), String> {
    let Some(login) = dn.rdn().and_then(|r| r.get("uid")) else {
        return Ok(());
    };
    let Some((_, suffix)) = login.rsplit_once('@') else {
        return Ok(());
    };
    if ctx
        .dir
        .has_suffix_in(tx, suffix)
        .map_err(|e| e.to_string())?
    {
        return Ok(());
    }
    ctx.dir
        .add_suffix_in(tx, req, suffix)
        .map_err(|e| format!("login suffix {suffix}: {e}"))?;
    loaded.suffixes += 1;
    Ok(())
}

/// The members a group entry lists, set by a modify now that every entry
/// of the file exists.
fn set_members(ctx: &Context, req: &Request, tx: &mut Tx, r: &Record) -> Result<(), String> {
    let changes: Vec<LdapModify> = attributes(r, is_member)
        .into_iter()
        .map(|modification| LdapModify {
            operation: LdapModifyType::Replace,
            modification,
        })
        .collect();
    if changes.is_empty() {
        return Ok(());
    }
    let m = LdapModifyRequest {
        dn: r.dn.clone(),
        changes,
    };
    modify_entry(&ctx.dir, ctx, req, tx, &m).map_err(|f| describe(&f))
}

fn is_member(name: &str) -> bool {
    MEMBERS.iter().any(|m| m.eq_ignore_ascii_case(name))
}

/// The node `dn` names, if any (as the system administrator's load sees it).
pub(super) fn found(
    ctx: &Context,
    req: &Request,
    tx: &Tx,
    dn: &Dn,
) -> Result<Option<Node>, String> {
    match ctx.tree.resolve(&super::write::view(ctx, req, tx), dn) {
        Ok(Resolved::Found(node)) => Ok(Some(node)),
        Ok(Resolved::Missing { .. }) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// The record's attributes that `keep` accepts, values grouped by name in
/// the order they came.
fn attributes(r: &Record, keep: impl Fn(&str) -> bool) -> Vec<LdapPartialAttribute> {
    let mut out: Vec<LdapPartialAttribute> = Vec::new();
    for (name, value) in r.attrs.iter().filter(|(n, _)| keep(n)) {
        match out.iter_mut().find(|a| a.atype.eq_ignore_ascii_case(name)) {
            Some(a) => a.vals.push(value.clone()),
            None => out.push(LdapPartialAttribute {
                atype: name.clone(),
                vals: vec![value.clone()],
            }),
        }
    }
    out
}

/// A refusal as ldapadd would print it: the result's name and message.
fn describe(f: &Failure) -> String {
    let r = f.result();
    format!("{:?}: {}", r.code, r.message)
}
