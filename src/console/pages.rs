//! The console's pages. Each is one use case of the core called with the
//! session's actor, rendered by a template of `templates/`; the navigation
//! shows what the caller's account is. The users page is the admin API's
//! `GET /users` (the same query, the same policy): search, filters kept in
//! the URL, server-side paging.

use super::ConsoleState;
use super::error::respond;
use super::session::Caller;
use crate::directory::acl::ActorKind;
use crate::directory::model::{Lifecycle, User};
use crate::directory::queries::UserQuery;
use crate::directory::users::OrgRef;
use crate::directory::{Directory, Request, Result};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

/// Users shown on one page.
const PAGE_SIZE: usize = 50;

/// What every page's frame shows: its title, who is signed in, the links.
pub struct Layout {
    pub title: String,
    /// `None` on the pages before signing in.
    pub signed_in: Option<String>,
    /// Whether the caller has an account page of its own (the system
    /// administrator's account is not a user).
    pub has_account: bool,
    /// Whether the policy lets the caller read the audit trail.
    pub audit: bool,
    /// Whether the policy lets the caller upload a bulk update.
    pub imports: bool,
    /// Whether the caller administers anyone (the users page is for it).
    pub users: bool,
    /// Whether the policy lets the caller read reports.
    pub reports: bool,
    /// Whether the caller has roles to manage.
    pub roles: bool,
    /// Whether the policy lets the caller read the server's settings.
    pub settings: bool,
    /// The organizations link: its label and where it goes (the list for
    /// whoever may add organizations, a delegate's own organization).
    pub orgs: Option<(&'static str, String)>,
}

impl Layout {
    pub fn signed_out(title: &str) -> Layout {
        Layout {
            title: title.to_owned(),
            signed_in: None,
            has_account: false,
            audit: false,
            imports: false,
            users: false,
            reports: false,
            roles: false,
            settings: false,
            orgs: None,
        }
    }

    /// The frame for a signed-in caller: its links are what the policy
    /// lets it use.
    pub fn for_caller(d: &Directory, req: &Request, title: &str) -> Layout {
        Layout {
            title: title.to_owned(),
            signed_in: Some(req.actor.name.clone()),
            has_account: matches!(req.actor.kind, ActorKind::User(_)),
            audit: d.may_read_audit(req),
            imports: d.authorize_import_upload(req).is_ok(),
            users: d.administers(req),
            reports: d.may_read_reports(req),
            roles: d.may_create_roles(req),
            settings: d.may_read_settings(req),
            orgs: orgs_link(d, req),
        }
    }
}

/// Where the organizations link goes, if the caller has one.
fn orgs_link(d: &Directory, req: &Request) -> Option<(&'static str, String)> {
    if d.may_create_orgs(req) {
        return Some(("Organizations", "/organizations".to_owned()));
    }
    if !d.administers(req) {
        return None;
    }
    let path = url_path(&d.home_org_name(req)?);
    Some(("Organization", format!("/organizations/{path}")))
}

/// `name` as one path segment.
fn url_path(name: &str) -> String {
    serde_urlencoded::to_string([("", name)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .to_owned()
}

/// The users page's query string: every filter stays in the URL.
#[derive(Deserialize, Default)]
pub struct UsersQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    organization: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    page: usize,
}

/// One option of a filter's list.
struct Choice {
    value: String,
    selected: bool,
}

fn choices<'a>(values: impl Iterator<Item = &'a str>, current: &str) -> Vec<Choice> {
    values
        .map(|v| Choice {
            value: v.to_owned(),
            selected: v.eq_ignore_ascii_case(current),
        })
        .collect()
}

/// One row of the users table.
pub(super) struct UserRow {
    pub login: String,
    pub name: String,
    pub email: String,
    pub organization: String,
    pub state: &'static str,
    /// The buttons the policy allows on this account.
    actions: Vec<super::actions::Offer>,
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
pub struct UsersPage {
    layout: Layout,
    q: String,
    /// The organizations the caller may pick from; empty when it sees one.
    organizations: Vec<Choice>,
    states: Vec<Choice>,
    rows: Vec<UserRow>,
    total: usize,
    first: usize,
    last: usize,
    previous: Option<String>,
    next: Option<String>,
    cli: String,
    /// This page's URL, where an action comes back to.
    back: String,
    /// Whether to offer the New-user form.
    may_create: bool,
    /// Accounts that registered and wait for validation, in the caller's view.
    waiting: usize,
}

pub async fn users(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Query(q): Query<UsersQuery>,
) -> Response {
    // A plain member administers nobody: its page is its own account.
    if !s.dir.administers(&req) {
        return Redirect::to("/account").into_response();
    }
    respond(&s.dir, move |d| users_page(d, &req, q)).await
}

fn users_page(d: &Directory, req: &Request, q: UsersQuery) -> Result<UsersPage> {
    let state = Lifecycle::parse(&q.state);
    let query = UserQuery {
        org: Some(q.organization.trim())
            .filter(|o| !o.is_empty())
            .map(|o| OrgRef::Name(o.to_owned())),
        state,
        text: Some(q.q.trim().to_owned()).filter(|t| !t.is_empty()),
        offset: q.page * PAGE_SIZE,
        limit: PAGE_SIZE,
    };
    let page = d.list_users(req, &query)?;
    let offers = d.account_actions(req, &page.items)?;
    let names = d.org_names()?;
    let organizations: Vec<String> = d.list_orgs(req)?.into_iter().map(|o| o.name).collect();
    let link = |page: usize| {
        let query = serde_urlencoded::to_string([
            ("q", q.q.as_str()),
            ("organization", q.organization.as_str()),
            ("state", q.state.as_str()),
            ("page", &page.to_string()),
        ])
        .unwrap_or_default();
        format!("/users?{query}")
    };
    let shown = page.items.len();
    Ok(UsersPage {
        layout: Layout::for_caller(d, req, "Users"),
        cli: cli_command(&q),
        previous: (q.page > 0).then(|| link(q.page - 1)),
        next: (query.offset + shown < page.total).then(|| link(q.page + 1)),
        first: if shown == 0 { 0 } else { query.offset + 1 },
        last: query.offset + shown,
        total: page.total,
        rows: page
            .items
            .iter()
            .zip(offers)
            .map(|(u, offer)| UserRow {
                actions: super::actions::offers(offer),
                ..row(u, &names)
            })
            .collect(),
        back: link(q.page),
        may_create: d.may_create_users(req)?,
        waiting: d
            .list_users(
                req,
                &UserQuery {
                    state: Some(Lifecycle::Registered),
                    limit: 1,
                    ..Default::default()
                },
            )?
            .total,
        organizations: if organizations.len() > 1 {
            choices(organizations.iter().map(String::as_str), &q.organization)
        } else {
            Vec::new()
        },
        states: choices(
            Lifecycle::ALL.iter().map(|s| s.as_str()),
            state.map_or("", |s| s.as_str()),
        ),
        q: q.q,
    })
}

pub(super) fn row(u: &User, names: &HashMap<Uuid, String>) -> UserRow {
    let name = u.display_name.clone().unwrap_or_else(|| {
        [u.given_name.as_deref(), u.family_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    });
    UserRow {
        login: u.login.clone(),
        name,
        email: u.email.clone().unwrap_or_default(),
        organization: u
            .org
            .and_then(|o| names.get(&o).cloned())
            .unwrap_or_default(),
        state: u.state.as_str(),
        actions: Vec::new(),
    }
}

/// The same list from the command line.
fn cli_command(q: &UsersQuery) -> String {
    let mut cmd = String::from("dirgate user list");
    for (flag, value) in [
        ("--org", &q.organization),
        ("--state", &q.state),
        ("--q", &q.q),
    ] {
        let value = value.trim();
        if !value.is_empty() {
            cmd.push_str(&format!(" {flag} '{}'", value.replace('\'', r"'\''")));
        }
    }
    cmd
}
