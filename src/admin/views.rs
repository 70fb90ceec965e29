//! How records look in the admin API's JSON: camelCase fields, organizations by
//! name, times in RFC 3339, and never a password hash, recovery code hash or
//! token hash (those fields do not exist here).

use crate::directory::audit::Event;
use crate::directory::model::{
    AccountFlags, FLAGS, Member, Millis, Organization, Role, Scope, ServiceAccount, Suffix, Token,
    User,
};
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

/// Organization names by id, to show references by name.
pub type OrgNames = HashMap<Uuid, String>;

/// Milliseconds → RFC 3339 (UTC).
pub fn rfc3339(ms: Millis) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ms.to_string())
}

pub fn org_name(names: &OrgNames, org: Option<Uuid>) -> Value {
    match org {
        Some(id) => json!(names.get(&id).cloned().unwrap_or_else(|| id.to_string())),
        None => Value::Null,
    }
}

pub fn scope(names: &OrgNames, scope: Scope) -> Value {
    match scope {
        Scope::Server => Value::Null,
        Scope::Org(o) => org_name(names, Some(o)),
    }
}

pub fn org(o: &Organization, seats_used: Option<u64>) -> Value {
    json!({
        "id": o.id,
        "name": o.name,
        "seats": o.seats,
        "seatsUsed": seats_used,
        "description": o.description,
        "admin": o.admin,
        "passwordPolicy": policy_view(&o.password_policy),
        "created": rfc3339(o.created),
        "modified": rfc3339(o.modified),
        "version": o.version,
    })
}

/// What an organization's password policy sets differently, by the
/// configuration's keys in camelCase.
fn policy_view(p: &crate::directory::password::policy::PolicyOverride) -> Value {
    json!({
        "minLength": p.min_length,
        "minClasses": p.min_classes,
        "rejectNames": p.reject_names,
        "history": p.history,
        "maxAgeDays": p.max_age_days,
        "warnDays": p.warn_days,
        "graceLogins": p.grace_logins,
        "mailedReset": p.mailed_reset,
        "requireSecondFactor": p.require_second_factor,
    })
}

pub fn suffix(s: &Suffix) -> Value {
    json!({"name": s.name, "created": rfc3339(s.created)})
}

/// The account flags by the core's table, and the quota.
pub fn flags(f: &AccountFlags) -> Value {
    let mut m = serde_json::Map::new();
    for flag in FLAGS {
        m.insert(flag.name.into(), json!((flag.get)(f)));
    }
    m.insert("storageQuota".into(), json!(f.storage_quota));
    Value::Object(m)
}

/// A user; its lock state, failed logins and last login only when
/// `security` (the core's [`Directory::may_see_security`] for the caller).
///
/// [`Directory::may_see_security`]: crate::directory::Directory::may_see_security
pub fn user(u: &User, names: &OrgNames, security: bool) -> Value {
    let mut v = json!({
        "id": u.id,
        "login": u.login,
        "email": u.email,
        "givenName": u.given_name,
        "familyName": u.family_name,
        "displayName": u.display_name,
        "organization": org_name(names, u.org),
        "state": u.state.as_str(),
        "flags": flags(&u.flags),
        "externalId": u.external_id,
        "uidNumber": u.uid_number,
        "posix": super::posix::view(u),
        "profile": super::profile::view(&u.profile),
        "created": rfc3339(u.created),
        "modified": rfc3339(u.modified),
        "version": u.version,
        "expires": u.expires.map(rfc3339),
        "passwordChanged": u.password_changed.map(rfc3339),
    });
    if security {
        v["secondFactor"] = json!(crate::directory::second_factor::enrolled(u));
        v["locked"] = json!(u.lockout.locked_at.map(rfc3339));
        v["failedLogins"] = json!(u.lockout.failures.len());
        v["lastLogin"] = json!(u.last_login.map(rfc3339));
    }
    v
}

pub fn role(r: &Role, names: &OrgNames, members: Option<&[Member]>) -> Value {
    let members = members.map(|ms| {
        ms.iter()
            .map(|m| match m {
                Member::User(id) => json!({"type": "user", "id": id}),
                Member::Role(id) => json!({"type": "role", "id": id}),
            })
            .collect::<Vec<_>>()
    });
    json!({
        "id": r.id,
        "name": r.name,
        "organization": org_name(names, r.org),
        "rights": r.rights,
        "description": r.description,
        "externalId": r.external_id,
        "gidNumber": r.gid_number,
        "members": members,
        "created": rfc3339(r.created),
        "modified": rfc3339(r.modified),
        "version": r.version,
    })
}

pub fn service(s: &ServiceAccount, names: &OrgNames) -> Value {
    json!({
        "id": s.id,
        "name": s.name,
        "organization": scope(names, s.scope),
        "description": s.description,
        "created": rfc3339(s.created),
    })
}

pub fn token(t: &Token, names: &OrgNames) -> Value {
    json!({
        "id": t.id,
        "kind": t.kind,
        "organization": scope(names, t.scope),
        "description": t.description,
        "createdBy": t.created_by,
        "owner": t.owner,
        "expires": t.expires.map(rfc3339),
        "created": rfc3339(t.created),
    })
}

pub fn event(e: &Event, names: &OrgNames) -> Value {
    json!({
        "seq": e.seq,
        "time": rfc3339(e.time),
        "actor": e.actor,
        "actorId": e.actor_id,
        "action": e.action,
        "target": e.target,
        "targetId": e.target_id,
        "organization": org_name(names, e.org),
        "protocol": e.protocol,
        "source": e.source,
        "outcome": e.outcome,
        "detail": e.detail,
    })
}
