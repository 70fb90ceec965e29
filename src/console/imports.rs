//! The Bulk Organization Update pages: the template to download, the upload
//! form (CSV or XLSX), the preview (counts, seats before and after, the
//! first records exactly as they will be applied, every invalid row with its
//! line, column and reason, Confirm disabled while any remain), the confirm,
//! and the per-row report. Every step is the import flow the admin API uses
//! (`crate::import::Imports`): the core decides who may upload, what each
//! row may do, and who may see or confirm a preview (its owner and the
//! system administrator; to anyone else a preview does not exist).

use super::ConsoleState;
use super::error::error_page;
use super::pages::Layout;
use super::session::Caller;
use crate::admin::imports::import_parts;
use crate::directory::imports::{PlannedRow, SeatCheck};
use crate::directory::{Directory, Error, Request};
use crate::import::preview::{LineError, Preview};
use crate::import::report::{PREVIEW_RECORDS, message};
use crate::import::{ImportError, Imports};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

#[derive(Template, WebTemplate)]
#[template(path = "import_upload.html")]
pub struct UploadPage {
    layout: Layout,
    /// Why the last upload could not be previewed.
    problem: Option<String>,
    max_bytes: usize,
}

/// One record of the preview, as the table shows it.
struct Record {
    line: usize,
    login: String,
    organization: String,
    action: &'static str,
    what: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "import_preview.html")]
pub struct PreviewPage {
    layout: Layout,
    id: Uuid,
    applied: bool,
    audit_event: Option<u64>,
    confirmable: bool,
    total_rows: usize,
    counts: crate::directory::imports::Counts,
    warnings: Vec<String>,
    seats: Vec<SeatCheck>,
    records: Vec<Record>,
    /// How many planned records the file has beyond those shown.
    more: usize,
    errors: Vec<LineError>,
}

/// Runs an import step on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ImportError> + Send + 'static,
) -> Result<T, ImportError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ImportError::Directory(Error::Internal(format!("import task: {e}"))))?
}

/// An import failure as a page, with the status the admin API gives it.
fn failure(e: &ImportError) -> Response {
    let (status, message) = import_parts(e);
    error_page(status, message)
}

fn upload_page(d: &Directory, req: &Request, imports: &Imports) -> UploadPage {
    UploadPage {
        layout: Layout::for_caller(d, req, "Bulk update"),
        problem: None,
        max_bytes: imports.config().limits.max_bytes,
    }
}

/// `GET /imports`: the upload form, to whoever may upload a file.
pub async fn form(State(s): State<ConsoleState>, Caller { req, .. }: Caller) -> Response {
    let imports = s.imports.clone();
    let done = blocking(move || {
        imports.directory().authorize_import_upload(&req)?;
        Ok(upload_page(imports.directory(), &req, &imports))
    })
    .await;
    done.map_or_else(|e| failure(&e), IntoResponse::into_response)
}

/// The uploaded file: its bytes and the type the browser gave it.
struct Upload {
    bytes: Vec<u8>,
    content_type: Option<String>,
}

/// Reads the `file` field of the form, refusing more than `limit` bytes.
async fn read_upload(mut form: Multipart, limit: usize) -> Result<Option<Upload>, String> {
    let too_large =
        || format!("the file is larger than {limit} bytes, the limit (import.max_bytes)");
    while let Some(mut field) = form.next_field().await.map_err(|e| e.body_text())? {
        if field.name() != Some("file") {
            continue;
        }
        let content_type = field.content_type().map(str::to_owned);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| e.body_text())? {
            if bytes.len() + chunk.len() > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(Some(Upload {
            bytes,
            content_type,
        }));
    }
    Ok(None)
}

/// `POST /imports`: reads and plans the file (nothing is written), then
/// shows its preview. A file that cannot be read at all shows the form again
/// with why.
pub async fn upload(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    form: Multipart,
) -> Response {
    let imports = s.imports.clone();
    // Whoever may not import anything is refused before the file is read.
    let check = (imports.clone(), req.clone());
    if let Err(e) = blocking(move || check.0.authorize_upload(&check.1)).await {
        return failure(&e);
    }
    let limit = imports.config().limits.max_bytes;
    let upload = read_upload(form, limit).await;
    let done = blocking(move || {
        let refused = |problem: String| {
            let mut page = upload_page(imports.directory(), &req, &imports);
            page.problem = Some(problem);
            Ok(Err(page))
        };
        let file = match upload {
            Ok(Some(file)) if !file.bytes.is_empty() => file,
            Ok(_) => return refused("Choose a CSV or XLSX file to upload.".into()),
            Err(problem) => return refused(problem),
        };
        match imports.preview(&req, &file.bytes, file.content_type.as_deref()) {
            Ok(p) => Ok(Ok(p.id)),
            Err(ImportError::Read(e)) => refused(e.to_string()),
            Err(e) => Err(e),
        }
    })
    .await;
    match done {
        Ok(Ok(id)) => Redirect::to(&format!("/imports/{id}")).into_response(),
        Ok(Err(page)) => (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
        Err(e) => failure(&e),
    }
}

fn record(row: &PlannedRow) -> Record {
    Record {
        line: row.line,
        login: row.login.clone(),
        organization: row.organization.clone(),
        action: row.action.as_str(),
        what: message(row),
    }
}

fn preview_page(d: &Directory, req: &Request, p: &Preview) -> PreviewPage {
    let applied = p.applied();
    let title = if applied.is_some() {
        "Bulk update applied"
    } else {
        "Bulk update preview"
    };
    let shown = p.plan.rows.len().min(PREVIEW_RECORDS);
    PreviewPage {
        layout: Layout::for_caller(d, req, title),
        id: p.id,
        applied: applied.is_some(),
        audit_event: applied.map(|a| a.event),
        confirmable: p.confirmable(),
        total_rows: p.total_rows,
        counts: p.counts,
        warnings: p.warnings.clone(),
        seats: p.plan.seats.clone(),
        records: p.plan.rows[..shown].iter().map(record).collect(),
        more: p.plan.rows.len() - shown,
        errors: p.errors.clone(),
    }
}

/// An id from the path; anything else is an import that does not exist.
fn parse(id: &str) -> Result<Uuid, ImportError> {
    Uuid::parse_str(id).map_err(|_| ImportError::NotFound(Uuid::nil()))
}

/// `GET /imports/{id}`: the preview, or the result once applied.
pub async fn show(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Path(id): Path<String>,
) -> Response {
    let imports = s.imports.clone();
    let done = blocking(move || {
        let p = imports.get(&req, parse(&id)?)?;
        Ok(preview_page(imports.directory(), &req, &p))
    })
    .await;
    done.map_or_else(|e| failure(&e), IntoResponse::into_response)
}

/// `POST /imports/{id}/confirm`: applies the file in one transaction; the
/// page then shows the result. Refused while invalid rows remain.
pub async fn confirm(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Path(id): Path<String>,
) -> Response {
    let imports = s.imports.clone();
    match blocking(move || imports.confirm(&req, parse(&id)?)).await {
        Ok(p) => Redirect::to(&format!("/imports/{}", p.id)).into_response(),
        Err(e) => failure(&e),
    }
}

/// `POST /imports/{id}/discard`: forgets the preview; back to the form.
pub async fn discard(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Path(id): Path<String>,
) -> Response {
    let imports = s.imports.clone();
    match blocking(move || imports.discard(&req, parse(&id)?)).await {
        Ok(()) => Redirect::to("/imports").into_response(),
        Err(e) => failure(&e),
    }
}

/// `GET /imports/{id}/report.csv`: every row of the file with its outcome.
pub async fn report(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Path(id): Path<String>,
) -> Response {
    let imports = s.imports.clone();
    let done = blocking(move || {
        let id = parse(&id)?;
        Ok((id, imports.report_csv(&req, id)?))
    })
    .await;
    match done {
        Ok((id, csv)) => crate::admin::imports::csv_file(csv, &format!("import-{id}-report.csv")),
        Err(e) => failure(&e),
    }
}

/// `GET /imports/template.csv`: the header row to start from.
pub async fn template(_: Caller) -> Response {
    crate::admin::imports::template()
}

/// The form's body limit: the file's limit and room for the form around it.
pub fn body_limit(imports: &Imports) -> usize {
    imports.config().limits.max_bytes.saturating_add(64 * 1024)
}
