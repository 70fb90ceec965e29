//! The report routes (`/reports/{name}`): one organization's or the whole
//! server's report as JSON (`columns` and `rows` of objects) or, with
//! `?format=csv`, as a CSV download with a header row.

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::input::{Path, Query, org_ref};
use super::openapi::{Op, Routes};
use super::{AdminState, run};
use crate::directory::reports::{Report, ReportKind, ReportQuery};
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .add(Op::get("/reports", "The report names"), index)
        .add(
            Op::get("/reports/{name}", "A report as JSON or CSV")
                .query::<Params>()
                .csv(),
            report,
        )
}

/// The report names, so scripts can discover them.
async fn index(Caller(_req): Caller) -> Json<Value> {
    let names: Vec<&str> = ReportKind::ALL.iter().map(|(n, _)| *n).collect();
    Json(json!({"reports": names}))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Params {
    organization: Option<String>,
    /// Look-back period in days (default 7; inactive users 30).
    days: Option<u32>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

async fn report(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(name): Path<String>,
    Query(p): Query<Params>,
) -> ApiResult<Response> {
    let csv = match p.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "format '{other}': use json or csv"
            )));
        }
    };
    let q = ReportQuery {
        kind: ReportKind::parse(&name)?,
        org: p.organization.as_deref().map(org_ref),
        days: p.days,
    };
    let table = run(&s, move |d| d.report(&req, &q)).await?;
    if csv {
        return csv_response(&name, &table);
    }
    let rows: Vec<Value> = table
        .rows
        .iter()
        .map(|r| {
            let obj: Map<String, Value> = table
                .columns
                .iter()
                .zip(r)
                .map(|(c, v)| ((*c).to_owned(), json!(v)))
                .collect();
            Value::Object(obj)
        })
        .collect();
    let body = json!({
        "report": name,
        "organization": p.organization,
        "columns": table.columns,
        "total": rows.len(),
        "rows": rows,
    });
    Ok(Json(body).into_response())
}

pub(crate) fn csv_response(name: &str, table: &Report) -> Result<Response, ApiError> {
    let internal = |e: &dyn std::fmt::Display| {
        ApiError::Core(crate::directory::Error::Internal(format!("csv: {e}")))
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&table.columns).map_err(|e| internal(&e))?;
    for row in &table.rows {
        w.write_record(row).map_err(|e| internal(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| internal(&e))?;
    let disposition = format!("attachment; filename=\"{name}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
