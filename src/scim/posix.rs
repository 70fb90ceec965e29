//! The POSIX identity of a user in dirgate's POSIX extension to SCIM
//! (`urn:dirgate:params:scim:schemas:extension:posix:2.0:User`): `uidNumber`,
//! `gidNumber`, `homeDirectory`, `loginShell` and `sshPublicKeys`, the same
//! stored values LDAP shows as posixAccount and ldapPublicKey attributes
//! (the core's [`PosixKept`] checks and keeps them). The numbers are the
//! user's own (allocated when none is given, unique among users for
//! uidNumber); LDAP shows the configured home directory and shell while
//! none is written.

use super::error::{ScimError, ScimResult};
use super::json::{as_list, get};
use crate::directory::model::User;
use crate::directory::posix::{self, PosixKept};
use serde_json::{Map, Value, json};

/// What a body's extension says of the POSIX identity. Numbers left out
/// stay as they are (a user always has them); the kept values left out are
/// removed, as a whole representation replaces them.
#[derive(Debug, Default, PartialEq)]
pub struct PosixInput {
    pub uid_number: Option<u32>,
    pub gid_number: Option<u32>,
    pub kept: PosixKept,
}

/// The extension's POSIX fields for `u`.
pub fn render(u: &User, ext: &mut Map<String, Value>) {
    ext.insert("uidNumber".into(), json!(u.uid_number));
    ext.insert("gidNumber".into(), json!(u.gid_number));
    let (home, shell, keys) = posix::of(&u.attrs);
    if let Some(home) = home {
        ext.insert("homeDirectory".into(), json!(home));
    }
    if let Some(shell) = shell {
        ext.insert("loginShell".into(), json!(shell));
    }
    if !keys.is_empty() {
        let keys: Vec<Value> = keys.iter().map(|k| json!({"value": k})).collect();
        ext.insert("sshPublicKeys".into(), Value::Array(keys));
    }
}

/// Reads the POSIX fields of the extension object `o`.
pub fn parse(o: &Map<String, Value>) -> ScimResult<PosixInput> {
    let mut keys = Vec::new();
    for v in as_list(get(o, "sshPublicKeys")) {
        // Objects with a `value`, or plain strings as some clients send.
        let key = v
            .as_str()
            .or_else(|| v.get("value").and_then(Value::as_str))
            .ok_or_else(|| ScimError::invalid_value("'sshPublicKeys' holds keys"))?;
        keys.push(key.to_owned());
    }
    let kept = PosixKept {
        home_directory: Some(text(o, "homeDirectory")?),
        login_shell: Some(text(o, "loginShell")?),
        ssh_public_keys: Some(keys),
    };
    kept.check()?;
    Ok(PosixInput {
        uid_number: number(o, "uidNumber")?,
        gid_number: number(o, "gidNumber")?,
        kept,
    })
}

fn number(o: &Map<String, Value>, name: &str) -> ScimResult<Option<u32>> {
    let Some(v) = get(o, name).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let n = v
        .as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .and_then(|n| u32::try_from(n).ok());
    n.map(Some).ok_or_else(|| {
        ScimError::invalid_value(format!("'{name}' must be an integer from 0 to 4294967295"))
    })
}

fn text(o: &Map<String, Value>, name: &str) -> ScimResult<Option<String>> {
    match get(o, name).filter(|v| !v.is_null()) {
        None => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ScimError::invalid_value(format!(
            "'{name}' must be a string"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_unsigned_32_bit() {
        let o = |v: Value| json!({"uidNumber": v}).as_object().unwrap().clone();
        assert_eq!(parse(&o(json!(1001))).unwrap().uid_number, Some(1001));
        assert_eq!(parse(&o(json!("1002"))).unwrap().uid_number, Some(1002));
        assert!(parse(&o(json!(-1))).is_err());
        assert!(parse(&o(json!(4_294_967_296u64))).is_err());
        assert!(parse(&o(json!("x"))).is_err());
        let shell = json!({"loginShell": "/bin/sh\n/bin/x"});
        assert!(parse(shell.as_object().unwrap()).is_err());
    }
}
