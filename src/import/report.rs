//! What an import shows: the preview summary (counts, the first records as
//! they will be applied, every problem, seats) that front ends serialise, and
//! the per-row report as CSV (line, login, organization, action, outcome,
//! message) that administrators download and open in a spreadsheet.

use super::preview::{ImportError, LineError, Preview};
use crate::directory::imports::{Counts, DelegateChange, PlannedRow, RowAction, SeatCheck};
use crate::directory::model::Millis;
use serde::Serialize;
use uuid::Uuid;

/// How many planned records a preview shows.
pub const PREVIEW_RECORDS: usize = 15;

/// The preview as front ends show it.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    pub id: Uuid,
    pub owner: &'a str,
    pub created: Millis,
    pub expires: Millis,
    /// `previewed` or `applied`.
    pub status: &'static str,
    /// Whether a confirm would apply it (no invalid row, not applied yet).
    pub confirmable: bool,
    pub total_rows: usize,
    pub counts: Counts,
    pub warnings: &'a [String],
    pub seats: &'a [SeatCheck],
    /// The first records exactly as they will be applied.
    pub records: &'a [PlannedRow],
    pub errors: &'a [LineError],
    /// The completion event's sequence number in the audit trail, once applied.
    pub audit_event: Option<u64>,
}

/// The summary of `preview`.
pub fn summary(preview: &Preview) -> Summary<'_> {
    let applied = preview.applied();
    let shown = preview.plan.rows.len().min(PREVIEW_RECORDS);
    Summary {
        id: preview.id,
        owner: &preview.owner_name,
        created: preview.created,
        expires: preview.expires,
        status: if applied.is_some() {
            "applied"
        } else {
            "previewed"
        },
        confirmable: preview.confirmable(),
        total_rows: preview.total_rows,
        counts: preview.counts,
        warnings: &preview.warnings,
        seats: &preview.plan.seats,
        records: &preview.plan.rows[..shown],
        errors: &preview.errors,
        audit_event: applied.map(|a| a.event),
    }
}

/// The report's header row.
pub const REPORT_HEADER: [&str; 6] = [
    "line",
    "login",
    "organization",
    "action",
    "outcome",
    "message",
];

/// The per-row report, every row of the file in line order.
pub fn csv(preview: &Preview) -> Result<Vec<u8>, ImportError> {
    let applied = preview.applied().is_some();
    let mut lines: Vec<(usize, [String; 6])> = Vec::new();
    for row in &preview.plan.rows {
        let outcome = if applied { "applied" } else { "pending" };
        lines.push((row.line, record(row, outcome)));
    }
    for bad in &preview.invalid {
        let reasons: Vec<String> = preview
            .errors
            .iter()
            .filter(|e| e.line == bad.line)
            .map(|e| match e.column {
                Some(c) => format!("{c}: {}", e.reason),
                None => e.reason.clone(),
            })
            .collect();
        let cells = [
            bad.line.to_string(),
            cell(&bad.login),
            cell(&bad.organization),
            String::new(),
            "invalid".into(),
            reasons.join("; "),
        ];
        lines.push((bad.line, cells));
    }
    lines.sort_by_key(|(line, _)| *line);
    write(lines.into_iter().map(|(_, cells)| cells))
}

fn record(row: &PlannedRow, outcome: &str) -> [String; 6] {
    [
        row.line.to_string(),
        cell(&row.login),
        cell(&row.organization),
        row.action.as_str().into(),
        outcome.into(),
        message(row),
    ]
}

/// What a row changes, in words.
pub fn message(row: &PlannedRow) -> String {
    let mut parts = Vec::new();
    match row.action {
        RowAction::Create => parts.push(format!("new user ({})", row.state.as_str())),
        RowAction::Move => {
            let from = row
                .from_organization
                .as_deref()
                .unwrap_or("no organization");
            parts.push(format!("moved from {from}"));
        }
        RowAction::Update => parts.push(format!("changed: {}", row.changes.join(", "))),
        RowAction::Unchanged => {}
    }
    match row.delegate_change {
        Some(DelegateChange::Grant) => parts.push("appointed delegated administrator".into()),
        Some(DelegateChange::Revoke) => parts.push("no longer delegated administrator".into()),
        None => {}
    }
    cell(&parts.join("; "))
}

/// Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula;
/// a quote in front keeps file contents from becoming one.
fn cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

fn write(records: impl Iterator<Item = [String; 6]>) -> Result<Vec<u8>, ImportError> {
    let failed = |e: String| {
        ImportError::Directory(crate::directory::Error::Internal(format!(
            "import report: {e}"
        )))
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(REPORT_HEADER)
        .map_err(|e| failed(e.to_string()))?;
    for cells in records {
        w.write_record(&cells).map_err(|e| failed(e.to_string()))?;
    }
    w.into_inner().map_err(|e| failed(e.to_string()))
}
