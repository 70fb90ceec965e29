//! Bulk import over the admin API:
//!
//! - `POST /imports` (body: the file, `text/csv` or the XLSX media type) →
//!   201 with the preview and its id;
//! - `GET /imports/{id}` → the preview (or, once applied, its result);
//! - `POST /imports/{id}/confirm` → applies it in one transaction;
//! - `DELETE /imports/{id}` → discards it (204), freeing what it holds;
//! - `GET /imports/{id}/report.csv` → the per-row report;
//! - `GET /imports/template` → the CSV template (the header row).
//!
//! Paths are relative to `/admin/v1`. The handlers are plain functions of an
//! already-authenticated [`Request`]; [`routes`] wires them with the request
//! taken from the request extensions, where the admin authentication layer
//! puts it (without that layer every call fails closed with a 500). Every
//! access decision is the core's; this file maps results to HTTP.

use crate::directory::{Error, Request};
use crate::import::read::{ReadError, XLSX_MEDIA_TYPE, template_csv};
use crate::import::report::summary;
use crate::import::{ImportError, Imports};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Extension, FromRef, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde_json::json;
use uuid::Uuid;

/// Media types accepted for an upload. Browsers on Windows label CSV files
/// `application/vnd.ms-excel` when Excel is installed; a missing or generic
/// type is sniffed (a zip archive is XLSX, anything else is tried as CSV).
const ACCEPTED: [&str; 7] = [
    "text/csv",
    "text/plain",
    "application/csv",
    "application/vnd.ms-excel",
    XLSX_MEDIA_TYPE,
    "application/octet-stream",
    "text/tab-separated-values",
];

/// The import routes, to be nested under `/admin/v1` behind the admin
/// authentication, which must insert the caller's [`Request`] into the
/// request extensions. Uploads are limited by `import.max_bytes` here, not
/// by axum's default body limit.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Imports: FromRef<S>,
{
    Router::new()
        .route("/imports", post(post_import))
        .route("/imports/template", get(|| async { template() }))
        .route("/imports/{id}", get(get_import).delete(delete_import))
        .route("/imports/{id}/confirm", post(post_confirm))
        .route("/imports/{id}/report.csv", get(get_report))
}

async fn post_import(
    State(imports): State<Imports>,
    Extension(req): Extension<Request>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // Whoever may not import anything is refused before the body is read.
    let check = (imports.clone(), req.clone());
    if let Err(e) = blocking(move || check.0.authorize_upload(&check.1)).await {
        return error(&e);
    }
    let limit = imports.config().limits.max_bytes;
    // Refused before reading when the client announces the size.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(bytes) = declared.filter(|n| *n > limit) {
        return error(&ImportError::Read(ReadError::TooLarge { bytes, limit }));
    }
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        let text = format!("the file is larger than {limit} bytes, the limit (import.max_bytes)");
        return message(StatusCode::PAYLOAD_TOO_LARGE, &text);
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    create(imports, req, content_type, bytes).await
}

/// `POST /imports`: reads and plans the file; writes nothing.
pub async fn create(
    imports: Imports,
    req: Request,
    content_type: Option<String>,
    body: Bytes,
) -> Response {
    if let Some(refused) = refuse_media_type(content_type.as_deref()) {
        return refused;
    }
    let done = blocking(move || {
        let p = imports.preview(&req, &body, content_type.as_deref())?;
        let answer = serde_json::to_value(summary(&p))
            .map_err(|e| ImportError::Directory(Error::Internal(format!("preview: {e}"))))?;
        Ok((p.id, answer))
    })
    .await;
    match done {
        Ok((id, body)) => {
            let mut response = (StatusCode::CREATED, Json(body)).into_response();
            if let Ok(location) = HeaderValue::from_str(&format!("/admin/v1/imports/{id}")) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Err(e) => error(&e),
    }
}

async fn get_import(
    State(imports): State<Imports>,
    Extension(req): Extension<Request>,
    Path(id): Path<String>,
) -> Response {
    match Uuid::parse_str(&id) {
        Ok(id) => show(imports, req, id).await,
        Err(_) => unknown(&id),
    }
}

/// `GET /imports/{id}`: the preview, or the result once applied.
pub async fn show(imports: Imports, req: Request, id: Uuid) -> Response {
    let done = blocking(move || imports.get(&req, id)).await;
    match done {
        Ok(p) => Json(summary(&p)).into_response(),
        Err(e) => error(&e),
    }
}

async fn delete_import(
    State(imports): State<Imports>,
    Extension(req): Extension<Request>,
    Path(id): Path<String>,
) -> Response {
    match Uuid::parse_str(&id) {
        Ok(id) => discard(imports, req, id).await,
        Err(_) => unknown(&id),
    }
}

/// `DELETE /imports/{id}`: forgets the preview (204).
pub async fn discard(imports: Imports, req: Request, id: Uuid) -> Response {
    match blocking(move || imports.discard(&req, id)).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error(&e),
    }
}

async fn post_confirm(
    State(imports): State<Imports>,
    Extension(req): Extension<Request>,
    Path(id): Path<String>,
) -> Response {
    match Uuid::parse_str(&id) {
        Ok(id) => confirm(imports, req, id).await,
        Err(_) => unknown(&id),
    }
}

/// `POST /imports/{id}/confirm`: applies the preview in one transaction.
pub async fn confirm(imports: Imports, req: Request, id: Uuid) -> Response {
    let done = blocking(move || imports.confirm(&req, id)).await;
    match done {
        Ok(p) => Json(summary(&p)).into_response(),
        Err(e) => error(&e),
    }
}

async fn get_report(
    State(imports): State<Imports>,
    Extension(req): Extension<Request>,
    Path(id): Path<String>,
) -> Response {
    match Uuid::parse_str(&id) {
        Ok(id) => report(imports, req, id).await,
        Err(_) => unknown(&id),
    }
}

/// `GET /imports/{id}/report.csv`: line, login, organization, action,
/// outcome, message for every row of the file.
pub async fn report(imports: Imports, req: Request, id: Uuid) -> Response {
    match blocking(move || imports.report_csv(&req, id)).await {
        Ok(csv) => csv_file(csv, &format!("import-{id}-report.csv")),
        Err(e) => error(&e),
    }
}

/// `GET /imports/template`: the header row administrators start from.
pub fn template() -> Response {
    csv_file(template_csv().into_bytes(), "import-template.csv")
}

pub(crate) fn csv_file(body: Vec<u8>, name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// Runs an import step on the blocking pool (redb and parsing are synchronous).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ImportError> + Send + 'static,
) -> Result<T, ImportError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ImportError::Directory(Error::Internal(format!("import task: {e}"))))?
}

/// An id that is not one: no such import.
fn unknown(id: &str) -> Response {
    message(StatusCode::NOT_FOUND, &format!("import {id} not found"))
}

fn refuse_media_type(content_type: Option<&str>) -> Option<Response> {
    let media = content_type?.split(';').next()?.trim();
    if ACCEPTED.iter().any(|a| a.eq_ignore_ascii_case(media)) {
        return None;
    }
    let text = format!(
        "unsupported media type {media}: send the file itself as the body, as text/csv or {XLSX_MEDIA_TYPE}"
    );
    Some(
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Json(json!({"error": text})),
        )
            .into_response(),
    )
}

/// The HTTP status for an import failure.
pub fn status_of(e: &ImportError) -> StatusCode {
    match e {
        ImportError::Read(
            ReadError::TooLarge { .. }
            | ReadError::DecodedTooLarge { .. }
            | ReadError::PartTooLarge { .. }
            | ReadError::WorkbookTooLarge { .. }
            | ReadError::TooMuchText { .. }
            | ReadError::TooManyRows { .. },
        ) => StatusCode::PAYLOAD_TOO_LARGE,
        ImportError::Read(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ImportError::NotFound(_) => StatusCode::NOT_FOUND,
        ImportError::InvalidRows(_) | ImportError::AlreadyApplied(_) => StatusCode::CONFLICT,
        // Room comes back as previews are confirmed, discarded or expire.
        ImportError::PreviewsFull { .. } => StatusCode::TOO_MANY_REQUESTS,
        ImportError::Directory(d) => match d {
            Error::Invalid(_) | Error::WeakPassword(_) => StatusCode::BAD_REQUEST,
            Error::NotFound(_) | Error::Hidden { .. } => StatusCode::NOT_FOUND,
            Error::Exists(_)
            | Error::Taken(_)
            | Error::Conflict(_)
            | Error::SeatsExhausted { .. } => StatusCode::CONFLICT,
            Error::Denied(_) => StatusCode::FORBIDDEN,
            Error::InvalidCredentials | Error::PasswordExpired => StatusCode::UNAUTHORIZED,
            Error::Busy | Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Store(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        },
    }
}

/// An import failure as HTTP answers it: the status and a message safe to
/// show (the console shows import failures with it too). Internal failures
/// are logged and answered without their details.
pub(crate) fn import_parts(e: &ImportError) -> (StatusCode, String) {
    let status = status_of(e);
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %e, "import failed");
        return (status, "internal error".into());
    }
    (status, e.to_string())
}

/// `{"error": "..."}` with the right status; internal failures are logged and
/// answered without their details.
fn error(e: &ImportError) -> Response {
    let (status, text) = import_parts(e);
    let mut response = message(status, &text);
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(super::error::RETRY_AFTER),
        );
    }
    response
}

fn message(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({"error": text}))).into_response()
}
