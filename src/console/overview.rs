//! The Overview page, the console's front page for whoever may read
//! reports: the accounts of the caller's scope by state, the accounts that
//! wait for validation, logins and failed logins of the last days as a
//! chart, and the seats of each organization. Each figure is one of the
//! core's reports (`Directory::report`, the same policy as the reports
//! page and the admin API); a caller without reports is sent to the page
//! it has: the users, or its own account.

use super::ConsoleState;
use super::chart::{Series, bars};
use super::error::respond;
use super::pages::Layout;
use super::session::Caller;
use crate::directory::reports::{Report, ReportKind, ReportQuery};
use crate::directory::{Directory, Request, Result};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

/// Organizations the seats table lists at most (the report has them all).
const SEAT_ROWS: usize = 20;

#[derive(Template, WebTemplate)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    layout: Layout,
    /// Each state and its number of accounts.
    states: Vec<(String, String)>,
    waiting: String,
    logins: String,
    failed: String,
    chart: String,
    /// Organization, seats, used, free.
    seats: Vec<Vec<String>>,
    more_seats: usize,
}

fn report(d: &Directory, req: &Request, kind: ReportKind) -> Result<Report> {
    d.report(
        req,
        &ReportQuery {
            kind,
            org: None,
            days: None,
        },
    )
}

fn page(d: &Directory, req: &Request) -> Result<OverviewPage> {
    let states = report(d, req, ReportKind::UsersByState)?.rows;
    let count = |state: &str| {
        states
            .iter()
            .find(|r| r[0] == state)
            .map_or_else(|| "0".to_owned(), |r| r[1].clone())
    };
    let days = report(d, req, ReportKind::LoginsPerDay)?;
    let sum = |i: usize| -> u64 {
        days.rows
            .iter()
            .filter_map(|r| r.get(i)?.parse::<u64>().ok())
            .sum()
    };
    let column = |i: usize| -> Vec<u64> {
        days.rows
            .iter()
            .map(|r| r.get(i).and_then(|v| v.parse().ok()).unwrap_or(0))
            .collect()
    };
    let labels: Vec<String> = days.rows.iter().map(|r| r[0].clone()).collect();
    let chart = bars(
        "Logins and failed logins per day",
        &labels,
        &[
            Series {
                name: "logins",
                class: "one",
                values: column(1),
            },
            Series {
                name: "failed",
                class: "two",
                values: column(2),
            },
        ],
    );
    let mut seats = report(d, req, ReportKind::Seats)?.rows;
    let more_seats = seats.len().saturating_sub(SEAT_ROWS);
    seats.truncate(SEAT_ROWS);
    Ok(OverviewPage {
        layout: Layout::for_caller(d, req, "Overview"),
        waiting: count("registered"),
        logins: sum(1).to_string(),
        failed: sum(2).to_string(),
        states: states
            .into_iter()
            .map(|mut r| (std::mem::take(&mut r[0]), std::mem::take(&mut r[1])))
            .collect(),
        chart,
        seats,
        more_seats,
    })
}

/// `GET /`: the overview, or the page the caller has.
pub async fn overview(State(s): State<ConsoleState>, Caller { req, .. }: Caller) -> Response {
    if !s.dir.administers(&req) {
        return Redirect::to("/account").into_response();
    }
    if !s.dir.may_read_reports(&req) {
        return Redirect::to("/users").into_response();
    }
    respond(&s.dir, move |d| page(d, &req)).await
}
