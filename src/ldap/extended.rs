//! Extended operations: StartTLS (RFC 4511 §4.14), WhoAmI (RFC 4532) and
//! Password Modify (RFC 3062), plus the unsolicited Notice of Disconnection. An
//! unknown extended operation answers protocolError with its OID.

use super::bind::{actor_dn, principal};
use super::result::{from_error, no_such_object, result, success};
use super::rootdse::{OID_NOTICE_OF_DISCONNECTION, OID_STARTTLS};
use super::session::{Next, Reply, Session};
use crate::directory::Error;
use crate::directory::auth::Principal;
use crate::directory::password::random_secret;
use ldap3_proto::proto::{
    LdapExtendedRequest, LdapExtendedResponse, LdapMsg, LdapOp, LdapPasswordModifyRequest,
    LdapPasswordModifyResponse, LdapResult, LdapResultCode, OID_PASSWORD_MODIFY, OID_WHOAMI,
};

fn respond(id: i32, res: LdapResult, name: Option<&str>, value: Option<Vec<u8>>) -> Reply {
    Reply::one(
        id,
        LdapOp::ExtendedResponse(LdapExtendedResponse {
            res,
            name: name.map(str::to_owned),
            value,
        }),
    )
}

pub async fn handle(s: &mut Session, id: i32, req: LdapExtendedRequest) -> Reply {
    match req.name.as_str() {
        OID_STARTTLS => start_tls(s, id),
        OID_WHOAMI => whoami(s, id).await,
        OID_PASSWORD_MODIFY => password_modify(s, id, &req).await,
        other => respond(
            id,
            result(
                LdapResultCode::ProtocolError,
                format!("unsupported extended operation {other}"),
            ),
            None,
            None,
        ),
    }
}

/// Answers success and asks the connection to start TLS, when it can.
fn start_tls(s: &mut Session, id: i32) -> Reply {
    if s.tls {
        let res = result(LdapResultCode::OperationsError, "TLS is already active");
        return respond(id, res, Some(OID_STARTTLS), None);
    }
    if !s.ctx.cfg.tls_configured {
        let res = result(
            LdapResultCode::Unavailable,
            "no TLS certificate is configured",
        );
        return respond(id, res, Some(OID_STARTTLS), None);
    }
    let mut reply = respond(id, success(), Some(OID_STARTTLS), None);
    reply.next = Next::StartTls;
    reply
}

/// `dn:<bound DN>`, or empty for anonymous.
async fn whoami(s: &mut Session, id: i32) -> Reply {
    let ctx = s.ctx.clone();
    let actor = s.actor.clone();
    let dn = ctx
        .dir
        .clone()
        .blocking(move |d| d.view(&actor, |tx| actor_dn(tx, &ctx.tree, &actor)))
        .await;
    match dn {
        Ok(dn) => {
            let authz = dn.map(|d| format!("dn:{d}")).unwrap_or_default();
            respond(id, success(), None, Some(authz.into_bytes()))
        }
        Err(e) => respond(id, from_error(&e), None, None),
    }
}

/// A user changes its own password (with the old one), or an administrator
/// resets one in its scope. Without a new password, one is generated and
/// returned. Without a bind, the user named and its old password
/// authenticate the change (RFC 3062 §2), which is how an expired password
/// is changed.
async fn password_modify(s: &mut Session, id: i32, req: &LdapExtendedRequest) -> Reply {
    let fail = |res: LdapResult| password_modify_response(id, res, None);
    let Ok(pm) = LdapPasswordModifyRequest::try_from(req) else {
        return fail(result(
            LdapResultCode::ProtocolError,
            "malformed password modify request",
        ));
    };
    // Without a user named and nobody bound there is no password to change;
    // who may change which password is the policy's call, in the core.
    if s.actor.id.is_none() && pm.user_identity.as_deref().is_none_or(str::is_empty) {
        return fail(result(
            LdapResultCode::UnwillingToPerform,
            "bind first, or name the user whose password to change",
        ));
    }
    let generated = pm.new_password.is_none();
    let new_password = match pm.new_password.clone() {
        Some(p) if !p.is_empty() => p,
        Some(_) => {
            return fail(result(
                LdapResultCode::UnwillingToPerform,
                "the new password is empty",
            ));
        }
        None => match random_secret(12) {
            Ok(p) => p,
            Err(e) => return fail(from_error(&e)),
        },
    };
    let ctx = s.ctx.clone();
    let request = s.request();
    let me = s.actor.id;
    let identity = pm.user_identity.clone();
    let old = pm.old_password.clone();
    let pw = new_password.clone();
    let outcome = ctx
        .dir
        .clone()
        .blocking(move |d| {
            let resolve = || -> crate::directory::Result<uuid::Uuid> {
                Ok(match identity.as_deref() {
                    None | Some("") => me.ok_or(Error::not_found("a user to change"))?,
                    Some(name) => {
                        let name = name
                            .strip_prefix("dn:")
                            .or_else(|| name.strip_prefix("u:"))
                            .unwrap_or(name);
                        match d.view(&request.actor, |tx| principal(tx, &ctx.tree, name))? {
                            Principal::User(id) => id,
                            Principal::UserIn { id, org } => d
                                .view(&request.actor, |v| v.user(id))?
                                .filter(|u| u.org == org)
                                .map(|u| u.id)
                                .ok_or(Error::not_found(format!("user {name}")))?,
                            // An address that is no login names no user either:
                            // "not found", as for a login of another organization.
                            Principal::Login(l) | Principal::Email(l) => d
                                .view(&request.actor, |v| v.user_by_login(&l))?
                                .map(|u| u.id)
                                .ok_or(Error::not_found(format!("user {l}")))?,
                            Principal::Service(_) if !d.policy().unlimited(&request.actor) => {
                                // Service accounts are the system administrator's:
                                // to anyone else one is as absent as a missing DN.
                                return Err(Error::not_found(format!("user {name}")));
                            }
                            _ => {
                                return Err(Error::invalid(
                                    "only user passwords can be changed this way",
                                ));
                            }
                        }
                    }
                })
            };
            match (me, old.as_deref()) {
                // Not bound, with the old password: the user itself (an
                // expired password binds no more). A name that names no
                // user still pays for the password check, as a bind does.
                (None, Some(old)) => d.change_expired_password(&request, resolve().ok(), old, &pw),
                _ => d.set_password(&request, resolve()?, old.as_deref(), &pw),
            }
        })
        .await;
    match outcome {
        Ok(()) => password_modify_response(id, success(), generated.then_some(new_password)),
        // One answer for a user that is missing and for one out of the
        // actor's reach, however the identity named it; without a bind,
        // also for a wrong old password or one that has not expired, as
        // such a change was refused before there was one to check.
        Err(e) if e.is_not_found() => fail(no_such_object(String::new())),
        Err(Error::InvalidCredentials) if me.is_none() => fail(no_such_object(String::new())),
        Err(e) => fail(from_error(&e)),
    }
}

/// RFC 3062 §2: the response value holds only `genPasswd`, so without a
/// generated password there is no value at all (slapd sends none).
/// ldap3_proto always sends one, an empty SEQUENCE (`30 00`) in that case,
/// which python's ldap3 cannot decode.
fn password_modify_response(id: i32, res: LdapResult, gen_password: Option<String>) -> Reply {
    let generated = gen_password.is_some();
    let mut response = LdapExtendedResponse::from(LdapPasswordModifyResponse { res, gen_password });
    if !generated {
        response.value = None;
    }
    Reply::one(id, LdapOp::ExtendedResponse(response))
}

/// The unsolicited notice sent before the server closes a connection.
pub fn notice_of_disconnection(code: LdapResultCode, message: &str) -> LdapMsg {
    LdapMsg {
        msgid: 0,
        op: LdapOp::ExtendedResponse(LdapExtendedResponse {
            res: result(code, message),
            name: Some(OID_NOTICE_OF_DISCONNECTION.to_owned()),
            value: None,
        }),
        ctrl: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ldap::codec::Codec;
    use bytes::BytesMut;
    use tokio_util::codec::Encoder;

    fn encoded(reply: Reply) -> Vec<u8> {
        let mut buf = BytesMut::new();
        for msg in reply.msgs {
            Codec::new(1 << 20).encode(msg, &mut buf).unwrap();
        }
        buf.to_vec()
    }

    #[test]
    fn password_modify_sends_a_value_only_with_a_generated_password() {
        // LDAPMessage { 7, extendedResp [APPLICATION 24] { success, "", "" } }
        // and nothing after: no responseName, no responseValue.
        let plain = [
            0x30, 0x0c, 0x02, 0x01, 0x07, 0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00,
        ];
        assert_eq!(encoded(password_modify_response(7, success(), None)), plain);
        // A refusal carries no value either.
        let refused = result(LdapResultCode::InvalidCredentials, "");
        let mut refusal = plain;
        refusal[9] = 49;
        assert_eq!(encoded(password_modify_response(7, refused, None)), refusal);
        // responseValue [11] { SEQUENCE { genPasswd [0] "s3cret" } }.
        let generated = encoded(password_modify_response(
            7,
            success(),
            Some("s3cret".into()),
        ));
        let value = [
            0x8b, 0x0a, 0x30, 0x08, 0x80, 0x06, b's', b'3', b'c', b'r', b'e', b't',
        ];
        assert!(generated.ends_with(&value), "{generated:02x?}");
    }
}
