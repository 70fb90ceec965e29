//! Password hashing and verification. New passwords are hashed with argon2id
//! (parameters from the configuration); hashes imported from OpenLDAP (`{SSHA}`,
//! `{SSHA256}`, `{SSHA512}`, `{CRYPT}` with SHA-crypt, yescrypt or bcrypt
//! (see `crypt`), and `{ARGON2}`-prefixed PHC strings) verify too, and a
//! successful check against anything but current argon2id asks the caller to
//! rehash. Every comparison is constant-time. Also generates random secrets.
//! argon2 itself is in `argon2id`. These functions compute on the calling
//! thread: the core calls them through [`super::hash_pool`], which bounds how
//! many run at once.

use crate::directory::error::{Error, Result};
use crate::directory::model::SecretHash;
use argon2::Params;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use std::sync::OnceLock;
use subtle::ConstantTimeEq;

mod argon2id;
mod crypt;
pub mod policy;
pub use argon2id::peak as argon2_peak;
pub use argon2id::release_memory;

/// argon2id cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashParams {
    /// OWASP's recommended minimum for argon2id.
    fn default() -> Self {
        HashParams {
            memory_kib: Params::DEFAULT_M_COST,
            iterations: Params::DEFAULT_T_COST,
            parallelism: Params::DEFAULT_P_COST,
        }
    }
}

impl HashParams {
    /// Checks the parameters once, at start-up.
    pub fn validate(&self) -> Result<()> {
        self.argon2().map(|_| ())
    }
}

/// The outcome of a successful check.
#[derive(Debug, PartialEq, Eq)]
pub enum Verified {
    /// The stored hash is current.
    Current,
    /// The password is right but the stored hash should be replaced by a fresh
    /// argon2id hash with the configured parameters.
    Rehash,
}

/// Hashes a new password with argon2id and a random salt.
pub fn hash(params: &HashParams, password: &str) -> Result<SecretHash> {
    argon2id::hash(params, password)
}

/// Checks `password` against a stored hash. `None` = wrong password (or a hash
/// in a scheme dirgate does not know, which can never match).
pub fn verify(params: &HashParams, stored: &SecretHash, password: &str) -> Option<Verified> {
    let stored = stored.0.as_str();
    if let Some(phc) = strip_scheme(stored, "{ARGON2}") {
        return argon2id::verify(params, phc, password).map(|_| Verified::Rehash);
    }
    if stored.starts_with("$argon2") {
        return argon2id::verify(params, stored, password);
    }
    let ok = if let Some(b64) = strip_scheme(stored, "{SSHA}") {
        verify_salted::<Sha1>(b64, password)
    } else if let Some(b64) = strip_scheme(stored, "{SSHA256}") {
        verify_salted::<Sha256>(b64, password)
    } else if let Some(b64) = strip_scheme(stored, "{SSHA512}") {
        verify_salted::<Sha512>(b64, password)
    } else if let Some(mcf) = strip_scheme(stored, "{CRYPT}") {
        crypt::verify(mcf, password)
    } else {
        false
    };
    ok.then_some(Verified::Rehash)
}

/// Whether checking a password against `stored` is cheap: the salted SHA
/// schemes OpenLDAP writes, one digest over a few dozen bytes. argon2id (and
/// anything unknown) is not.
pub fn is_cheap(stored: &SecretHash) -> bool {
    ["{SSHA}", "{SSHA256}", "{SSHA512}"]
        .iter()
        .any(|s| strip_scheme(&stored.0, s).is_some())
}

/// Whether a value is a password hash dirgate can verify (for imports).
pub fn is_known_hash(value: &str) -> bool {
    let crypt = strip_scheme(value, "{CRYPT}").is_some_and(crypt::is_verifiable);
    value.starts_with("$argon2")
        || crypt
        || ["{ARGON2}", "{SSHA}", "{SSHA256}", "{SSHA512}"]
            .iter()
            .any(|s| strip_scheme(value, s).is_some())
}

fn strip_scheme<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let head = value.get(..scheme.len())?;
    head.eq_ignore_ascii_case(scheme)
        .then(|| &value[scheme.len()..])
}

/// A hash with these parameters, made once, for checks against no account.
pub fn dummy_hash(params: &HashParams) -> &'static SecretHash {
    static DUMMY: OnceLock<SecretHash> = OnceLock::new();
    DUMMY
        .get_or_init(|| hash(params, "dirgate-dummy").unwrap_or_else(|_| SecretHash(String::new())))
}

/// `{SSHA*}`: base64(digest(password + salt) + salt), as OpenLDAP writes it.
fn verify_salted<D: Digest>(b64: &str, password: &str) -> bool {
    let Ok(raw) = STANDARD.decode(b64.trim()) else {
        return false;
    };
    let len = <D as Digest>::output_size();
    if raw.len() <= len {
        return false;
    }
    let (digest, salt) = raw.split_at(len);
    let mut h = D::new();
    h.update(password.as_bytes());
    h.update(salt);
    h.finalize().as_slice().ct_eq(digest).into()
}

/// Builds an `{SSHA}` hash (used by tests and benchmarks to mimic imported data).
pub fn ssha(password: &str, salt: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(password.as_bytes());
    h.update(salt);
    let mut raw = h.finalize().to_vec();
    raw.extend_from_slice(salt);
    format!("{{SSHA}}{}", STANDARD.encode(raw))
}

/// `n` random bytes from the operating system.
pub fn random_bytes(n: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| Error::Internal(format!("random source: {e}")))?;
    Ok(buf)
}

/// A random secret as URL-safe text: `bytes` random bytes, base64 without padding.
pub fn random_secret(bytes: usize) -> Result<String> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes(bytes)?))
}

/// SHA-256 of a high-entropy secret (bearer tokens): fast is fine, as there is
/// nothing to guess.
pub fn sha256(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Constant-time equality of two byte strings.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> HashParams {
        HashParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        }
    }

    #[test]
    fn sha_crypt_hashes_from_shadow_and_openssl_verify() {
        // `openssl passwd -6 -salt saltsalt secret`, and Drepper's vectors.
        for (stored, password) in [
            (
                "{CRYPT}$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1",
                "secret",
            ),
            (
                "{crypt}$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5",
                "Hello world!",
            ),
            (
                "{CRYPT}$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.",
                "Hello world!",
            ),
        ] {
            let h = SecretHash(stored.into());
            assert!(is_known_hash(stored), "{stored}");
            assert!(!is_cheap(&h));
            assert_eq!(verify(&cheap(), &h, password), Some(Verified::Rehash));
            assert_eq!(verify(&cheap(), &h, "wrong"), None);
        }
        // MD5 crypt is not verified; rounds past the cap never match.
        let md5 = "{CRYPT}$1$saltsalt$qjXMvbEw8oaL.CzflDugX/";
        assert!(!is_known_hash(md5));
        let costly = "{CRYPT}$6$rounds=999999999$salt$x";
        assert!(!is_known_hash(costly));
        assert_eq!(verify(&cheap(), &SecretHash(costly.into()), "x"), None);
        // yescrypt as Debian writes it, behind OpenLDAP's scheme.
        let y = "{CRYPT}$y$j9T$LdJMENpBABJJ3hIHjB1Bi.$2zPj0tZ1z8mqvflX88A3xmsggLtOPQOx6WIVNZ7kNL7";
        assert!(is_known_hash(y));
        let y = SecretHash(y.into());
        assert_eq!(verify(&cheap(), &y, "s3cret pass"), Some(Verified::Rehash));
    }

    #[test]
    fn argon2id_round_trip() {
        let h = hash(&cheap(), "s3cret").unwrap();
        assert!(h.0.starts_with("$argon2id$"));
        assert_eq!(verify(&cheap(), &h, "s3cret"), Some(Verified::Current));
        assert_eq!(verify(&cheap(), &h, "wrong"), None);
        let stronger = HashParams {
            memory_kib: 128,
            ..cheap()
        };
        assert_eq!(verify(&stronger, &h, "s3cret"), Some(Verified::Rehash));
    }

    #[test]
    fn imported_openldap_hashes_verify_and_ask_for_rehash() {
        // OpenLDAP's layout, computed independently (Python hashlib) for "secret"
        // with an 8-byte salt, as slappasswd writes it.
        let from_slappasswd = SecretHash("{SSHA}8MF7n7lses6XMgqDptfSziQEWnWKHwOZxBB+Ug==".into());
        assert_eq!(
            verify(&cheap(), &from_slappasswd, "secret"),
            Some(Verified::Rehash)
        );
        assert_eq!(verify(&cheap(), &from_slappasswd, "Secret"), None);
        let ours = SecretHash(ssha("pw", b"saltsalt"));
        assert_eq!(verify(&cheap(), &ours, "pw"), Some(Verified::Rehash));
        for (scheme, salted) in [
            ("{SSHA256}", salted_b64::<Sha256>("pw", b"12345678")),
            ("{SSHA512}", salted_b64::<Sha512>("pw", b"12345678")),
        ] {
            let h = SecretHash(format!("{scheme}{salted}"));
            assert_eq!(verify(&cheap(), &h, "pw"), Some(Verified::Rehash));
            assert_eq!(verify(&cheap(), &h, "px"), None);
        }
    }

    fn salted_b64<D: Digest>(pw: &str, salt: &[u8]) -> String {
        let mut h = D::new();
        h.update(pw.as_bytes());
        h.update(salt);
        let mut raw = h.finalize().to_vec();
        raw.extend_from_slice(salt);
        STANDARD.encode(raw)
    }

    #[test]
    fn unknown_and_garbage_hashes_never_match() {
        for stored in [
            "",
            "{MD5}xyz",
            "{SSHA}",
            "{SSHA}!!!",
            "$argon2id$garbage",
            "plain",
        ] {
            assert_eq!(verify(&cheap(), &SecretHash(stored.into()), "plain"), None);
        }
    }

    #[test]
    fn secrets_are_random() {
        assert_ne!(random_secret(32).unwrap(), random_secret(32).unwrap());
        assert!(ct_eq(&sha256("a"), &sha256("a")));
        assert!(!ct_eq(&sha256("a"), &sha256("b")));
    }
}
