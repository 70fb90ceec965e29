//! The second factor: TOTP (RFC 6238; HMAC-SHA1, six digits, 30-second
//! steps, one step of clock skew either way, by totp-rs) and recovery codes.
//!
//! A user enrols its own ([`Directory::begin_second_factor`]): a fresh
//! secret, shown once as a base32 text, an `otpauth://` URI and a QR code;
//! a first code confirms it ([`Directory::confirm_second_factor`]) and
//! hands out ten recovery codes, kept as SHA-256 hashes and each good once.
//! From then on the console and the admin API ask for a code at every
//! sign-in, and LDAP binds do when the organization requires it
//! (`require_second_factor`; see `auth`). A code is taken once: the step it
//! belongs to is recorded, and no code of that step or an earlier one works
//! again. The user removes its factor with a code; an administrator who may
//! reset its password removes it for a lost phone
//! ([`Directory::remove_second_factor`]).

use super::acl::Action;
use super::audit::Protocol;
use super::error::{Error, Result};
use super::model::{Millis, SecondFactor, User, now};
use super::password::policy::PasswordPolicy;
use super::{Change, Directory, Request, password};
use crate::store::Tx;
use totp_rs::{Builder, Secret, Totp};
use uuid::Uuid;

/// Recovery codes handed out at enrolment.
const RECOVERY_CODES: usize = 10;
/// The issuer authenticator apps show beside the login.
const ISSUER: &str = "dirgate";

/// What a user needs to add the factor to an authenticator app: shown once.
#[derive(Clone, Debug)]
pub struct Enrolment {
    /// The secret in base32, for typing in.
    pub secret: String,
    /// The `otpauth://totp/…` URI the QR code carries.
    pub uri: String,
    /// The QR code, as an SVG document.
    pub qr_svg: String,
}

/// The TOTP generator of a secret (RFC 6238's recommended parameters).
fn totp(secret: &[u8]) -> Result<Totp> {
    Builder::new()
        .with_secret(Secret::from(secret.to_vec()))
        .build()
        .map_err(|e| Error::Internal(format!("second factor: {e:?}")))
}

/// Seconds since 1970, as TOTP counts.
fn unix_secs(t: Millis) -> u64 {
    u64::try_from(t / 1000).unwrap_or(0)
}

/// The time step of `code` under `factor` now, if it is one of the
/// window's and newer than the last one taken.
fn code_step(factor: &SecondFactor, code: &str, at: Millis) -> Result<Option<u64>> {
    let step = totp(&factor.secret)?.check(code.trim(), unix_secs(at));
    Ok(step.filter(|s| *s > factor.last_step))
}

/// Takes `code` for `user`'s confirmed factor: a TOTP code (recording its
/// step) or an unused recovery code (spending it). Whether it was good;
/// the caller stores the user.
pub(crate) fn take_code(user: &mut User, code: &str, at: Millis) -> Result<bool> {
    match user.second_factor.as_mut().filter(|f| f.confirmed) {
        Some(factor) => take(factor, code, at),
        None => Ok(false),
    }
}

/// [`take_code`] on the factor itself.
fn take(factor: &mut SecondFactor, code: &str, at: Millis) -> Result<bool> {
    if let Some(step) = code_step(factor, code, at)? {
        factor.last_step = step;
        return Ok(true);
    }
    let hash = password::sha256(code.trim());
    let before = factor.recovery.len();
    factor
        .recovery
        .retain(|h| !password::ct_eq(h.as_slice(), hash.as_slice()));
    Ok(factor.recovery.len() < before)
}

/// What a sign-in must present besides the password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Need {
    Nothing,
    /// The password followed by a code.
    Code,
    /// A code, which the account cannot give: it has no factor yet (an
    /// organization that requires one for LDAP binds).
    Enrol,
}

/// What `user` must present over `protocol`: the console and the admin API
/// ask every enrolled account; LDAP asks when its organization requires
/// it, unless the account is exempt ("No 2nd Factor"). SCIM and imports
/// sign nobody in.
pub(crate) fn need(user: &User, policy: &PasswordPolicy, protocol: Protocol) -> Need {
    let has = enrolled(user);
    match protocol {
        Protocol::Admin | Protocol::Console if has => Need::Code,
        Protocol::Ldap if policy.require_second_factor && !user.flags.no_second_factor => {
            if has {
                Need::Code
            } else {
                Need::Enrol
            }
        }
        _ => Need::Nothing,
    }
}

/// A password followed by a code, split: six digits, or a recovery code
/// (`xxxxx-xxxxx`, base32 in lower case). `None` when it ends in neither
/// after at least one character.
pub(crate) fn split(presented: &str) -> Option<(&str, &str)> {
    let tail = |n: usize| {
        let at = presented.len().checked_sub(n).filter(|at| *at > 0)?;
        Some((presented.get(..at)?, presented.get(at..)?))
    };
    let base32 = |b: u8| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b);
    let recovery = tail(11).filter(|(_, c)| {
        c.bytes()
            .enumerate()
            .all(|(i, b)| if i == 5 { b == b'-' } else { base32(b) })
    });
    recovery.or_else(|| tail(6).filter(|(_, c)| c.bytes().all(|b| b.is_ascii_digit())))
}

/// Whether `user` has a confirmed second factor.
pub fn enrolled(user: &User) -> bool {
    user.second_factor.as_ref().is_some_and(|f| f.confirmed)
}

impl Directory {
    /// Starts enrolling a second factor for the actor's own account (again,
    /// if an unconfirmed one is pending). Refused while one is confirmed:
    /// removing it first takes a code.
    pub fn begin_second_factor(&self, req: &Request) -> Result<Enrolment> {
        let id = own_id(req)?;
        let secret = password::random_bytes(20)?;
        let user = self.write(req, |tx| {
            let mut user = self.own_account(tx, req, id)?;
            if enrolled(&user) {
                return Err(Error::conflict(
                    "a second factor is enrolled: remove it (with a code) before enrolling another",
                ));
            }
            user.second_factor = Some(SecondFactor {
                secret: secret.clone(),
                confirmed: false,
                last_step: 0,
                recovery: Vec::new(),
                created: now(),
            });
            tx.put_user(&user)?;
            Ok(user)
        })?;
        enrolment(&user.login, &secret)
    }

    /// Confirms the pending factor with a first code; the recovery codes,
    /// shown once.
    pub fn confirm_second_factor(&self, req: &Request, code: &str) -> Result<Vec<String>> {
        let id = own_id(req)?;
        let codes = (0..RECOVERY_CODES)
            .map(|_| recovery_code())
            .collect::<Result<Vec<_>>>()?;
        self.write(req, |tx| {
            let mut user = self.own_account(tx, req, id)?;
            let at = now();
            let factor = match user.second_factor.as_mut() {
                Some(f) if !f.confirmed => f,
                _ => {
                    return Err(Error::conflict(
                        "no second factor is waiting for its first code",
                    ));
                }
            };
            let Some(step) = code_step(factor, code, at)? else {
                return Err(Error::invalid(
                    "the code does not match: check the app's clock, then try the next code",
                ));
            };
            factor.confirmed = true;
            factor.last_step = step;
            factor.recovery = codes.iter().map(|c| password::sha256(c)).collect();
            self.log_factor(tx, req, &mut user, "second-factor.enrol", None)?;
            Ok(())
        })?;
        Ok(codes)
    }

    /// Removes `id`'s second factor: the account's own, with a code (or a
    /// recovery code), or another's as an administrator who may reset its
    /// password (a lost phone; audited as a reset).
    pub fn remove_second_factor(&self, req: &Request, id: Uuid, code: Option<&str>) -> Result<()> {
        self.write(req, |tx| {
            let own = req.actor.id == Some(id);
            let action = if own {
                Action::ManageOwnSecondFactor
            } else {
                Action::ResetSecondFactor
            };
            let mut user = self.user_for(tx, req, action, id)?;
            self.authorize(req, action, self.target_of(tx, &user)?)?;
            if user.second_factor.is_none() {
                return Err(Error::not_found(format!(
                    "a second factor of {}",
                    user.login
                )));
            }
            if own && enrolled(&user) && !take_code(&mut user, code.unwrap_or_default(), now())? {
                return Err(Error::invalid("the code does not match"));
            }
            user.second_factor = None;
            let what = if own {
                "second-factor.remove"
            } else {
                "second-factor.reset"
            };
            self.log_factor(tx, req, &mut user, what, None)
        })
    }

    /// Whether the sign-in gave what `need` asks besides the password: a
    /// code, taken once (one write: the step it was taken at, or the
    /// recovery code spent).
    pub(crate) fn factor_taken(
        &self,
        req: &Request,
        user: &User,
        need: Need,
        code: Option<&str>,
    ) -> Result<bool> {
        match (need, code) {
            (Need::Nothing, _) => Ok(true),
            (Need::Enrol, _) | (Need::Code, None) => Ok(false),
            (Need::Code, Some(code)) => self.write(req, |tx| {
                let Some(mut fresh) = tx.user(user.id)? else {
                    return Ok(false);
                };
                let taken = take_code(&mut fresh, code, now())?;
                if taken {
                    tx.put_user(&fresh)?;
                }
                Ok(taken)
            }),
        }
    }

    /// Removes the actor's own second factor, with a code.
    pub fn remove_own_second_factor(&self, req: &Request, code: &str) -> Result<()> {
        self.remove_second_factor(req, own_id(req)?, Some(code))
    }

    /// The actor's own account, refused unless it may manage its factor.
    fn own_account(&self, tx: &Tx, req: &Request, id: Uuid) -> Result<User> {
        let user = self.user_for(tx, req, Action::ManageOwnSecondFactor, id)?;
        self.authorize(
            req,
            Action::ManageOwnSecondFactor,
            self.target_of(tx, &user)?,
        )?;
        Ok(user)
    }

    /// Audits a change to the factor and stores the user.
    fn log_factor(
        &self,
        tx: &mut Tx,
        req: &Request,
        user: &mut User,
        action: &'static str,
        detail: Option<String>,
    ) -> Result<()> {
        let change = Change {
            action,
            target: &user.login,
            target_id: Some(user.id),
            org: user.org,
            detail,
        };
        user.version = self.log(tx, req, change)?;
        user.modified = now();
        tx.put_user(user)?;
        Ok(())
    }
}

/// The actor's own user id: only accounts enrol.
fn own_id(req: &Request) -> Result<Uuid> {
    match (&req.actor.kind, req.actor.id) {
        (super::acl::ActorKind::User(_), Some(id)) => Ok(id),
        _ => Err(Error::invalid(
            "only a user's own account enrols a second factor",
        )),
    }
}

/// A recovery code: ten base32 characters in two groups (50 bits).
fn recovery_code() -> Result<String> {
    let text = Secret::from(password::random_bytes(7)?).to_base32();
    Ok(format!("{}-{}", &text[..5], &text[5..10]).to_lowercase())
}

/// The secret as apps take it: base32, the URI and its QR code.
fn enrolment(login: &str, secret: &[u8]) -> Result<Enrolment> {
    let base32 = Secret::from(secret.to_vec()).to_base32();
    let label = percent(&format!("{ISSUER}:{login}"));
    let uri = format!(
        "otpauth://totp/{label}?secret={base32}&issuer={ISSUER}&algorithm=SHA1&digits=6&period=30"
    );
    let qr = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| Error::Internal(format!("QR code: {e}")))?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    Ok(Enrolment {
        secret: base32,
        uri,
        qr_svg,
    })
}

/// Percent-encodes a URI path label (RFC 3986 unreserved kept).
fn percent(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@' | b':') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The current code of `secret` (for tests and the CLI's documentation).
pub fn current_code(secret_base32: &str, at: Millis) -> Option<String> {
    let secret = Secret::try_from_base32(secret_base32).ok()?;
    let totp = totp(secret.as_ref()).ok()?;
    Some(totp.generate(unix_secs(at)).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's SHA-1 test vectors (eight digits there; six here are
    /// their last six).
    #[test]
    fn codes_follow_rfc_6238() {
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        for (t, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(current_code(&secret, t * 1000).as_deref(), Some(code));
        }
    }

    #[test]
    fn a_password_splits_from_its_code() {
        assert_eq!(split("secret123456"), Some(("secret", "123456")));
        assert_eq!(split("123456"), None);
        assert_eq!(split("secret12345x"), None);
        assert_eq!(split("pässwört654321"), Some(("pässwört", "654321")));
        assert_eq!(split("secretabcde-fgh23"), Some(("secret", "abcde-fgh23")));
    }

    #[test]
    fn a_code_is_taken_once_and_a_recovery_code_once() {
        let mut factor = SecondFactor {
            secret: b"12345678901234567890".to_vec(),
            confirmed: true,
            last_step: 0,
            recovery: vec![password::sha256("abcde-fghij")],
            created: 0,
        };
        let at = 59_000;
        assert!(take(&mut factor, "287082", at).unwrap());
        assert!(!take(&mut factor, "287082", at).unwrap());
        assert!(!take(&mut factor, "000000", at).unwrap());
        assert!(take(&mut factor, "abcde-fghij", at).unwrap());
        assert!(!take(&mut factor, "abcde-fghij", at).unwrap());
    }
}
