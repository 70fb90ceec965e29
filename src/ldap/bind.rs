//! Simple bind (RFC 4511 §4.2, RFC 4513 §5.1): anonymous, by full DN, or by a
//! login name or email address given as the bind name (what many applications'
//! "username" fields send). Wrong password, unknown account and locked or
//! inactive account all answer invalidCredentials. argon2id checks run on the
//! core's hashing pool, the connection's task waiting for them; a full queue
//! there answers busy. A `{SSHA}`-style check, cheaper than any hop, runs in
//! place (see `Directory::authenticate_cheap`). A client that sends the
//! password policy control (draft-behera) hears how long its password has
//! left, how many grace logins remain, or that it expired.

use super::dn::Dn;
use super::result::{result, success};
use super::session::{Reply, Session};
use super::tree::{Branch, Node, Resolved, Tree};
use crate::directory::acl::Actor;
use crate::directory::auth::{Attempt, Principal, SYSTEM_ADMIN_LOGIN};
use crate::directory::password::policy::Age;
use crate::directory::view::View;
use crate::directory::{Error, Result};
use ldap3_proto::control::LdapControl;
use ldap3_proto::proto::{
    LdapBindCred, LdapBindRequest, LdapBindResponse, LdapOp, LdapResult, LdapResultCode,
};

fn respond(id: i32, res: LdapResult) -> Reply {
    Reply::one(
        id,
        LdapOp::BindResponse(LdapBindResponse {
            res,
            saslcreds: None,
        }),
    )
}

/// The bind response with the password policy control's value, when the
/// client asked for the control.
fn respond_with(id: i32, res: LdapResult, policy: Option<Vec<u8>>) -> Reply {
    let mut reply = respond(id, res);
    if let (Some(value), Some(msg)) = (policy, reply.msgs.first_mut()) {
        msg.ctrl.push(LdapControl::Unknown {
            oid: OID_PASSWORD_POLICY.to_owned(),
            criticality: false,
            value: Some(value),
        });
    }
    reply
}

/// draft-behera-ldap-password-policy's request and response control.
pub const OID_PASSWORD_POLICY: &str = "1.3.6.1.4.1.42.2.27.8.5.1";

/// `PasswordPolicyResponseValue ::= SEQUENCE { warning [0] CHOICE {
/// timeBeforeExpiration [0] INTEGER, graceAuthNsRemaining [1] INTEGER }
/// OPTIONAL, error [1] ENUMERATED OPTIONAL }` (implicit tags), for a
/// password's age; `expired` when the bind was refused for it.
pub fn policy_value(age: Age, expired: bool) -> Vec<u8> {
    let mut inner = Vec::new();
    let warning = match age {
        Age::Expiring(secs) => Some((0x80, secs)),
        Age::Expired { grace_left } if !expired => Some((0x81, u64::from(grace_left))),
        _ => None,
    };
    if let Some((tag, n)) = warning {
        let int = ber_uint(n);
        inner.push(0xa0);
        inner.push(2 + int.len() as u8);
        inner.push(tag);
        inner.push(int.len() as u8);
        inner.extend(int);
    }
    if expired {
        // error [1] ENUMERATED passwordExpired (0)
        inner.extend([0x81, 0x01, 0x00]);
    }
    let mut out = vec![0x30, inner.len() as u8];
    out.extend(inner);
    out
}

/// A non-negative INTEGER's content octets (two's complement, minimal).
fn ber_uint(n: u64) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(7);
    let mut out = bytes[first..].to_vec();
    if out[0] & 0x80 != 0 {
        out.insert(0, 0);
    }
    out
}

pub async fn bind(s: &mut Session, id: i32, req: LdapBindRequest, ctrl: &[LdapControl]) -> Reply {
    let wants_policy = ctrl
        .iter()
        .any(|c| matches!(c, LdapControl::PasswordPolicyRequest { .. }));
    // Whatever happens next, the previous identity and its cursors are gone.
    s.actor = Actor::anonymous();
    s.cursors.clear();
    if req.version != 3 {
        return respond(
            id,
            result(
                LdapResultCode::ProtocolError,
                "only LDAP version 3 is supported",
            ),
        );
    }
    let password = match req.cred {
        LdapBindCred::Simple(pw) => pw,
        LdapBindCred::SASL(_) | LdapBindCred::Unsupported => {
            return respond(
                id,
                result(
                    LdapResultCode::AuthMethodNotSupported,
                    "only simple bind is supported",
                ),
            );
        }
    };
    match (req.dn.is_empty(), password.is_empty()) {
        (true, true) => return respond(id, success()),
        (false, true) => {
            // RFC 4513 §5.1.2: an unauthenticated bind must not look like a login.
            return respond(
                id,
                result(
                    LdapResultCode::UnwillingToPerform,
                    "unauthenticated bind (DN with no password) disallowed",
                ),
            );
        }
        (true, false) => {
            return respond(
                id,
                result(LdapResultCode::InvalidCredentials, "invalid credentials"),
            );
        }
        (false, false) => {}
    }
    let ctx = s.ctx.clone();
    let request = s.request();
    let name = req.dn;
    // A {SSHA}-style check costs less than a hop to another thread (1 us
    // against 13 us measured); argon2id checks, rehashes and unknown names
    // go to the hashing pool, so no slow check ever runs on an async worker.
    let attempt =
        ctx.dir
            .authenticate_cheap(&request, |tx| principal(tx, &ctx.tree, &name), &password);
    let outcome = match attempt {
        Attempt::Done(outcome) => outcome,
        Attempt::Slow(slow) => ctx.dir.finish_check(request, slow, password).await,
    };
    match outcome {
        Ok(actor) => {
            let policy = match (&actor.kind, actor.id) {
                (crate::directory::acl::ActorKind::User(_), Some(user)) if wants_policy => {
                    match ctx.dir.password_age(user) {
                        Ok(Age::Fresh) | Err(_) => None,
                        Ok(age) => Some(policy_value(age, false)),
                    }
                }
                _ => None,
            };
            s.actor = actor;
            respond_with(id, success(), policy)
        }
        Err(Error::InvalidCredentials) => respond(
            id,
            result(LdapResultCode::InvalidCredentials, "invalid credentials"),
        ),
        // The right password, expired: told only to who gave it.
        Err(e @ Error::PasswordExpired) => {
            let expired = Age::Expired { grace_left: 0 };
            let policy = wants_policy.then(|| policy_value(expired, true));
            respond_with(id, super::result::from_error(&e), policy)
        }
        Err(e) => respond(id, super::result::from_error(&e)),
    }
}

/// Which account a bind name means. A name that names nothing still yields a
/// principal (an unknown login), so the failure costs what a real check costs.
pub fn principal(tx: &View<'_>, tree: &Tree, name: &str) -> Result<Principal> {
    if !name.contains('=') {
        let name = name.trim();
        if name.contains('@') && tx.user_by_login(name)?.is_none() {
            return Ok(Principal::Email(name.to_owned()));
        }
        return Ok(Principal::Login(name.to_owned()));
    }
    let Ok(dn) = Dn::parse(name) else {
        return Ok(Principal::Login(name.to_owned()));
    };
    if is_system_admin_dn(tree, &dn) {
        return Ok(Principal::SystemAdmin);
    }
    if let Some(found) = user_dn_principal(tx, tree, &dn)? {
        return Ok(found);
    }
    Ok(match tree.resolve(tx, &dn)? {
        Resolved::Found(Node::User(id)) => Principal::User(id),
        Resolved::Found(Node::Service(id)) => match tx.service(id)? {
            Some(svc) => Principal::Service(svc.name),
            None => Principal::Login(name.to_owned()),
        },
        _ => Principal::Login(name.to_owned()),
    })
}

/// `cn=admin,<base>`.
pub fn is_system_admin_dn(tree: &Tree, dn: &Dn) -> bool {
    matches!(dn.relative_to(tree.base()), Some([rdn])
        if rdn.get("cn").is_some_and(|v| v.eq_ignore_ascii_case(SYSTEM_ADMIN_LOGIN)))
}

/// The common shape of a bind DN, `uid=<login>,ou=<Org or people>,<base>`,
/// from the indexes alone: the account check reads the user record once and
/// confirms it is in that organization. `None` for any other shape.
fn user_dn_principal(tx: &View<'_>, tree: &Tree, dn: &Dn) -> Result<Option<Principal>> {
    let Some([user, parent]) = dn.relative_to(tree.base()) else {
        return Ok(None);
    };
    let single = |rdn: &super::dn::Rdn, attr: &str| match rdn.avas() {
        [ava] if ava.attr_is(attr) => Some(ava.value.clone()),
        _ => None,
    };
    let (Some(login), Some(ou)) = (single(user, "uid"), single(parent, "ou")) else {
        return Ok(None);
    };
    let org = match Branch::ALL
        .iter()
        .find(|b| b.name().eq_ignore_ascii_case(&ou))
    {
        Some(Branch::People) => None,
        Some(_) => return Ok(None),
        None => match tx.org_id_by_name(&ou)? {
            Some(org) => Some(org),
            None => return Ok(Some(Principal::Login(dn.to_string()))),
        },
    };
    Ok(Some(match tx.user_id_by_login(&login)? {
        Some(id) => Principal::UserIn { id, org },
        None => Principal::Login(dn.to_string()),
    }))
}

/// The DN an actor binds as (for WhoAmI), or None when it has none.
pub fn actor_dn(tx: &View<'_>, tree: &Tree, actor: &Actor) -> Result<Option<String>> {
    use crate::directory::acl::ActorKind;
    let Some(id) = actor.id else {
        return Ok(None);
    };
    Ok(match &actor.kind {
        ActorKind::System => Some(format!("cn={SYSTEM_ADMIN_LOGIN},{}", tree.base_str())),
        ActorKind::User(_) => Some(tree.dn_of(tx, Node::User(id))?).filter(|d| !d.is_empty()),
        ActorKind::Service { .. } => {
            Some(tree.dn_of(tx, Node::Service(id))?).filter(|d| !d.is_empty())
        }
        _ => None,
    })
}
