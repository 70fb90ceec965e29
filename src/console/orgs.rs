//! The Organizations page: the organizations the caller may read with
//! their seats in use and free, the form to add one (offered to whoever the
//! policy lets create organizations: the system administrator), and a
//! delete button where the policy allows it. Deleting an organization that
//! still holds users, roles or units is refused by the core, and the page
//! says what remains. A delegate sees its own organization and no form.

use super::ConsoleState;
use super::error::{PageError, respond};
use super::pages::Layout;
use super::session::Caller;
use crate::directory::orgs::NewOrg;
use crate::directory::{Directory, Error, Request, Result};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// One row of the table.
struct OrgRow {
    name: String,
    description: String,
    seats: u32,
    used: u64,
    free: u64,
    deletable: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "organizations.html")]
pub struct OrgsPage {
    layout: Layout,
    rows: Vec<OrgRow>,
    may_create: bool,
    problem: Option<String>,
    /// What the add form held when it was refused.
    name: String,
    seats: String,
    description: String,
}

fn page(d: &Directory, req: &Request) -> Result<OrgsPage> {
    let orgs = d.list_org_usage(req)?;
    let mut rows = Vec::with_capacity(orgs.len());
    for (o, used) in orgs {
        rows.push(OrgRow {
            deletable: d.may_delete_org(req, &o),
            free: u64::from(o.seats).saturating_sub(used),
            name: o.name,
            description: o.description.unwrap_or_default(),
            seats: o.seats,
            used,
        });
    }
    Ok(OrgsPage {
        layout: Layout::for_caller(d, req, "Organizations"),
        rows,
        may_create: d.may_create_orgs(req),
        problem: None,
        name: String::new(),
        seats: String::new(),
        description: String::new(),
    })
}

pub async fn list(State(s): State<ConsoleState>, Caller { req, .. }: Caller) -> Response {
    respond(&s.dir, move |d| page(d, &req)).await
}

#[derive(Deserialize)]
pub struct AddForm {
    name: String,
    seats: String,
    #[serde(default)]
    description: String,
}

/// Adds an organization; a refused one shows the form again with why.
pub async fn add(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Form(f): Form<AddForm>,
) -> Response {
    let done = s
        .dir
        .blocking(move |d| {
            let created = match f.seats.trim().parse::<u32>() {
                Err(_) => Err(Error::invalid("seats must be a whole number (0 or more)")),
                Ok(seats) => d.create_org(
                    &req,
                    NewOrg {
                        name: f.name.trim().to_owned(),
                        seats,
                        description: Some(f.description.trim().to_owned())
                            .filter(|s| !s.is_empty()),
                        id: None,
                    },
                ),
            };
            match created {
                Ok(_) => Ok(None),
                Err(e @ (Error::Invalid(_) | Error::Exists(_))) => {
                    let mut p = page(d, &req)?;
                    p.problem = Some(e.to_string());
                    (p.name, p.seats, p.description) = (f.name, f.seats, f.description);
                    Ok(Some(p))
                }
                Err(e) => Err(e),
            }
        })
        .await;
    match done {
        Ok(None) => Redirect::to("/organizations").into_response(),
        Ok(Some(p)) => (StatusCode::BAD_REQUEST, p).into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct DeleteForm {
    name: String,
}

pub async fn delete(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Form(f): Form<DeleteForm>,
) -> Response {
    respond(&s.dir, move |d| {
        d.delete_org(&req, &f.name)
            .map(|()| Redirect::to("/organizations"))
    })
    .await
}
