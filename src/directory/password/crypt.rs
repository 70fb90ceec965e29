//! `{CRYPT}` hashes: the crypt(3) strings of /etc/shadow and of OpenLDAP
//! directories migrated from it. SHA-crypt (`$5$`, `$6$`), yescrypt (`$y$`,
//! what Debian, Ubuntu, Fedora and Arch write since 2021) and bcrypt
//! (`$2a$`, `$2b$`, `$2y$`) are checked by RustCrypto's crates. A hash
//! whose cost parameters ask for more than dirgate spends on one check is
//! not verifiable: the import refuses it, and a bind against it never
//! matches, so that nobody who writes a hash decides what a bind costs.
//! MD5-crypt (`$1$`), DES and other schemes are not verifiable.

use std::str::FromStr;

/// At most this many SHA-crypt rounds: glibc writes 5,000 by default and
/// passlib 656,000.
pub const MAX_SHA_ROUNDS: u32 = 1_000_000;

/// At most this much memory for one yescrypt check: four times what
/// libxcrypt's default cost (`j9T`, 16 MiB) takes.
pub const MAX_YESCRYPT_BYTES: u64 = 64 << 20;

/// At most this bcrypt cost (2^13 rounds, about half a second); 10 to 12
/// is what applications write.
pub const MAX_BCRYPT_COST: u32 = 13;

/// The schemes checked, once their cost is known to be within bounds.
enum Scheme {
    Sha,
    Yescrypt,
    Bcrypt,
}

/// Whether `mcf` (the hash after `{CRYPT}`) is one dirgate can check
/// within its bounds.
pub fn is_verifiable(mcf: &str) -> bool {
    scheme(mcf).is_some()
}

/// Checks `password` against `mcf`; false for a wrong password and for a
/// hash that is not verifiable.
pub fn verify(mcf: &str, password: &str) -> bool {
    // One trait (password-hash's) for both crates.
    use sha_crypt::{PasswordVerifier as _, ShaCrypt};
    use yescrypt::Yescrypt;
    match scheme(mcf) {
        Some(Scheme::Sha) => ShaCrypt::default()
            .verify_password(password.as_bytes(), mcf)
            .is_ok(),
        Some(Scheme::Yescrypt) => Yescrypt::default()
            .verify_password(password.as_bytes(), mcf)
            .is_ok(),
        Some(Scheme::Bcrypt) => bcrypt::verify(password, mcf).unwrap_or(false),
        None => false,
    }
}

fn scheme(mcf: &str) -> Option<Scheme> {
    let mut fields = mcf.split('$');
    if !fields.next()?.is_empty() {
        return None;
    }
    let id = fields.next()?;
    let params = fields.next()?;
    match id {
        "5" | "6" => sha_rounds_ok(params).then_some(Scheme::Sha),
        "y" => yescrypt_ok(params).then_some(Scheme::Yescrypt),
        "2a" | "2b" | "2y" => bcrypt_ok(mcf, params).then_some(Scheme::Bcrypt),
        _ => None,
    }
}

/// `rounds=N` when given (else the default 5,000); the field is otherwise
/// the salt.
fn sha_rounds_ok(field: &str) -> bool {
    match field.strip_prefix("rounds=") {
        Some(n) => n.parse::<u32>().is_ok_and(|n| n <= MAX_SHA_ROUNDS),
        None => true,
    }
}

/// The parameters libxcrypt writes: one lane, no extra time factor, no
/// upgrades, and the memory within the cap.
fn yescrypt_ok(field: &str) -> bool {
    use yescrypt::{Mode, Params};
    let Ok(params) = Params::from_str(field) else {
        return false;
    };
    let plain = [Mode::Classic, Mode::Worm, Mode::Rw]
        .into_iter()
        .any(|m| Params::new(m, params.n(), params.r(), 1).is_ok_and(|p| p == params));
    let bytes = 128u64
        .saturating_mul(params.n())
        .saturating_mul(u64::from(params.r()));
    plain && bytes <= MAX_YESCRYPT_BYTES
}

/// Sixty characters with a two-digit cost within the cap.
fn bcrypt_ok(mcf: &str, cost: &str) -> bool {
    mcf.len() == 60
        && mcf.is_ascii()
        && cost.len() == 2
        && cost
            .parse::<u32>()
            .is_ok_and(|c| (4..=MAX_BCRYPT_COST).contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Written by Debian's libxcrypt (perl's crypt()) for "s3cret pass".
    const YESCRYPT: &str =
        "$y$j9T$LdJMENpBABJJ3hIHjB1Bi.$2zPj0tZ1z8mqvflX88A3xmsggLtOPQOx6WIVNZ7kNL7";
    const YESCRYPT_HUGE: &str =
        "$y$jFT$LdJMENpBABJJ3hIHjB1Bi.$S/eXA/nOj7KvbsJvJe6fUOKmUg0w1hcCrfkTcdKBvW9";
    const BCRYPT: &str = "$2b$05$abcdefghijklmnopqrstuu1qdcFaS0PtqFUPzaCxLQ8/0lspH0ZEW";
    const MD5: &str = "$1$saltsalt$5lF22gyv5RCQWSRkctJIT0";

    #[test]
    fn libxcrypt_hashes_verify() {
        for h in [YESCRYPT, BCRYPT] {
            assert!(is_verifiable(h), "{h}");
            assert!(verify(h, "s3cret pass"), "{h}");
            assert!(!verify(h, "s3cret pas"), "{h}");
        }
        let y2 = BCRYPT.replacen("$2b$", "$2y$", 1);
        assert!(verify(&y2, "s3cret pass"));
    }

    #[test]
    fn costs_past_the_caps_and_other_schemes_are_not_verifiable() {
        for h in [
            YESCRYPT_HUGE,
            MD5,
            "$6$rounds=999999999$salt$x",
            "$2b$31$abcdefghijklmnopqrstuu1qdcFaS0PtqFUPzaCxLQ8/0lspH0ZEW",
            "$2b$05$short",
            "$y$$",
            "$y$jZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ$s$h",
            "ab$1$x",
            "",
        ] {
            assert!(!is_verifiable(h), "{h}");
            assert!(!verify(h, "s3cret pass"), "{h}");
        }
    }
}
