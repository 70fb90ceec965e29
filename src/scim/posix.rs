//! The POSIX identity of a user in dirgate's POSIX extension to SCIM
//! (`urn:dirgate:params:scim:schemas:extension:posix:2.0:User`): `uidNumber`,
//! `gidNumber`, `homeDirectory`, `loginShell` and `sshPublicKeys`, the same
//! stored values LDAP shows as posixAccount and ldapPublicKey attributes.
//! The numbers are the user's own (allocated when none is given, unique
//! among users for uidNumber); the rest is kept as written, and LDAP shows
//! the configured home directory and shell while none is.

use super::error::{ScimError, ScimResult};
use super::json::{as_list, get};
use crate::directory::kept::Kept;
use crate::directory::model::User;
use serde_json::{Map, Value, json};

/// The kept attributes these fields are (their LDAP names).
const HOME: &str = "homeDirectory";
const SHELL: &str = "loginShell";
const KEYS: &str = "sshPublicKey";
/// The auxiliary class LDAP needs to show `sshPublicKey`.
const KEY_CLASS: &str = "ldapPublicKey";

/// What a body's extension says of the POSIX identity. Numbers left out
/// stay as they are (a user always has them); the kept values left out are
/// removed, as a whole representation replaces them.
#[derive(Debug, Default, PartialEq)]
pub struct PosixInput {
    pub uid_number: Option<u32>,
    pub gid_number: Option<u32>,
    pub home_directory: Option<String>,
    pub login_shell: Option<String>,
    pub ssh_public_keys: Vec<String>,
}

/// The extension's POSIX fields for `u`.
pub fn render(u: &User, ext: &mut Map<String, Value>) {
    ext.insert("uidNumber".into(), json!(u.uid_number));
    ext.insert("gidNumber".into(), json!(u.gid_number));
    for (field, attr) in [("homeDirectory", HOME), ("loginShell", SHELL)] {
        if let Some(v) = u.attrs.get(attr).first() {
            ext.insert(field.into(), json!(v));
        }
    }
    let keys = u.attrs.get(KEYS);
    if !keys.is_empty() {
        let keys: Vec<Value> = keys.iter().map(|k| json!({"value": k})).collect();
        ext.insert("sshPublicKeys".into(), Value::Array(keys));
    }
}

/// Reads the POSIX fields of the extension object `o`.
pub fn parse(o: &Map<String, Value>) -> ScimResult<PosixInput> {
    let mut keys = Vec::new();
    for v in as_list(get(o, "sshPublicKeys")) {
        // A multi-valued string, or objects with a `value` as some clients send.
        let key = v
            .as_str()
            .or_else(|| v.get("value").and_then(Value::as_str))
            .ok_or_else(|| ScimError::invalid_value("'sshPublicKeys' holds strings"))?;
        keys.push(line("sshPublicKeys", key)?);
    }
    Ok(PosixInput {
        uid_number: number(o, "uidNumber")?,
        gid_number: number(o, "gidNumber")?,
        home_directory: text(o, "homeDirectory")?,
        login_shell: text(o, "loginShell")?,
        ssh_public_keys: keys,
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

/// A path or a shell: printable ASCII on one line (LDAP's IA5String).
fn text(o: &Map<String, Value>, name: &str) -> ScimResult<Option<String>> {
    match get(o, name).filter(|v| !v.is_null()) {
        None => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) if s.is_ascii() => line(name, s).map(Some),
        Some(_) => Err(ScimError::invalid_value(format!(
            "'{name}' must be a string of ASCII characters"
        ))),
    }
}

fn line(name: &str, s: &str) -> ScimResult<String> {
    if s.is_empty() || s.chars().any(char::is_control) {
        return Err(ScimError::invalid_value(format!(
            "'{name}' values are non-empty and on one line"
        )));
    }
    Ok(s.to_owned())
}

impl PosixInput {
    /// `kept` with these fields written into it: the home directory, shell
    /// and keys as given, and the class LDAP shows keys with when the
    /// client named classes of its own.
    pub fn apply_to(&self, kept: &Kept) -> Kept {
        let mut out = kept.clone();
        let one = |v: &Option<String>| v.iter().cloned().collect();
        out.set(HOME, one(&self.home_directory));
        out.set(SHELL, one(&self.login_shell));
        out.set(KEYS, self.ssh_public_keys.clone());
        let classes = out.get("objectClass");
        let named = !classes.is_empty();
        if named
            && !self.ssh_public_keys.is_empty()
            && !classes.iter().any(|c| c.eq_ignore_ascii_case(KEY_CLASS))
        {
            let mut classes = classes.to_vec();
            classes.push(KEY_CLASS.to_owned());
            out.set("objectClass", classes);
        }
        out
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
    }

    #[test]
    fn kept_values_are_replaced_and_keys_get_their_class() {
        let mut kept = Kept::default();
        kept.set("objectClass", vec!["inetOrgPerson".into()]);
        kept.set(SHELL, vec!["/bin/zsh".into()]);
        let input = PosixInput {
            home_directory: Some("/srv/a".into()),
            ssh_public_keys: vec!["ssh-ed25519 AAAA a@b".into()],
            ..PosixInput::default()
        };
        let out = input.apply_to(&kept);
        assert_eq!(out.get(HOME), ["/srv/a"]);
        assert!(out.get(SHELL).is_empty());
        assert_eq!(out.get("objectClass"), ["inetOrgPerson", "ldapPublicKey"]);
        let o = json!({"loginShell": "/bin/sh\n/bin/x"});
        assert!(parse(o.as_object().unwrap()).is_err());
    }
}
