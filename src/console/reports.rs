//! The reports page: the core's built-in reports (the admin API's
//! `GET /reports/{name}`, the same policy: a delegate's reports cover its
//! organization, the system administrator's the server or the organization
//! it picks), as a table, as a chart where people would rather look than
//! read (logins per day, seats per organization, users by state, top
//! logins), and as a CSV download. The choices stay in the URL.

use super::ConsoleState;
use super::chart::{Series, bars};
use super::error::{PageError, respond};
use super::pages::Layout;
use super::session::Caller;
use crate::directory::reports::{Report, ReportKind, ReportQuery};
use crate::directory::users::OrgRef;
use crate::directory::{Directory, Request, Result};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// Bars a chart shows at most (the table has every row).
const CHART_ROWS: usize = 31;

#[derive(Deserialize, Default)]
pub struct ReportParams {
    #[serde(default)]
    report: String,
    #[serde(default)]
    organization: String,
    #[serde(default)]
    days: String,
}

impl ReportParams {
    fn query(&self) -> Result<ReportQuery> {
        let name = Some(self.report.trim())
            .filter(|n| !n.is_empty())
            .unwrap_or("logins-per-day");
        let days = self.days.trim();
        Ok(ReportQuery {
            kind: ReportKind::parse(name)?,
            org: Some(self.organization.trim())
                .filter(|o| !o.is_empty())
                .map(|o| OrgRef::Name(o.to_owned())),
            days: if days.is_empty() {
                None
            } else {
                Some(
                    days.parse::<u32>().map_err(|_| {
                        crate::directory::Error::invalid("days must be a whole number")
                    })?,
                )
            },
        })
    }

    /// This report's choices as a query string.
    fn link(&self) -> String {
        serde_urlencoded::to_string([
            ("report", self.report.as_str()),
            ("organization", self.organization.as_str()),
            ("days", self.days.as_str()),
        ])
        .unwrap_or_default()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    layout: Layout,
    /// Every report's name, and whether it is the one shown.
    reports: Vec<(&'static str, bool)>,
    /// Organizations to pick from; empty for a caller with one.
    organizations: Vec<(String, bool)>,
    days: String,
    columns: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    /// The chart's SVG markup (escaped when drawn), if the report has one.
    chart: Option<String>,
    csv: String,
    cli: String,
}

/// The chart of a report, for those people would rather look at.
fn chart(kind: ReportKind, table: &Report) -> Option<String> {
    let rows = &table.rows[..table.rows.len().min(CHART_ROWS)];
    let labels: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    let column = |i: usize| -> Vec<u64> {
        rows.iter()
            .map(|r| r.get(i).and_then(|v| v.parse().ok()).unwrap_or(0))
            .collect()
    };
    let series = |name, class, values| Series {
        name,
        class,
        values,
    };
    let (title, series) = match kind {
        ReportKind::LoginsPerDay => (
            "Logins and failed logins per day",
            vec![
                series("logins", "one", column(1)),
                series("failed", "two", column(2)),
            ],
        ),
        ReportKind::Seats => (
            "Seats per organization",
            vec![
                series("used", "one", column(2)),
                series("free", "three", column(3)),
            ],
        ),
        ReportKind::UsersByState => ("Users by state", vec![series("users", "one", column(1))]),
        ReportKind::TopLogins => (
            "Logins per account",
            vec![series("logins", "one", column(1))],
        ),
        ReportKind::OpenRequests => (
            "Pending access requests per organization",
            vec![series("pending", "one", column(1))],
        ),
        ReportKind::RequestDecisions => (
            "Access requests decided per day",
            vec![
                series("approved", "one", column(1)),
                series("rejected", "two", column(2)),
                series("expired", "three", column(4)),
            ],
        ),
        _ => return None,
    };
    Some(bars(title, &labels, &series))
}

fn page(d: &Directory, req: &Request, p: &ReportParams) -> Result<ReportsPage> {
    let q = p.query()?;
    let table = d.report(req, &q)?;
    let name = ReportKind::ALL
        .iter()
        .find(|(_, k)| *k == q.kind)
        .map_or("", |(n, _)| *n);
    let organizations: Vec<String> = if d.may_create_orgs(req) {
        d.list_orgs(req)?.into_iter().map(|o| o.name).collect()
    } else {
        Vec::new()
    };
    let mut cli = format!("dirgate report {name}");
    if !p.organization.trim().is_empty() {
        cli.push_str(&format!(" --org {}", p.organization.trim()));
    }
    if let Some(days) = q.days {
        cli.push_str(&format!(" --days {days}"));
    }
    Ok(ReportsPage {
        layout: Layout::for_caller(d, req, "Reports"),
        reports: ReportKind::ALL
            .iter()
            .map(|(n, k)| (*n, *k == q.kind))
            .collect(),
        organizations: organizations
            .into_iter()
            .map(|o| {
                let picked = o.eq_ignore_ascii_case(p.organization.trim());
                (o, picked)
            })
            .collect(),
        days: p.days.clone(),
        chart: chart(q.kind, &table),
        columns: table.columns,
        rows: table.rows,
        csv: format!("/reports.csv?{}", p.link()),
        cli,
    })
}

pub async fn reports(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Query(p): Query<ReportParams>,
) -> Response {
    respond(&s.dir, move |d| page(d, &req, &p)).await
}

/// `GET /reports.csv`: the same report as a file.
pub async fn csv(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Query(p): Query<ReportParams>,
) -> Response {
    let done = s
        .dir
        .blocking(move |d| {
            let q = p.query()?;
            let table = d.report(&req, &q)?;
            let name = ReportKind::ALL
                .iter()
                .find(|(_, k)| *k == q.kind)
                .map_or("report", |(n, _)| *n);
            Ok((name, table))
        })
        .await;
    match done {
        Ok((name, table)) => match crate::admin::reports::csv_response(name, &table) {
            Ok(r) => r,
            Err(e) => e.into_response(),
        },
        Err(e) => PageError::from(e).into_response(),
    }
}
