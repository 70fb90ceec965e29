//! argon2 itself: hashing new passwords with argon2id and checking PHC
//! strings, and a process-wide gauge of the computations running at once
//! (what the hashing pool bounds).

use super::{HashParams, Verified};
use crate::directory::error::{Error, Result};
use crate::directory::model::SecretHash;
use argon2::password_hash::phc::{ParamsString, PasswordHash};
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::atomic::{AtomicUsize, Ordering};

impl HashParams {
    pub(super) fn params(&self) -> Result<Params> {
        Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| Error::Internal(format!("argon2 parameters: {e}")))
    }

    pub(super) fn argon2(&self) -> Result<Argon2<'static>> {
        Ok(Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            self.params()?,
        ))
    }

    /// Whether `hash` is argon2id with exactly these parameters, read from its
    /// parameter string: comparing costs nothing, where hashing a probe to
    /// compare with would cost a second argon2 computation per login.
    /// Parameters that cannot be built count as current (no rehash loop).
    fn made(&self, hash: &PasswordHash) -> bool {
        match self.params().ok().map(|p| ParamsString::try_from(&p)) {
            Some(Ok(ours)) => ours == hash.params && hash.algorithm == Algorithm::Argon2id.ident(),
            _ => true,
        }
    }
}

/// Hashes a new password with argon2id and a random salt, as a PHC string.
pub(super) fn hash(params: &HashParams, password: &str) -> Result<SecretHash> {
    let argon2 = params.argon2()?;
    let _computing = computing();
    let phc = argon2
        .hash_password(password.as_bytes())
        .map_err(|e| Error::Internal(format!("argon2: {e}")))?;
    Ok(SecretHash(phc.to_string()))
}

/// Checks `password` against an argon2 PHC string. `None`: wrong password or
/// malformed hash.
pub(super) fn verify(params: &HashParams, phc: &str, password: &str) -> Option<Verified> {
    let parsed = PasswordHash::new(phc).ok()?;
    let _computing = computing();
    // The hash carries its own parameters; verification uses those.
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .ok()?;
    Some(if params.made(&parsed) {
        Verified::Current
    } else {
        Verified::Rehash
    })
}

/// argon2 computations running in this process now, and the most that ever
/// ran at once.
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The most argon2 computations that ran at once in this process so far.
pub fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

#[cfg(test)]
thread_local! {
    /// argon2 computations made on this thread (tests count their own).
    static COMPUTED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// One argon2 computation in progress, counted until dropped.
struct Computing;

/// Marks the start of one argon2 computation; it ends when the guard drops.
fn computing() -> Computing {
    let now = RUNNING.fetch_add(1, Ordering::Relaxed) + 1;
    PEAK.fetch_max(now, Ordering::Relaxed);
    #[cfg(test)]
    COMPUTED.with(|c| c.set(c.get() + 1));
    Computing
}

impl Drop for Computing {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::Relaxed);
    }
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

    fn computed() -> u32 {
        COMPUTED.with(|c| c.get())
    }

    /// A successful check costs one argon2 computation: the parameters are
    /// compared as text, not by hashing a probe.
    #[test]
    fn a_right_password_costs_one_argon2_computation() {
        let h = hash(&cheap(), "s3cret").unwrap();
        let before = computed();
        assert_eq!(verify(&cheap(), &h.0, "s3cret"), Some(Verified::Current));
        assert_eq!(computed() - before, 1);
    }
}
