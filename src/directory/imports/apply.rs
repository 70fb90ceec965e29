//! Confirming an import: in one write transaction, plan the rows again against
//! the directory as it is now, refuse if that plan differs from the preview the
//! administrator saw, then write every row, check every organization's seats
//! once all rows are in (a file may move users out of an organization and
//! others into it, so the order of rows must not matter), and append the
//! completion event and the "bulk update completed" notice for the actor and
//! the organization's administrators. Any failure leaves nothing behind.

use super::{Counts, ImportOptions, ImportRow, Plan, PlannedRow, RowAction};
use crate::directory::attributes::text_named;
use crate::directory::audit::Outcome;
use crate::directory::error::{Error, Result};
use crate::directory::model::{User, now};
use crate::directory::notify::Notice;
use crate::directory::users::user_by_id;
use crate::directory::{Change, Directory, Request};
use crate::store::Tx;
use uuid::Uuid;

/// What a confirmed import did. Small on purpose: it is kept with the
/// preview and cloned for every answer about it, so it holds counts, not the
/// rows (the preview's plan is what was applied, re-checked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// How many rows were applied.
    pub rows: usize,
    /// The one organization the file touched (`None`: several or none).
    pub org: Option<Uuid>,
    pub counts: Counts,
    /// Sequence number of the completion event in the audit trail.
    pub event: u64,
}

impl Directory {
    /// Applies `rows` (the valid rows of a file) if planning them now gives
    /// exactly `preview`; `id` names the import in the audit trail and
    /// `invalid` is how many rows of the file were left out as invalid.
    pub fn apply_import(
        &self,
        req: &Request,
        id: Uuid,
        rows: &[ImportRow],
        preview: &Plan,
        opts: &ImportOptions,
    ) -> Result<Applied> {
        self.write(req, |tx| {
            let plan = self.plan_in(tx, req, rows, opts)?;
            ensure_same(preview, &plan)?;
            if let Some(first) = plan.problems.first() {
                return Err(Error::conflict(format!(
                    "the import has {} invalid row(s) (first: line {}: {}); fix the file and preview it again",
                    plan.problems.len(),
                    first.line,
                    first.reason
                )));
            }
            for row in &plan.rows {
                self.apply_row(tx, req, id, row)?;
            }
            check_seats(tx, &plan)?;
            let event = self.log_completion(tx, req, id, &plan)?;
            let applied = Applied {
                counts: plan.counts,
                rows: plan.rows.len(),
                org: only_org(&plan.rows),
                event,
            };
            self.notify(tx, completion(req, id, &applied))?;
            Ok(applied)
        })
    }

    /// Records in the audit trail that a confirm of import `id` was refused
    /// (invalid rows, a change since the preview, seats, a store failure), in
    /// a transaction of its own since the import's was rolled back.
    pub fn audit_import_refusal(&self, req: &Request, id: Uuid, reason: &str) {
        let target = format!("import {id}");
        let change = Change {
            action: "import.refused",
            target: &target,
            target_id: Some(id),
            org: None,
            detail: Some(reason.to_owned()),
        };
        let event = self.event(req, &change, Outcome::Failure);
        if let Err(e) = self.store().write(|tx| tx.log(event)) {
            tracing::error!(error = %e, "could not audit a refused import");
        }
    }

    fn apply_row(&self, tx: &mut Tx, req: &Request, id: Uuid, row: &PlannedRow) -> Result<()> {
        match (row.action, row.user) {
            (RowAction::Unchanged, _) => Ok(()),
            (RowAction::Create, _) => self.import_create(tx, req, id, row),
            (_, Some(user)) => self.import_change(tx, req, id, row, user),
            (_, None) => Err(Error::Internal(format!(
                "import line {}: a change without an account",
                row.line
            ))),
        }
    }

    fn import_create(&self, tx: &mut Tx, req: &Request, id: Uuid, row: &PlannedRow) -> Result<()> {
        let number = tx.next_id_number()?;
        let t = now();
        let mut user = User {
            id: crate::directory::identity::fresh_id(),
            login: row.login.clone(),
            email: Some(row.email.clone()),
            given_name: row.given_name.clone(),
            family_name: row.family_name.clone(),
            display_name: row.display_name.clone(),
            org: Some(row.org),
            unit: None,
            state: row.state,
            flags: Default::default(),
            external_id: None,
            password: None,
            recovery: None,
            lockout: Default::default(),
            created: t,
            modified: t,
            last_login: None,
            uid_number: number,
            gid_number: number,
            version: 0,
            profile: Default::default(),
            attrs: Default::default(),
            password_changed: None,
            password_history: Vec::new(),
            grace_used: 0,
            expires: None,
            resets_asked: Vec::new(),
            second_factor: None,
        };
        set_texts(&mut user, row);
        user.flags.delegate = row.delegate;
        let change = Change {
            action: "user.create",
            target: &user.login,
            target_id: Some(user.id),
            org: user.org,
            detail: Some(format!("state={}, import {id}", user.state.as_str())),
        };
        user.version = self.log(tx, req, change)?;
        tx.put_user(&user)?;
        Ok(())
    }

    fn import_change(
        &self,
        tx: &mut Tx,
        req: &Request,
        id: Uuid,
        row: &PlannedRow,
        user_id: Uuid,
    ) -> Result<()> {
        let mut user = user_by_id(tx, user_id)?;
        let moved = user.org != Some(row.org);
        if moved {
            // Strips roles, delegation and the Organization Administrator post
            // held in the old organization, as every move does.
            self.leave_org(tx, &mut user)?;
            user.org = Some(row.org);
        }
        user.email = Some(row.email.clone());
        user.given_name = row.given_name.clone();
        user.family_name = row.family_name.clone();
        user.display_name = row.display_name.clone();
        set_texts(&mut user, row);
        user.flags.delegate = row.delegate;
        let (action, detail) = if moved {
            let from = row
                .from_organization
                .as_deref()
                .unwrap_or("no organization");
            ("user.move", format!("{from} -> {}", row.organization))
        } else {
            ("user.modify", row.changes.join(", "))
        };
        let change = Change {
            action,
            target: &user.login,
            target_id: Some(user.id),
            org: user.org,
            detail: Some(format!("{detail}, import {id}")),
        };
        user.version = self.log(tx, req, change)?;
        user.modified = now();
        tx.put_user(&user)?;
        Ok(())
    }

    /// The audit trail's record of the whole import, with its counts.
    fn log_completion(&self, tx: &mut Tx, req: &Request, id: Uuid, plan: &Plan) -> Result<u64> {
        // An import inside one organization belongs to it (its administrators'
        // reports show it); a file spanning several is server-wide.
        let org = only_org(&plan.rows);
        let target = format!("import {id}");
        let change = Change {
            action: "import.complete",
            target: &target,
            target_id: Some(id),
            org,
            detail: Some(format!("rows={}, {}", plan.rows.len(), plan.counts.text())),
        };
        self.log(tx, req, change)
    }
}

/// The row's profile texts, into the user's profile.
fn set_texts(user: &mut User, row: &PlannedRow) {
    for (name, value) in &row.texts {
        if let Some(text) = text_named(name) {
            (text.set)(&mut user.profile, value.clone());
        }
    }
}

/// The organization every row is in, if there is exactly one.
fn only_org(rows: &[PlannedRow]) -> Option<Uuid> {
    let mut orgs = rows.iter().map(|r| r.org);
    let first = orgs.next();
    first.filter(|f| orgs.all(|o| o == *f))
}

/// Refuses a confirm whose plan is no longer the one previewed.
fn ensure_same(preview: &Plan, now: &Plan) -> Result<()> {
    if preview.rows == now.rows && preview.problems == now.problems {
        return Ok(());
    }
    let index = preview
        .rows
        .iter()
        .zip(&now.rows)
        .position(|(a, b)| a != b)
        .unwrap_or(preview.rows.len().min(now.rows.len()));
    let differs = preview
        .rows
        .get(index)
        .or(now.rows.get(index))
        .map(|r| r.line)
        .or(now.problems.first().map(|p| p.line));
    let at = differs.map_or(String::new(), |l| format!(" (first at line {l})"));
    Err(Error::conflict(format!(
        "the directory changed since the preview{at}; nothing was applied: preview the file again"
    )))
}

/// Every organization the file adds users to must end within its seats (or at
/// least not above where it was, when its seat count was lowered meanwhile).
fn check_seats(tx: &Tx, plan: &Plan) -> Result<()> {
    for check in &plan.seats {
        let used = tx.seats_used(check.org)?;
        if used > u64::from(check.seats) && used > check.used {
            return Err(Error::SeatsExhausted {
                org: check.organization.clone(),
                used: check.used,
                seats: check.seats,
            });
        }
    }
    Ok(())
}

/// "Bulk update completed", written with the import it reports.
fn completion(req: &Request, id: Uuid, applied: &Applied) -> Notice {
    Notice::ImportCompleted {
        login: req.actor.name.clone(),
        org: applied.org,
        summary: format!(
            "import {id}: rows={}, {}",
            applied.rows,
            applied.counts.text()
        ),
    }
}
