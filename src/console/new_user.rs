//! The New-user form: login, email, names, the organization (those the
//! caller may create users in; none to pick for a delegate), the account
//! flags of the core's table (`flags::FLAGS`, Delegate offered only to whoever
//! may appoint delegates) and the storage quota, and how the person gets in:
//! an invitation (a registration token shown once, the account waiting in
//! `provisioned`) or a password set now (`active`). It is the admin API's
//! `POST /users` (`Directory::invite_user`), the same policy.

use super::ConsoleState;
use super::error::{PageError, error_page, respond};
use super::form::{Fields, field};
use super::pages::Layout;
use super::session::Caller;
use crate::directory::flags::FLAGS;
use crate::directory::model::{AccountFlags, Lifecycle};
use crate::directory::users::{NewPassword, NewUser, OrgRef};
use crate::directory::{Directory, Error, Request, Result};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Organizations listed in the form at most.
const ORG_CHOICES: usize = 500;

/// One checkbox of the form.
struct FlagBox {
    name: &'static str,
    label: &'static str,
    description: &'static str,
    checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "new_user.html")]
pub struct NewUserPage {
    layout: Layout,
    /// The organizations to pick from; empty when the caller has one.
    organizations: Vec<(String, bool)>,
    flags: Vec<FlagBox>,
    /// What the form held when it was refused.
    login: String,
    email: String,
    given_name: String,
    family_name: String,
    quota: String,
    invite: bool,
    problem: Option<String>,
}

fn form_page(d: &Directory, req: &Request, f: &Fields) -> Result<NewUserPage> {
    let placement = d.placement_choices(req, ORG_CHOICES)?;
    let picked = field(f, "organization");
    let may_delegate = d
        .list_orgs(req)?
        .iter()
        .any(|o| d.org_actions(req, o).delegates);
    Ok(NewUserPage {
        layout: Layout::for_caller(d, req, "New user"),
        organizations: if placement.orgs.len() > 1 || placement.moves {
            let picked = |o: &str| o.eq_ignore_ascii_case(picked);
            placement
                .orgs
                .into_iter()
                .map(|o| (o.clone(), picked(&o)))
                .collect()
        } else {
            Vec::new()
        },
        flags: FLAGS
            .iter()
            .filter(|flag| !flag.appointment || may_delegate)
            .map(|flag| FlagBox {
                name: flag.name,
                label: flag.label,
                description: flag.description,
                checked: !field(f, flag.name).is_empty(),
            })
            .collect(),
        login: field(f, "login").to_owned(),
        email: field(f, "email").to_owned(),
        given_name: field(f, "given_name").to_owned(),
        family_name: field(f, "family_name").to_owned(),
        quota: field(f, "quota").to_owned(),
        invite: field(f, "access") != "password",
        problem: None,
    })
}

/// `GET /users/new`: the form, to whoever may create users somewhere.
pub async fn form(State(s): State<ConsoleState>, Caller { req, .. }: Caller) -> Response {
    respond(&s.dir, move |d| {
        if !d.may_create_users(&req)? {
            return Ok(error_page(
                StatusCode::FORBIDDEN,
                "you may not create users".to_owned(),
            ));
        }
        form_page(d, &req, &Vec::new()).map(IntoResponse::into_response)
    })
    .await
}

/// The new user the form describes.
fn new_user(f: &Fields) -> Result<NewUser> {
    let text = |name| Some(field(f, name).to_owned()).filter(|v| !v.is_empty());
    let mut flags = AccountFlags::default();
    for flag in FLAGS {
        (flag.set)(&mut flags, !field(f, flag.name).is_empty());
    }
    flags.storage_quota = text("quota")
        .map(|q| {
            q.parse::<u64>()
                .map_err(|_| Error::invalid("the storage quota is a number of bytes"))
        })
        .transpose()?;
    let invite = field(f, "access") != "password";
    let password = if invite {
        None
    } else if field(f, "password") != field(f, "repeat") {
        return Err(Error::invalid("the two passwords differ"));
    } else {
        text("password").map(NewPassword::Plain)
    };
    Ok(NewUser {
        email: text("email"),
        given_name: text("given_name"),
        family_name: text("family_name"),
        org: text("organization").map(OrgRef::Name),
        state: if invite {
            Lifecycle::Provisioned
        } else {
            Lifecycle::Active
        },
        flags,
        password,
        ..NewUser::new(field(f, "login"))
    })
}

/// `POST /users/new`: creates the account and shows its page, with the
/// registration token once; a refusal shows the form again with why.
pub async fn create(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Form(f): Form<Fields>,
) -> Response {
    let done = s
        .dir
        .blocking(move |d| {
            let created = new_user(&f).and_then(|new| d.invite_user(&req, new));
            match created {
                Ok((user, token)) => {
                    let mut page = super::user::page(d, &req, &user.login)?;
                    page.notice = Some(match token {
                        Some(t) => format!(
                            "{} was created. Hand this registration token to the person, it is shown this once: {t}",
                            user.login
                        ),
                        None => format!("{} was created.", user.login),
                    });
                    Ok(Ok(page))
                }
                Err(
                    e @ (Error::Invalid(_)
                    | Error::Exists(_)
                    | Error::Taken(_)
                    | Error::Conflict(_)
                    | Error::SeatsExhausted { .. }),
                ) => {
                    let mut page = form_page(d, &req, &f)?;
                    page.problem = Some(e.to_string());
                    Ok(Err(page))
                }
                Err(e) => Err(e),
            }
        })
        .await;
    match done {
        Ok(Ok(page)) => (StatusCode::CREATED, page).into_response(),
        Ok(Err(page)) => (StatusCode::BAD_REQUEST, page).into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}
