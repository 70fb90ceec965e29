//! The import flow as front ends use it: upload a file for a preview, look at
//! it, confirm or discard it, download its per-row report. Previews live in
//! memory (a restart forgets them; the administrator uploads the file again)
//! for `import.preview_ttl_secs`, within the memory caps `keep` enforces.
//! Every access decision is the core's: [`Directory::authorize_import_upload`]
//! for who may upload at all, the plan's per-row checks, and
//! [`Directory::authorize_import`] for who may see, confirm or discard a
//! preview. Synchronous: call it off the async worker threads.

use super::keep::{Kept, footprint, lock};
use super::read::{self, RawRow, ReadError, RowError};
use super::report;
use super::{ImportConfig, field_header};
use crate::directory::imports::{Applied, Counts, ImportOptions, ImportRow, Plan};
use crate::directory::model::{Millis, now};
use crate::directory::{self, Directory, Request};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use uuid::Uuid;

/// Why an import step failed. Each message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file as a whole cannot be used.
    #[error("{0}")]
    Read(#[from] ReadError),
    #[error("{0}")]
    Directory(#[from] directory::Error),
    /// Unknown, expired, or not the caller's to see.
    #[error("import {0} not found; previews are kept for a limited time, upload the file again")]
    NotFound(Uuid),
    #[error(
        "the file has {0} invalid row(s); nothing was applied: fix them (see the preview or the report) and upload the file again"
    )]
    InvalidRows(usize),
    #[error("import {0} was already applied")]
    AlreadyApplied(Uuid),
    /// The kept previews fill a memory cap.
    #[error(
        "previews waiting for a confirm hold {held} bytes and this one needs {need}; the \
         limit is {limit} ({key}): confirm or discard a preview (DELETE \
         /admin/v1/imports/{{id}}), or wait for one to expire"
    )]
    PreviewsFull {
        held: usize,
        need: usize,
        limit: usize,
        key: &'static str,
    },
}

/// One problem of one row, from the reader or from the directory.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LineError {
    pub line: usize,
    /// The column's default header name; `None` for the row as a whole.
    pub column: Option<&'static str>,
    pub reason: String,
}

/// A row that will not be applied, as the report names it.
#[derive(Clone, Debug)]
pub(super) struct InvalidRow {
    pub line: usize,
    pub login: String,
    pub organization: String,
}

/// A previewed file: its plan, its problems, and (once confirmed) its result.
#[derive(Debug)]
pub struct Preview {
    pub id: Uuid,
    /// The actor who uploaded it; only it and the system administrator may
    /// see or confirm it.
    pub owner: Option<Uuid>,
    pub owner_name: String,
    pub created: Millis,
    pub expires: Millis,
    pub warnings: Vec<String>,
    /// Non-blank data rows in the file.
    pub total_rows: usize,
    /// Every problem, in line order.
    pub errors: Vec<LineError>,
    pub plan: Plan,
    /// The plan's counts plus the number of invalid rows.
    pub counts: Counts,
    pub(super) rows: Vec<ImportRow>,
    pub(super) invalid: Vec<InvalidRow>,
    pub(super) applied: Mutex<Option<Applied>>,
    pub(super) deadline: Instant,
    /// The memory it holds, as counted against the caps.
    pub bytes: usize,
}

impl Preview {
    /// The result of the confirm, if it happened.
    pub fn applied(&self) -> Option<Applied> {
        lock(&self.applied).clone()
    }

    /// Whether a confirm may apply it: no invalid row, not yet applied.
    pub fn confirmable(&self) -> bool {
        self.errors.is_empty() && self.applied().is_none()
    }
}

/// The import service: the directory, the settings, the kept previews.
#[derive(Clone)]
pub struct Imports {
    inner: Arc<Inner>,
}

struct Inner {
    dir: Directory,
    cfg: ImportConfig,
    kept: Kept,
    counts: ImportCounts,
}

/// What the import jobs did since the server started, for `/metrics`.
#[derive(Debug, Default)]
pub struct ImportCounts {
    /// Files read and planned into a preview.
    pub previews: AtomicU64,
    /// Previews confirmed and applied, and the rows they wrote.
    pub applied: AtomicU64,
    pub rows: AtomicU64,
    /// Confirms refused (invalid rows, a change since the preview, seats).
    pub refused: AtomicU64,
}

impl Imports {
    pub fn new(dir: Directory, cfg: ImportConfig) -> Imports {
        Imports {
            inner: Arc::new(Inner {
                dir,
                kept: Kept::new(cfg.max_preview_bytes_per_actor, cfg.max_preview_bytes_total),
                counts: ImportCounts::default(),
                cfg,
            }),
        }
    }

    /// What the import jobs did since the server started.
    pub fn counts(&self) -> &ImportCounts {
        &self.inner.counts
    }

    pub fn config(&self) -> &ImportConfig {
        &self.inner.cfg
    }

    pub fn directory(&self) -> &Directory {
        &self.inner.dir
    }

    fn options(&self) -> ImportOptions {
        ImportOptions {
            created_state: self.inner.cfg.created_state,
        }
    }

    /// Whether `req` may upload a file at all (see
    /// [`Directory::authorize_import_upload`]), and has room left for one
    /// more preview: front ends ask before they read the upload.
    pub fn authorize_upload(&self, req: &Request) -> Result<(), ImportError> {
        self.inner.dir.authorize_import_upload(req)?;
        self.inner.kept.check_room(req.actor.id)
    }

    /// Reads the file, plans it against the directory, keeps the preview.
    /// Nothing is written to the directory. An actor who may not upload is
    /// refused before the file is looked at.
    pub fn preview(
        &self,
        req: &Request,
        bytes: &[u8],
        content_type: Option<&str>,
    ) -> Result<Arc<Preview>, ImportError> {
        self.authorize_upload(req)?;
        let format = read::detect_format(bytes, content_type);
        let sheet = read::read(bytes, format, &self.inner.cfg.limits)?;
        let total_rows = sheet.rows.len();
        let (rows, mut invalid) = split_rows(&sheet.rows);
        let plan = self.inner.dir.plan_import(req, &rows, &self.options())?;
        let errors = merge_errors(&sheet.errors, &plan);
        let refused: BTreeSet<usize> = plan.problems.iter().map(|p| p.line).collect();
        invalid.extend(
            rows.iter()
                .filter(|r| refused.contains(&r.line))
                .map(|r| InvalidRow {
                    line: r.line,
                    login: r.login.clone(),
                    organization: r.organization.clone(),
                }),
        );
        invalid.sort_by_key(|r| r.line);
        let counts = Counts {
            invalid: invalid.len(),
            ..plan.counts
        };
        let ttl = self.inner.cfg.preview_ttl;
        let created = now();
        let mut preview = Preview {
            id: Uuid::new_v4(),
            owner: req.actor.id,
            owner_name: req.actor.name.clone(),
            created,
            expires: created.saturating_add(i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX)),
            warnings: sheet.warnings,
            total_rows,
            errors,
            plan,
            counts,
            rows,
            invalid,
            applied: Mutex::new(None),
            deadline: Instant::now() + ttl,
            bytes: 0,
        };
        preview.bytes = footprint(&preview);
        let preview = Arc::new(preview);
        self.inner.kept.insert(preview.clone())?;
        self.inner.counts.previews.fetch_add(1, Ordering::Relaxed);
        Ok(preview)
    }

    /// A kept preview, if the caller may see it (else "not found").
    pub fn get(&self, req: &Request, id: Uuid) -> Result<Arc<Preview>, ImportError> {
        let found = self.inner.kept.find(id);
        let preview = found.ok_or(ImportError::NotFound(id))?;
        match self.inner.dir.authorize_import(req, preview.owner) {
            Ok(()) => Ok(preview),
            Err(directory::Error::Denied(_)) => Err(ImportError::NotFound(id)),
            Err(e) => Err(e.into()),
        }
    }

    /// Forgets a preview (confirmed or not) and frees what it holds; the
    /// same who may see it may discard it.
    pub fn discard(&self, req: &Request, id: Uuid) -> Result<(), ImportError> {
        self.get(req, id)?;
        self.inner.kept.remove(id);
        Ok(())
    }

    /// Applies a preview in one transaction (see
    /// [`Directory::apply_import`]). Refused while it has invalid rows, and
    /// when it was applied already.
    pub fn confirm(&self, req: &Request, id: Uuid) -> Result<Arc<Preview>, ImportError> {
        let preview = self.get(req, id)?;
        let result = self.apply(req, &preview);
        let counts = &self.inner.counts;
        match &result {
            Ok(()) => {
                counts.applied.fetch_add(1, Ordering::Relaxed);
                let rows = preview.applied().map_or(0, |a| a.rows as u64);
                counts.rows.fetch_add(rows, Ordering::Relaxed);
            }
            Err(e) => {
                counts.refused.fetch_add(1, Ordering::Relaxed);
                self.inner.dir.audit_import_refusal(req, id, &e.to_string());
            }
        }
        result.map(|()| preview)
    }

    fn apply(&self, req: &Request, preview: &Preview) -> Result<(), ImportError> {
        if !preview.errors.is_empty() {
            return Err(ImportError::InvalidRows(preview.counts.invalid));
        }
        // Held through the apply, so two confirms of one preview never race.
        let mut applied = lock(&preview.applied);
        if applied.is_some() {
            return Err(ImportError::AlreadyApplied(preview.id));
        }
        let opts = self.options();
        let dir = &self.inner.dir;
        let done = dir.apply_import(req, preview.id, &preview.rows, &preview.plan, &opts)?;
        *applied = Some(done);
        Ok(())
    }

    /// The per-row result as CSV (planned rows before the confirm, applied
    /// rows after it, and every invalid row with its reasons).
    pub fn report_csv(&self, req: &Request, id: Uuid) -> Result<Vec<u8>, ImportError> {
        let preview = self.get(req, id)?;
        report::csv(&preview)
    }
}

/// Splits the read rows into those to plan and those already invalid.
fn split_rows(raw: &[RawRow]) -> (Vec<ImportRow>, Vec<InvalidRow>) {
    let mut rows = Vec::with_capacity(raw.len());
    let mut invalid = Vec::new();
    for r in raw {
        match (r.valid, r.ou_admin) {
            (true, Some(delegate)) => rows.push(ImportRow {
                line: r.line,
                login: r.login.clone(),
                organization: r.organization.clone(),
                delegate,
                email: r.email.clone(),
                given_name: r.first_name.clone(),
                family_name: r.last_name.clone(),
                display_name: r.display_name.clone(),
                texts: r.texts.clone(),
            }),
            _ => invalid.push(InvalidRow {
                line: r.line,
                login: r.login.clone(),
                organization: r.organization.clone(),
            }),
        }
    }
    (rows, invalid)
}

/// The reader's and the directory's problems, in line order.
fn merge_errors(read: &[RowError], plan: &Plan) -> Vec<LineError> {
    let mut all: Vec<LineError> = read
        .iter()
        .map(|e| LineError {
            line: e.line,
            column: e.column,
            reason: e.reason.clone(),
        })
        .collect();
    all.extend(plan.problems.iter().map(|p| LineError {
        line: p.line,
        column: Some(field_header(p.column)),
        reason: p.reason.clone(),
    }));
    all.sort_by_key(|e| e.line);
    all
}
