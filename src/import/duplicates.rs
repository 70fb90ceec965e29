//! Finds a login given twice in one file, ignoring case.
//!
//! Login names are unique on the server ignoring case, so two rows for
//! "alice@example.com" and "ALICE@example.com" would fight over one account.
//! This is the one check that needs every row, and on a large file it was
//! the most expensive part of reading (one lower-cased copy of each login
//! as a hash key). Here each login is reduced to a 64-bit hash of its
//! lower-cased characters, computed without copying, and a hit is confirmed
//! by comparing the two logins; the rare real hash collision falls back to
//! a map keyed by the lower-cased text, so the answer is always exact.

use std::collections::hash_map::{Entry, HashMap};

/// Remembers the first row of every login seen so far.
#[derive(Debug)]
pub(super) struct Logins {
    /// Hash of the lower-cased login → index of the first row with it.
    by_hash: HashMap<u64, usize>,
    /// Logins whose hash was already taken by a different login.
    collided: HashMap<String, usize>,
    /// `hash_folded`; replaceable so tests can force collisions.
    hash: fn(&str) -> u64,
}

impl Default for Logins {
    fn default() -> Self {
        Logins::with_hash(hash_folded)
    }
}

impl Logins {
    fn with_hash(hash: fn(&str) -> u64) -> Self {
        Logins {
            by_hash: HashMap::new(),
            collided: HashMap::new(),
            hash,
        }
    }

    /// Records `login` as row `index`; returns the index of an earlier row
    /// with the same login, if any. `login_at` gives the login of an
    /// earlier row (the rows live with the caller).
    pub(super) fn insert<'r>(
        &mut self,
        login: &str,
        index: usize,
        login_at: impl Fn(usize) -> &'r str,
    ) -> Option<usize> {
        match self.by_hash.entry((self.hash)(login)) {
            Entry::Vacant(e) => {
                e.insert(index);
                None
            }
            Entry::Occupied(e) if same_login(login_at(*e.get()), login) => Some(*e.get()),
            Entry::Occupied(_) => match self.collided.entry(login.to_lowercase()) {
                Entry::Vacant(e) => {
                    e.insert(index);
                    None
                }
                Entry::Occupied(e) => Some(*e.get()),
            },
        }
    }
}

/// Lower-cased characters of a login, as compared.
fn folded(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().flat_map(char::to_lowercase)
}

fn same_login(a: &str, b: &str) -> bool {
    folded(a).eq(folded(b))
}

/// FNV-1a over the lower-cased characters: no allocation, and the map's
/// own hasher then only has to mix one u64.
fn hash_folded(s: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    folded(s).fold(OFFSET, |h, c| (h ^ u64::from(c)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(mut seen: Logins, logins: &[&str]) -> Vec<Option<usize>> {
        (0..logins.len())
            .map(|i| seen.insert(logins[i], i, |j| logins[j]))
            .collect()
    }

    #[test]
    fn finds_the_first_row_ignoring_case() {
        let logins = ["a@x.io", "b@x.io", "A@X.IO", "Ä@x.io", "ä@X.io", "a@x.io"];
        let found = run(Logins::default(), &logins);
        assert_eq!(found, [None, None, Some(0), None, Some(3), Some(0)]);
    }

    #[test]
    fn hash_collisions_stay_exact() {
        // Every login in one bucket exercises the fallback map.
        let logins = ["a@x.io", "b@x.io", "B@x.io", "c@x.io", "a@X.io", "C@x.io"];
        let found = run(Logins::with_hash(|_| 0), &logins);
        assert_eq!(found, [None, None, Some(1), None, Some(0), Some(3)]);
    }
}
