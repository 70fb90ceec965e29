//! Planning an import: each row checked against the directory (login suffix,
//! organization, the actor's rights there, seats) and turned into the record it
//! will become. Reads only. The stored organizations and suffixes are looked up
//! once per file, users once per row, so a large file costs one index lookup
//! per row rather than one per rule.

use super::{
    Column, Counts, DelegateChange, ImportOptions, ImportRow, Plan, PlannedRow, RowAction,
    RowProblem, SeatCheck,
};
use crate::directory::acl::{Action, Target};
use crate::directory::attributes::SHARED_TEXTS;
use crate::directory::error::Result;
use crate::directory::model::{Organization, User};
use crate::directory::names::{fold, split_login};
use crate::directory::profile::Profile;
use crate::directory::{Directory, Request};
use crate::store::Tx;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// Seats an organization gains and loses through the file.
#[derive(Default)]
struct Tally {
    /// Lines of rows that take a new seat there, in file order.
    incoming: Vec<usize>,
    /// Seat-holding users the file moves out of it.
    outgoing: u64,
}

/// One planning pass: the request, the caches, and what has been found.
struct Planner<'a> {
    dir: &'a Directory,
    tx: &'a Tx,
    req: &'a Request,
    opts: &'a ImportOptions,
    /// Organizations by id, and their ids by case-folded name.
    orgs: HashMap<Uuid, Organization>,
    org_ids: HashMap<String, Uuid>,
    suffixes: HashMap<String, bool>,
    tally: BTreeMap<Uuid, Tally>,
    rows: Vec<PlannedRow>,
    problems: Vec<RowProblem>,
}

impl Directory {
    /// Plans `rows` against the directory as it is now; writes nothing.
    pub fn plan_import(
        &self,
        req: &Request,
        rows: &[ImportRow],
        opts: &ImportOptions,
    ) -> Result<Plan> {
        self.read(|tx| self.plan_in(tx, req, rows, opts))
    }

    /// The body of [`Self::plan_import`], also run inside the confirm's write
    /// transaction to re-check the preview.
    pub(crate) fn plan_in(
        &self,
        tx: &Tx,
        req: &Request,
        rows: &[ImportRow],
        opts: &ImportOptions,
    ) -> Result<Plan> {
        let orgs = tx.orgs()?;
        let mut planner = Planner {
            dir: self,
            tx,
            req,
            opts,
            org_ids: orgs.iter().map(|o| (fold(&o.name), o.id)).collect(),
            orgs: orgs.into_iter().map(|o| (o.id, o)).collect(),
            suffixes: HashMap::new(),
            tally: BTreeMap::new(),
            rows: Vec::with_capacity(rows.len()),
            problems: Vec::new(),
        };
        for row in rows {
            if let Err(problem) = planner.row(row)? {
                planner.problems.push(problem);
            }
        }
        planner.finish()
    }
}

/// A row's verdict: its plan, or the problem that stops it.
type Verdict = std::result::Result<PlannedRow, RowProblem>;

impl Planner<'_> {
    /// Plans one row; `Ok(Err(_))` is a row problem, `Err(_)` a store failure.
    fn row(&mut self, row: &ImportRow) -> Result<std::result::Result<(), RowProblem>> {
        let verdict = self.verdict(row)?;
        Ok(verdict.map(|planned| {
            self.count_seats(&planned);
            self.rows.push(planned);
        }))
    }

    fn verdict(&mut self, row: &ImportRow) -> Result<Verdict> {
        let problem = |column, reason: String| RowProblem {
            line: row.line,
            column,
            reason,
        };
        if let Some(reason) = self.suffix_problem(&row.login)? {
            return Ok(Err(problem(Column::Login, reason)));
        }
        let found = self.org_ids.get(&fold(&row.organization));
        // An organization out of the actor's reach reads as a missing one.
        let known = |org: &&Organization| self.dir.may_know(self.req, Target::org(Some(org.id)));
        let found = found.and_then(|id| self.orgs.get(id)).filter(known);
        let Some(org) = found.cloned() else {
            let reason = format!("organization '{}' does not exist", row.organization);
            return Ok(Err(problem(Column::Organization, reason)));
        };
        // Every row, even an unchanged one, must name an organization the
        // actor may put users in: a delegate's file holds its own users only.
        if !self.may(Action::CreateUser, Target::org(Some(org.id))) {
            let reason = format!(
                "{} may not import users into organization {}",
                self.req.actor.name, org.name
            );
            return Ok(Err(problem(Column::Organization, reason)));
        }
        match self.tx.user_by_login(&row.login)? {
            None => Ok(self.create(row, &org)),
            Some(user) => {
                let target = self.dir.target_of(self.tx, &user)?;
                Ok(self.change(row, &org, user, target))
            }
        }
    }

    /// Why the login's suffix is not usable, if it is not.
    fn suffix_problem(&mut self, login: &str) -> Result<Option<String>> {
        let suffix = match split_login(login) {
            Ok((_, Some(s))) => s,
            Ok((_, None)) => return Ok(None),
            Err(e) => return Ok(Some(e.to_string())),
        };
        let key = fold(suffix);
        let exists = match self.suffixes.get(&key) {
            Some(known) => *known,
            None => {
                let found = self.tx.suffix(suffix)?.is_some();
                self.suffixes.insert(key, found);
                found
            }
        };
        Ok((!exists).then(|| {
            format!(
                "login suffix '{suffix}' does not exist; the system administrator adds login suffixes"
            )
        }))
    }

    fn may(&self, action: Action, target: Target) -> bool {
        self.dir.authorize(self.req, action, target).is_ok()
    }

    fn create(&self, row: &ImportRow, org: &Organization) -> Verdict {
        if row.delegate && !self.may(Action::AppointDelegate, Target::org(Some(org.id))) {
            return Err(self.no_appointment(row, org));
        }
        Ok(PlannedRow {
            line: row.line,
            action: RowAction::Create,
            user: None,
            login: row.login.clone(),
            organization: org.name.clone(),
            org: org.id,
            from_organization: None,
            from_org: None,
            delegate: row.delegate,
            delegate_change: row.delegate.then_some(DelegateChange::Grant),
            email: row.email.clone(),
            given_name: non_empty(&row.given_name),
            family_name: non_empty(&row.family_name),
            display_name: non_empty(&row.display_name),
            texts: texts(row, &Profile::default(), &mut Vec::new()),
            state: self.opts.created_state,
            changes: Vec::new(),
        })
    }

    fn no_appointment(&self, row: &ImportRow, org: &Organization) -> RowProblem {
        RowProblem {
            line: row.line,
            column: Column::OuAdmin,
            reason: format!(
                "{} may not appoint or remove delegated administrators of {}",
                self.req.actor.name, org.name
            ),
        }
    }

    /// An existing account: what changes, and may the actor change it.
    /// `target` is the account's, with its rank.
    fn change(&self, row: &ImportRow, org: &Organization, user: User, target: Target) -> Verdict {
        let moved = user.org != Some(org.id);
        let mut planned = self.updated(row, org, &user, moved);
        let problem = |column, reason: String| RowProblem {
            line: row.line,
            column,
            reason,
        };
        let who = &self.req.actor.name;
        if moved && !self.may(Action::MoveUser, target) {
            // Where an account the actor may not read lives is not its
            // business: it learns that the login is taken, as any create
            // would tell it, and nothing more.
            let reason = if self.may(Action::Read, target) {
                let from = self.org_label(user.org);
                format!("{who} may not move {} out of {from}", user.login)
            } else {
                format!(
                    "login {} already exists and {who} may not change that account",
                    row.login
                )
            };
            return Err(problem(Column::Organization, reason));
        }
        let profile = planned.changes.iter().any(|c| *c != "delegate");
        if moved {
            planned.changes.push("organization");
        }
        if profile && !self.may(Action::ModifyUser, target) {
            return Err(problem(
                Column::Login,
                format!("{who} may not change {}", user.login),
            ));
        }
        let appoints = match planned.delegate_change {
            Some(DelegateChange::Grant) => true,
            // Moving away strips the delegation; the move was checked above.
            Some(DelegateChange::Revoke) => !moved,
            None => false,
        };
        if appoints && !self.may(Action::AppointDelegate, Target::org(Some(org.id))) {
            return Err(self.no_appointment(row, org));
        }
        planned.action = match (moved, planned.changes.is_empty()) {
            (true, _) => RowAction::Move,
            (false, false) => RowAction::Update,
            (false, true) => RowAction::Unchanged,
        };
        Ok(planned)
    }

    /// The account as the row leaves it, with the names of changed fields.
    fn updated(&self, row: &ImportRow, org: &Organization, user: &User, moved: bool) -> PlannedRow {
        let mut changes = Vec::new();
        let email = Some(row.email.clone());
        if user.email != email {
            changes.push("email");
        }
        let mut name =
            |field: &'static str, given: &Option<String>, stored: &Option<String>| match given {
                None => stored.clone(),
                Some(_) => {
                    let value = non_empty(given);
                    if value != *stored {
                        changes.push(field);
                    }
                    value
                }
            };
        let given_name = name("givenName", &row.given_name, &user.given_name);
        let family_name = name("familyName", &row.family_name, &user.family_name);
        let display_name = name("displayName", &row.display_name, &user.display_name);
        let texts = texts(row, &user.profile, &mut changes);
        let was_delegate_here = user.flags.delegate && !moved;
        let delegate_change = match (row.delegate, was_delegate_here, user.flags.delegate) {
            (true, false, _) => Some(DelegateChange::Grant),
            (false, _, true) => Some(DelegateChange::Revoke),
            _ => None,
        };
        if delegate_change.is_some() {
            changes.push("delegate");
        }
        PlannedRow {
            line: row.line,
            action: RowAction::Unchanged,
            user: Some(user.id),
            login: user.login.clone(),
            organization: org.name.clone(),
            org: org.id,
            from_organization: moved.then(|| self.org_label(user.org)),
            from_org: if moved { user.org } else { None },
            delegate: row.delegate,
            delegate_change,
            email: row.email.clone(),
            given_name,
            family_name,
            display_name,
            texts,
            state: user.state,
            changes,
        }
    }

    fn org_label(&self, org: Option<Uuid>) -> String {
        match org.and_then(|o| self.orgs.get(&o)) {
            Some(found) => found.name.clone(),
            None => "no organization".into(),
        }
    }

    fn count_seats(&mut self, row: &PlannedRow) {
        let new_seat = matches!(row.action, RowAction::Create | RowAction::Move);
        if !(new_seat && row.state.holds_seat()) {
            return;
        }
        let to = self.tally.entry(row.org).or_default();
        to.incoming.push(row.line);
        if let Some(from) = row.from_org {
            self.tally.entry(from).or_default().outgoing += 1;
        }
    }

    /// Seat checks per organization; rows past an organization's free seats
    /// become problems (in file order: the first rows get the seats).
    fn finish(mut self) -> Result<Plan> {
        let mut refused = HashSet::new();
        let mut seats = Vec::new();
        for (org_id, tally) in &self.tally {
            if let Some(org) = self.orgs.get(org_id) {
                let used = self.tx.seats_used(*org_id)?;
                let (check, over) = seat_check(org, used, tally);
                for line in over {
                    refused.insert(line);
                    self.problems.push(RowProblem {
                        line,
                        column: Column::Organization,
                        reason: seat_reason(&check, tally.incoming.len()),
                    });
                }
                seats.push(check);
            }
        }
        self.rows.retain(|r| !refused.contains(&r.line));
        self.problems.sort_by_key(|p| p.line);
        Ok(Plan {
            counts: Counts::of(&self.rows),
            rows: self.rows,
            problems: self.problems,
            seats,
        })
    }
}

/// An organization's seats before and after the file, and the lines of the
/// rows that do not fit. A file may always leave an organization no fuller
/// than it was, even one above its seats (seats may be lowered below use).
fn seat_check(org: &Organization, used: u64, tally: &Tally) -> (SeatCheck, Vec<usize>) {
    let seats = u64::from(org.seats);
    let after = (used + tally.incoming.len() as u64).saturating_sub(tally.outgoing);
    let ok = after <= seats || after <= used;
    let over = if ok {
        Vec::new()
    } else {
        let free = (seats + tally.outgoing).saturating_sub(used);
        let free = usize::try_from(free).unwrap_or(usize::MAX);
        tally.incoming.iter().skip(free).copied().collect()
    };
    let check = SeatCheck {
        organization: org.name.clone(),
        org: org.id,
        seats: org.seats,
        used,
        after,
        ok,
    };
    (check, over)
}

fn seat_reason(check: &SeatCheck, incoming: usize) -> String {
    format!(
        "organization {} has no free seat: {} of {} seats are used and this file adds {incoming}; raise its seat count or disable users",
        check.organization, check.used, check.seats
    )
}

/// An optional cell: empty means none.
fn non_empty(value: &Option<String>) -> Option<String> {
    value.as_ref().filter(|v| !v.is_empty()).cloned()
}

/// The row's profile texts as they will be stored over `stored`, by SCIM
/// name; the names of those that change go to `changes`.
fn texts(
    row: &ImportRow,
    stored: &Profile,
    changes: &mut Vec<&'static str>,
) -> BTreeMap<&'static str, Option<String>> {
    let mut out = BTreeMap::new();
    for (index, cell) in &row.texts {
        let Some(text) = SHARED_TEXTS.get(*index) else {
            continue;
        };
        let value = Some(cell.clone()).filter(|v| !v.is_empty());
        if value != *(text.get)(stored) {
            changes.push(text.scim);
        }
        out.insert(text.scim, value);
    }
    out
}
