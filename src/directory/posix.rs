//! A user's POSIX identity as the core keeps it, for the front ends that
//! write it field by field (SCIM's POSIX extension, the admin API): the
//! numbers are the user's own fields; the home directory, login shell and
//! SSH keys are kept attributes under their LDAP names, so LDAP shows the
//! same values as posixAccount and ldapPublicKey. One place checks them.

use super::error::{Error, Result};
use super::kept::Kept;

const HOME: &str = "homeDirectory";
const SHELL: &str = "loginShell";
const KEYS: &str = "sshPublicKey";
/// The auxiliary class LDAP shows `sshPublicKey` with.
const KEY_CLASS: &str = "ldapPublicKey";

/// Changes to the kept part of a POSIX identity; `None` leaves a field as
/// it is, `Some(None)` / an empty list removes it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PosixKept {
    pub home_directory: Option<Option<String>>,
    pub login_shell: Option<Option<String>>,
    pub ssh_public_keys: Option<Vec<String>>,
}

impl PosixKept {
    /// Refuses values LDAP could not show: a path or shell must be printable
    /// ASCII on one line (IA5String), a key non-empty on one line.
    pub fn check(&self) -> Result<()> {
        for (name, v) in [
            ("homeDirectory", &self.home_directory),
            ("loginShell", &self.login_shell),
        ] {
            if let Some(Some(v)) = v {
                one_line(name, v)?;
                if !v.is_ascii() {
                    return Err(Error::invalid(format!("{name} must be ASCII")));
                }
            }
        }
        for key in self.ssh_public_keys.iter().flatten() {
            one_line("sshPublicKeys", key)?;
        }
        Ok(())
    }

    /// `kept` with these changes, and the class LDAP shows keys with when
    /// the client named classes of its own.
    pub fn apply_to(&self, kept: &Kept) -> Kept {
        let mut out = kept.clone();
        let one = |v: &Option<String>| v.iter().cloned().collect();
        if let Some(home) = &self.home_directory {
            out.set(HOME, one(home));
        }
        if let Some(shell) = &self.login_shell {
            out.set(SHELL, one(shell));
        }
        if let Some(keys) = &self.ssh_public_keys {
            out.set(KEYS, keys.clone());
        }
        let classes = out.get("objectClass");
        if !classes.is_empty()
            && !out.get(KEYS).is_empty()
            && !classes.iter().any(|c| c.eq_ignore_ascii_case(KEY_CLASS))
        {
            let mut classes = classes.to_vec();
            classes.push(KEY_CLASS.to_owned());
            out.set("objectClass", classes);
        }
        out
    }
}

/// The kept home directory, shell and keys of `kept`.
pub fn of(kept: &Kept) -> (Option<&str>, Option<&str>, &[String]) {
    let first = |name| kept.get(name).first().map(String::as_str);
    (first(HOME), first(SHELL), kept.get(KEYS))
}

fn one_line(name: &str, v: &str) -> Result<()> {
    if v.is_empty() || v.chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "{name} values are non-empty and on one line"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_replaced_and_keys_get_their_class() {
        let mut kept = Kept::default();
        kept.set("objectClass", vec!["inetOrgPerson".into()]);
        kept.set(SHELL, vec!["/bin/zsh".into()]);
        let change = PosixKept {
            home_directory: Some(Some("/srv/a".into())),
            login_shell: Some(None),
            ssh_public_keys: Some(vec!["ssh-ed25519 AAAA a@b".into()]),
        };
        change.check().unwrap();
        let out = change.apply_to(&kept);
        assert_eq!(
            of(&out),
            (
                Some("/srv/a"),
                None,
                &["ssh-ed25519 AAAA a@b".to_owned()][..]
            )
        );
        assert_eq!(out.get("objectClass"), ["inetOrgPerson", "ldapPublicKey"]);
        // Fields left out stay.
        assert_eq!(PosixKept::default().apply_to(&out), out);
        let bad = PosixKept {
            login_shell: Some(Some("/bin/sh\n/bin/x".into())),
            ..PosixKept::default()
        };
        assert!(bad.check().is_err());
        let bad = PosixKept {
            home_directory: Some(Some("/home/é".into())),
            ..PosixKept::default()
        };
        assert!(bad.check().is_err());
    }
}
