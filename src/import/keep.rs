//! The previews kept in memory between upload and confirm, and the memory
//! they hold. Each preview's size is counted when it is made (its rows, its
//! plan, its problems), and what the kept previews hold is capped per actor
//! (`import.max_preview_bytes_per_actor`) and in total
//! (`import.max_preview_bytes_total`). Past a cap a new preview is refused
//! until older ones are confirmed, discarded or expire: a confirmed preview
//! is kept for its report while there is room, and dropped first when a new
//! preview needs the room. Knows nothing of files or of the directory.

use super::preview::{ImportError, InvalidRow, LineError, Preview};
use crate::directory::imports::{ImportRow, PlannedRow, RowProblem, SeatCheck};
use std::collections::HashMap;
use std::mem::size_of;
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::Instant;
use uuid::Uuid;

/// The kept previews and their caps.
pub(super) struct Kept {
    previews: Mutex<HashMap<Uuid, Arc<Preview>>>,
    per_actor: usize,
    total: usize,
}

/// A poisoned lock only means another request panicked mid-way; the map of
/// previews (or a preview's result) is still consistent, so carry on with it.
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Kept {
    pub(super) fn new(per_actor: usize, total: usize) -> Kept {
        Kept {
            previews: Mutex::new(HashMap::new()),
            per_actor,
            total,
        }
    }

    /// The live previews, expired ones dropped first.
    fn live(&self) -> MutexGuard<'_, HashMap<Uuid, Arc<Preview>>> {
        let mut map = lock(&self.previews);
        let at = Instant::now();
        map.retain(|_, p| p.deadline > at);
        map
    }

    /// Refuses at once an actor whose pending previews already fill its
    /// share, so that its next file is not even read.
    pub(super) fn check_room(&self, owner: Option<Uuid>) -> Result<(), ImportError> {
        let map = self.live();
        let held = pending(&map, |p| p.owner == owner);
        if held >= self.per_actor {
            return Err(full(held, 0, self.per_actor, PER_ACTOR));
        }
        Ok(())
    }

    /// Keeps `preview` if its bytes fit under both caps beside the pending
    /// (unconfirmed) previews, dropping confirmed ones, oldest first, to
    /// make the room.
    pub(super) fn insert(&self, preview: Arc<Preview>) -> Result<(), ImportError> {
        let mut map = self.live();
        let need = preview.bytes;
        let owner = preview.owner;
        let mine = pending(&map, |p| p.owner == owner);
        if mine.saturating_add(need) > self.per_actor {
            return Err(full(mine, need, self.per_actor, PER_ACTOR));
        }
        let all = pending(&map, |_| true);
        if all.saturating_add(need) > self.total {
            return Err(full(all, need, self.total, TOTAL));
        }
        make_room(&mut map, need, self.per_actor, |p| p.owner == owner);
        make_room(&mut map, need, self.total, |_| true);
        map.insert(preview.id, preview);
        Ok(())
    }

    pub(super) fn find(&self, id: Uuid) -> Option<Arc<Preview>> {
        self.live().get(&id).cloned()
    }

    pub(super) fn remove(&self, id: Uuid) {
        self.live().remove(&id);
    }
}

const PER_ACTOR: &str = "import.max_preview_bytes_per_actor";
const TOTAL: &str = "import.max_preview_bytes_total";

fn full(held: usize, need: usize, limit: usize, key: &'static str) -> ImportError {
    ImportError::PreviewsFull {
        held,
        need,
        limit,
        key,
    }
}

/// Bytes held by the pending previews that `counted` selects.
fn pending(map: &HashMap<Uuid, Arc<Preview>>, counted: impl Fn(&Preview) -> bool) -> usize {
    map.values()
        .filter(|p| counted(p) && !applied(p))
        .map(|p| p.bytes)
        .sum()
}

/// Drops confirmed previews among those `counted` selects, oldest first,
/// until they and `need` fit in `limit`.
fn make_room(
    map: &mut HashMap<Uuid, Arc<Preview>>,
    need: usize,
    limit: usize,
    counted: impl Fn(&Preview) -> bool,
) {
    let held = |map: &HashMap<Uuid, Arc<Preview>>| -> usize {
        map.values().filter(|p| counted(p)).map(|p| p.bytes).sum()
    };
    while held(map).saturating_add(need) > limit {
        let oldest = map
            .values()
            .filter(|p| counted(p) && applied(p))
            .min_by_key(|p| p.deadline)
            .map(|p| p.id);
        match oldest {
            Some(id) => map.remove(&id),
            None => break,
        };
    }
}

/// Whether a preview was confirmed. One being confirmed right now (its lock
/// held through the apply) counts as pending, and is not waited for.
fn applied(p: &Preview) -> bool {
    match p.applied.try_lock() {
        Ok(done) => done.is_some(),
        Err(TryLockError::Poisoned(e)) => e.into_inner().is_some(),
        Err(TryLockError::WouldBlock) => false,
    }
}

/// The bytes a preview holds: its own fields and every row, plan entry,
/// problem and warning with its text. An estimate (allocator overhead is not
/// counted), but one that grows with everything the file put in it.
pub(super) fn footprint(p: &Preview) -> usize {
    size_of::<Preview>()
        + p.owner_name.len()
        + p.rows.iter().map(import_row).sum::<usize>()
        + p.plan.rows.iter().map(planned_row).sum::<usize>()
        + p.plan.problems.iter().map(problem).sum::<usize>()
        + p.plan.seats.iter().map(seat).sum::<usize>()
        + p.errors.iter().map(line_error).sum::<usize>()
        + p.invalid.iter().map(invalid_row).sum::<usize>()
        + p.warnings
            .iter()
            .map(|w| size_of::<String>() + w.len())
            .sum::<usize>()
}

/// A B-tree map's entry of a name and a text, with the tree's own overhead
/// roughly counted (nodes hold up to 11 entries).
const TEXT_ENTRY: usize = 2 * size_of::<(&str, Option<String>)>();

fn text(s: &Option<String>) -> usize {
    s.as_deref().map_or(0, str::len)
}

fn import_row(r: &ImportRow) -> usize {
    size_of::<ImportRow>()
        + r.login.len()
        + r.organization.len()
        + r.email.len()
        + text(&r.given_name)
        + text(&r.family_name)
        + text(&r.display_name)
        + r.texts
            .iter()
            .map(|(_, v)| size_of::<(usize, String)>() + v.len())
            .sum::<usize>()
}

fn planned_row(r: &PlannedRow) -> usize {
    size_of::<PlannedRow>()
        + r.login.len()
        + r.organization.len()
        + text(&r.from_organization)
        + r.email.len()
        + text(&r.given_name)
        + text(&r.family_name)
        + text(&r.display_name)
        + r.texts
            .values()
            .map(|v| TEXT_ENTRY + text(v))
            .sum::<usize>()
        + r.changes.len() * size_of::<&str>()
}

fn problem(p: &RowProblem) -> usize {
    size_of::<RowProblem>() + p.reason.len()
}

fn seat(s: &SeatCheck) -> usize {
    size_of::<SeatCheck>() + s.organization.len()
}

fn line_error(e: &LineError) -> usize {
    size_of::<LineError>() + e.reason.len()
}

fn invalid_row(r: &InvalidRow) -> usize {
    size_of::<InvalidRow>() + r.login.len() + r.organization.len()
}
