//! argon2 itself: hashing new passwords with argon2id and checking PHC
//! strings, in working memory kept between computations, and a process-wide
//! gauge of the computations running at once (what the hashing pool bounds).
//!
//! Why keep the memory: each computation needs `memory_kib` (19 MiB by
//! default). Allocated afresh each time, the first buffer is mmapped and, once
//! freed, raises glibc's mmap threshold just above its size; every later one
//! then comes from a malloc heap, where freed buffers stay resident and
//! fragment: a flood of checks left hundreds of MiB behind even on two
//! threads. Kept, a burst costs `memory_kib` per computation running at once
//! (at most the hashing pool's workers), once. Kept for ever, though, it was
//! most of an idle small server's memory (two workers: 38 of 63 MiB), so the
//! spare buffers wait in one shared stash that the pool empties when it goes
//! idle ([`release_memory`]). A stored hash with a larger cost gets a buffer
//! of its own, freed after the check, so one such hash cannot pin that memory.

use super::{HashParams, Verified, random_bytes};
use crate::directory::error::{Error, Result};
use crate::directory::model::SecretHash;
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use subtle::ConstantTimeEq;

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

    /// Memory blocks one computation with these parameters uses.
    fn blocks(&self) -> usize {
        self.params().map_or(0, |p| p.block_count())
    }
}

/// Hashes a new password with argon2id and a random salt, as a PHC string.
pub(super) fn hash(params: &HashParams, password: &str) -> Result<SecretHash> {
    let argon2 = params.argon2()?;
    let salt = random_bytes(Salt::RECOMMENDED_LENGTH)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(
        &argon2,
        params.blocks(),
        password.as_bytes(),
        &salt,
        &mut out,
    )
    .map_err(internal)?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon2.params()).map_err(internal)?,
        salt: Some(Salt::new(&salt).map_err(internal)?),
        hash: Some(Output::new(&out).map_err(internal)?),
    };
    Ok(SecretHash(hash.to_string()))
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("argon2: {e}"))
}

/// Checks `password` against an argon2 PHC string (any variant, version and
/// cost: the hash carries its own). `None`: wrong password or malformed hash.
pub(super) fn verify(params: &HashParams, phc: &str, password: &str) -> Option<Verified> {
    let parsed = PasswordHash::new(phc).ok()?;
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return None;
    };
    let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).ok()?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::default(),
    };
    let argon2 = Argon2::new(algorithm, version, Params::try_from(&parsed).ok()?);
    let mut out = vec![0u8; expected.len()];
    compute(
        &argon2,
        params.blocks(),
        password.as_bytes(),
        salt,
        &mut out,
    )
    .ok()?;
    if !bool::from(expected.as_bytes().ct_eq(&out)) {
        return None;
    }
    Some(if params.made(&parsed) {
        Verified::Current
    } else {
        Verified::Rehash
    })
}

/// Working memory of finished computations, waiting for the next ones: as
/// many buffers as ever ran at once, each of the configured cost.
struct Stash(Mutex<Vec<Vec<Block>>>);

impl Stash {
    const fn new() -> Stash {
        Stash(Mutex::new(Vec::new()))
    }

    fn spare(&self) -> std::sync::MutexGuard<'_, Vec<Vec<Block>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A kept buffer of `blocks` blocks, or a new one.
    fn take(&self, blocks: usize) -> Vec<Block> {
        let kept = self.spare().pop();
        kept.filter(|m| m.len() == blocks)
            .unwrap_or_else(|| vec![Block::default(); blocks])
    }
}

/// The process's stash, which the hashing pool empties when it goes idle.
static STASH: Stash = Stash::new();

/// Frees the kept working memory. The next computation allocates afresh.
pub fn release_memory() {
    let spare = std::mem::take(&mut *STASH.spare());
    drop(spare);
}

/// Runs `argon2` into `out`: in kept memory (`keep` blocks, the configured
/// cost) when that is enough, else in a buffer of its own.
fn compute(
    argon2: &Argon2<'_>,
    keep: usize,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    compute_in(&STASH, argon2, keep, password, salt, out)
}

/// [`compute`] with the memory kept in `stash`.
fn compute_in(
    stash: &Stash,
    argon2: &Argon2<'_>,
    keep: usize,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    let _computing = computing();
    let needed = argon2.params().block_count();
    if needed > keep {
        let mut own = vec![Block::default(); needed];
        return argon2.hash_password_into_with_memory(password, salt, out, &mut own[..]);
    }
    // argon2 writes every block before it reads it: the previous check's
    // contents do not matter.
    let mut memory = stash.take(keep);
    let done = argon2.hash_password_into_with_memory(password, salt, out, &mut memory[..]);
    stash.spare().push(memory);
    done
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
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

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

    /// Our hashes are what the argon2 crate itself computes and checks, and
    /// its hashes (other variants, dirty kept memory) check here.
    #[test]
    fn kept_memory_gives_the_crates_answers() {
        let ours = hash(&cheap(), "pw").unwrap();
        let parsed = PasswordHash::new(&ours.0).unwrap();
        assert!(Argon2::default().verify_password(b"pw", &parsed).is_ok());
        for algorithm in [Algorithm::Argon2i, Algorithm::Argon2d, Algorithm::Argon2id] {
            let a = Argon2::new(algorithm, Version::V0x13, cheap().params().unwrap());
            let theirs = a.hash_password(b"pw").unwrap().to_string();
            let expected = (algorithm == Algorithm::Argon2id).then_some(Verified::Current);
            assert_eq!(
                verify(&cheap(), &theirs, "pw"),
                Some(expected.unwrap_or(Verified::Rehash))
            );
            assert_eq!(verify(&cheap(), &theirs, "px"), None);
        }
    }

    /// A stored hash costing more than the configuration is checked in a
    /// buffer of its own: the kept memory stays at the configured size.
    #[test]
    fn a_costlier_hash_does_not_grow_the_kept_memory() {
        let stronger = HashParams {
            memory_kib: 256,
            ..cheap()
        };
        let stash = Stash::new();
        let (argon2, keep) = (stronger.argon2().unwrap(), cheap().blocks());
        let mut out = [0u8; 32];
        compute_in(&stash, &argon2, keep, b"pw", b"saltsalt", &mut out).unwrap();
        assert!(stash.spare().is_empty());
        let argon2 = cheap().argon2().unwrap();
        compute_in(&stash, &argon2, keep, b"pw", b"saltsalt", &mut out).unwrap();
        let kept: Vec<usize> = stash.spare().iter().map(Vec::len).collect();
        assert_eq!(kept, [keep]);
    }

    /// A kept buffer is reused, not added to; the stash holds as many as ran
    /// at once.
    #[test]
    fn kept_memory_is_reused() {
        let stash = Stash::new();
        let (argon2, keep) = (cheap().argon2().unwrap(), cheap().blocks());
        let mut out = [0u8; 32];
        for _ in 0..3 {
            compute_in(&stash, &argon2, keep, b"pw", b"saltsalt", &mut out).unwrap();
        }
        assert_eq!(stash.spare().len(), 1);
        let second = stash.take(keep);
        compute_in(&stash, &argon2, keep, b"pw", b"saltsalt", &mut out).unwrap();
        stash.spare().push(second);
        assert_eq!(stash.spare().len(), 2);
    }

    /// After a release the next computation allocates afresh, and answers
    /// the same.
    #[test]
    fn released_memory_is_allocated_again() {
        let h = hash(&cheap(), "pw").unwrap();
        release_memory();
        assert_eq!(verify(&cheap(), &h.0, "pw"), Some(Verified::Current));
        assert_eq!(verify(&cheap(), &h.0, "px"), None);
    }
}
