//! Bulk organization update, the core half: turns spreadsheet rows (already read
//! and shape-checked by `crate::import`) into a plan against the current
//! directory, and applies a plan in one write transaction. Every access
//! decision for an import is made here, through the policy: which organizations
//! the actor may import into, who may move or change whom, who may appoint
//! delegated administrators, who may upload a file at all, and who may see
//! or confirm a preview.
//!
//! - `plan`: validation against the directory and the per-row plan (no writes);
//! - `apply`: the confirm step: re-plan inside the write transaction, compare
//!   with the preview, write every row, check seats, log the completion event.
//!
//! Imports no protocol crate and no redb.

mod apply;
mod plan;

use super::acl::{Action, Target};
use super::error::Result;
use super::model::Lifecycle;
use super::{Directory, Request};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

pub use apply::Applied;

/// One data row of an import file as the core sees it: already shape-checked
/// (a login with one `@`, a well-formed email, True/False for `OU Admin`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportRow {
    /// The row's line in the file, for messages.
    pub line: usize,
    pub login: String,
    pub organization: String,
    /// `OU Admin`: the account is a Delegated Administrator of `organization`.
    pub delegate: bool,
    pub email: String,
    /// `None`: the file has no such column (keep the stored value);
    /// `Some("")`: the cell is empty (clear the stored value).
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
    /// The file's optional profile columns: the row of the core's table of
    /// shared texts (`attributes::SHARED_TEXTS`, by index) and the cell,
    /// `""` to clear the stored value. A text without a column is left alone.
    pub texts: Vec<(usize, String)>,
}

/// What the import does with one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowAction {
    /// Unknown login: a new user.
    Create,
    /// Known login in the same organization, something changes.
    Update,
    /// Known login in another organization (or in none): moved, and updated.
    Move,
    /// Known login, nothing to change.
    Unchanged,
}

impl RowAction {
    pub fn as_str(self) -> &'static str {
        match self {
            RowAction::Create => "create",
            RowAction::Update => "update",
            RowAction::Move => "move",
            RowAction::Unchanged => "unchanged",
        }
    }
}

/// A change of Delegated Administrator status made by a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DelegateChange {
    /// The account becomes a delegate of the row's organization.
    Grant,
    /// The account stops being a delegate (set False, or moved away as one).
    Revoke,
}

/// A row as it will be applied: the final values, and what changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlannedRow {
    pub line: usize,
    pub action: RowAction,
    /// The existing account (`None` for a create).
    pub user: Option<Uuid>,
    /// The login as it will be stored (an existing account keeps its spelling).
    pub login: String,
    /// The organization's name as stored.
    pub organization: String,
    #[serde(skip)]
    pub org: Uuid,
    /// For a move: where the account was (`None`: in no organization).
    pub from_organization: Option<String>,
    #[serde(skip)]
    pub from_org: Option<Uuid>,
    pub delegate: bool,
    pub delegate_change: Option<DelegateChange>,
    pub email: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
    /// The profile texts the file has columns for, by their SCIM names, as
    /// they will be stored (`None`: cleared).
    pub texts: BTreeMap<&'static str, Option<String>>,
    pub state: Lifecycle,
    /// The fields an update changes (`email`, `givenName`, …, `delegate`).
    pub changes: Vec<&'static str>,
}

/// The file column a problem found by the core belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Column {
    Login,
    Organization,
    OuAdmin,
}

/// A row the core refuses, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub line: usize,
    pub column: Column,
    pub reason: String,
}

/// How many rows do what. A row may count twice: a move that also appoints a
/// delegate counts as a move and as a grant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub creates: usize,
    pub updates: usize,
    pub moves: usize,
    pub delegate_grants: usize,
    pub delegate_revocations: usize,
    pub unchanged: usize,
    /// Rows that cannot be applied (set by whoever knows every problem).
    pub invalid: usize,
}

impl Counts {
    /// Counts the planned rows (`invalid` stays 0).
    pub fn of(rows: &[PlannedRow]) -> Counts {
        let mut c = Counts::default();
        for row in rows {
            match row.action {
                RowAction::Create => c.creates += 1,
                RowAction::Update => c.updates += 1,
                RowAction::Move => c.moves += 1,
                RowAction::Unchanged => c.unchanged += 1,
            }
            match row.delegate_change {
                Some(DelegateChange::Grant) => c.delegate_grants += 1,
                Some(DelegateChange::Revoke) => c.delegate_revocations += 1,
                None => {}
            }
        }
        c
    }

    /// `created=1, updated=2, …` for audit details and summaries.
    pub fn text(&self) -> String {
        format!(
            "created={}, updated={}, moved={}, delegates-granted={}, delegates-revoked={}, unchanged={}, invalid={}",
            self.creates,
            self.updates,
            self.moves,
            self.delegate_grants,
            self.delegate_revocations,
            self.unchanged,
            self.invalid
        )
    }
}

/// Seats of one organization the file touches, before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SeatCheck {
    pub organization: String,
    #[serde(skip)]
    pub org: Uuid,
    pub seats: u32,
    /// Seats in use now.
    pub used: u64,
    /// Seats in use once the file's valid rows are applied.
    pub after: u64,
    /// False when the file asks for more seats than the organization has.
    pub ok: bool,
}

/// Settings of an import that the core needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportOptions {
    /// The state of users an import creates (`provisioned` or `active`).
    pub created_state: Lifecycle,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            created_state: Lifecycle::Provisioned,
        }
    }
}

/// The plan for a file: what each valid row does and why the others cannot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Rows that can be applied, in file order.
    pub rows: Vec<PlannedRow>,
    /// Rows the directory refuses, in file order.
    pub problems: Vec<RowProblem>,
    pub counts: Counts,
    pub seats: Vec<SeatCheck>,
}

impl Directory {
    /// May `req` read or confirm a preview made by `owner`? Only the actor who
    /// made it and the system administrator may (the policy decides).
    pub fn authorize_import(&self, req: &Request, owner: Option<Uuid>) -> Result<()> {
        let target = Target {
            subject: owner,
            ..Target::default()
        };
        self.authorize(req, Action::ManageImport, target)
    }

    /// May `req` upload an import file at all? Only an actor who could apply
    /// at least one row somewhere may (the policy decides); asked before the
    /// file is read, so that nobody else makes dirgate parse anything. A
    /// refusal is audited like any other.
    pub fn authorize_import_upload(&self, req: &Request) -> Result<()> {
        let out = self.authorize(req, Action::ImportFile, Target::default());
        self.audit_refusal(req, &out);
        out
    }
}
