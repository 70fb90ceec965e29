//! `dirgate load-ldif`: loads an LDIF file of entries into a stopped server's
//! store in one transaction, the way slapadd does for OpenLDAP, so a directory
//! can move over with its `{SSHA}` password hashes. Organizations (`ou=<Org>`)
//! and users (`uid=<login>` under an organization or `ou=people`) go through the
//! core's use cases as the server itself; anything else is counted and skipped.

use super::dn::Dn;
use super::ldif::{self, Record};
use super::tree::Branch;
use crate::directory::model::{Lifecycle, User};
use crate::directory::orgs::NewOrg;
use crate::directory::users::{NewUser, OrgRef};
use crate::directory::{Directory, Error, Request};
use std::collections::HashMap;
use uuid::Uuid;

/// What a load did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    pub organizations: usize,
    pub users: usize,
    /// Entries of kinds this loader does not map yet (roles, services, …).
    pub skipped: usize,
}

/// Loads `text` (LDIF) under `base`; all or nothing.
pub fn load(dir: &Directory, base: &Dn, text: &str) -> Result<Loaded, String> {
    let records = ldif::parse(text).map_err(|e| e.to_string())?;
    let req = Request::internal();
    let mut loaded = Loaded::default();
    dir.store()
        .write(|tx| {
            let mut orgs: HashMap<String, Uuid> = HashMap::new();
            for r in &records {
                let at = |e: Error| Error::invalid(format!("line {}: {} ({e})", r.line, r.dn));
                match classify(base, r).map_err(&at)? {
                    Kind::Org(name) => {
                        let seats = r
                            .first("dirgateSeats")
                            .map(|s| {
                                s.parse::<u32>()
                                    .map_err(|_| Error::invalid("dirgateSeats is not a number"))
                            })
                            .transpose()
                            .map_err(&at)?
                            .unwrap_or(u32::MAX);
                        let new = NewOrg {
                            name: name.clone(),
                            seats,
                            description: r.first("description").map(str::to_owned),
                        };
                        let org = dir.create_org_in(tx, &req, new).map_err(&at)?;
                        orgs.insert(name.to_lowercase(), org.id);
                        loaded.organizations += 1;
                    }
                    Kind::User { login, org } => {
                        let org = org.map(|o| {
                            orgs.get(&o.to_lowercase())
                                .map_or(OrgRef::Name(o), |id| OrgRef::Id(*id))
                        });
                        let (new, hash) = new_user(dir, r, login, org).map_err(&at)?;
                        let _: User = dir.create_user_in(tx, &req, new, hash).map_err(&at)?;
                        loaded.users += 1;
                    }
                    Kind::Skip => loaded.skipped += 1,
                }
            }
            Ok::<_, Error>(())
        })
        .map_err(|e| e.to_string())?;
    Ok(loaded)
}

enum Kind {
    Org(String),
    User { login: String, org: Option<String> },
    Skip,
}

fn classify(base: &Dn, r: &Record) -> Result<Kind, Error> {
    let dn = Dn::parse(&r.dn).map_err(|e| Error::invalid(e.to_string()))?;
    let Some(rel) = dn.relative_to(base) else {
        return Err(Error::invalid(format!("not under the base DN {base}")));
    };
    let value = |i: usize, attr: &str| {
        rel.get(i).and_then(|rdn| match rdn.avas() {
            [ava] if ava.attr_is(attr) => Some(ava.value.clone()),
            _ => None,
        })
    };
    Ok(match rel.len() {
        1 => match value(0, "ou") {
            Some(ou)
                if Branch::ALL
                    .iter()
                    .any(|b| b.name().eq_ignore_ascii_case(&ou)) =>
            {
                Kind::Skip
            }
            Some(ou) => Kind::Org(ou),
            None => Kind::Skip,
        },
        2 => match (value(0, "uid"), value(1, "ou")) {
            (Some(login), Some(ou)) if ou.eq_ignore_ascii_case("people") => {
                Kind::User { login, org: None }
            }
            (Some(login), Some(ou))
                if !Branch::ALL
                    .iter()
                    .any(|b| b.name().eq_ignore_ascii_case(&ou)) =>
            {
                Kind::User {
                    login,
                    org: Some(ou),
                }
            }
            _ => Kind::Skip,
        },
        _ => Kind::Skip,
    })
}

/// A user record's fields; the password stays a hash when it is one.
fn new_user(
    dir: &Directory,
    r: &Record,
    login: String,
    org: Option<OrgRef>,
) -> Result<(NewUser, Option<crate::directory::model::SecretHash>), Error> {
    let state = match r.first("dirgateLifecycleState") {
        Some(s) => Lifecycle::parse(s)
            .ok_or_else(|| Error::invalid(format!("unknown lifecycle state {s}")))?,
        None => Lifecycle::Active,
    };
    let password = r.first("userPassword").map(super::write::new_password);
    let hash = dir.hash_new(password.as_ref())?;
    let given = r.first("givenName").map(str::to_owned);
    let family = r.first("sn").map(str::to_owned);
    let cn = r.first("cn").map(str::to_owned);
    // Keep cn as the display name only when it says more than given + family.
    let joined = [given.as_deref(), family.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let display = r
        .first("displayName")
        .map(str::to_owned)
        .or(cn.filter(|c| *c != joined));
    let new = NewUser {
        email: r.first("mail").map(str::to_owned),
        given_name: given,
        family_name: family,
        display_name: display,
        org,
        state,
        external_id: r.first("dirgateExternalId").map(str::to_owned),
        ..NewUser::new(login)
    };
    Ok((new, hash))
}
