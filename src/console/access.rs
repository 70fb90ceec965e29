//! The Access page: the credentials the caller manages. Its own admin
//! tokens, console sessions among them (this one marked; revoking it signs
//! out), SCIM tokens of its scope for identity providers, service accounts
//! for applications that bind over LDAP, and the server's login suffixes.
//! A new token's secret and a new service account's password are shown
//! once, on the page that created them; only their hashes are kept. Every
//! form is the admin API's use case, the same policy; a section the policy
//! does not open to the caller is not shown.

use super::ConsoleState;
use super::error::{PageError, respond};
use super::pages::Layout;
use super::session::Caller;
use crate::directory::model::{Scope, Token, TokenKind};
use crate::directory::offers::AccessActions;
use crate::directory::{Directory, Error, Request, Result};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

/// A token in the table.
struct TokenRow {
    id: Uuid,
    kind: &'static str,
    scope: String,
    description: String,
    created: String,
    expires: String,
    this_session: bool,
}

/// A service account in the table.
struct ServiceRow {
    name: String,
    scope: String,
    description: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "access.html")]
pub struct AccessPage {
    layout: Layout,
    tokens: Vec<TokenRow>,
    services: Vec<ServiceRow>,
    suffixes: Vec<String>,
    may: AccessActions,
    /// Organizations a SCIM token or service account may be confined to;
    /// empty for a caller that works in one.
    organizations: Vec<String>,
    notice: Option<String>,
    /// A secret shown this once.
    secret: Option<String>,
    problem: Option<String>,
}

fn scope_text(scope: Scope, names: &HashMap<Uuid, String>) -> String {
    match scope {
        Scope::Server => "the whole server".to_owned(),
        Scope::Org(o) => names.get(&o).cloned().unwrap_or_default(),
    }
}

fn token_row(t: &Token, names: &HashMap<Uuid, String>, session: Option<Uuid>) -> TokenRow {
    let rfc3339 = crate::admin::views::rfc3339;
    TokenRow {
        id: t.id,
        kind: match t.kind {
            TokenKind::Scim => "SCIM",
            TokenKind::Admin => "admin",
            TokenKind::Registration => "registration",
            TokenKind::Reset => "password reset",
        },
        scope: match t.kind {
            TokenKind::Admin => "as its owner".to_owned(),
            _ => scope_text(t.scope, names),
        },
        description: t.description.clone().unwrap_or_default(),
        created: rfc3339(t.created),
        expires: t.expires.map_or_else(|| "when revoked".to_owned(), rfc3339),
        this_session: Some(t.id) == session,
    }
}

fn page(d: &Directory, req: &Request, session: Option<Uuid>) -> Result<AccessPage> {
    let names = d.org_names()?;
    let may = d.access_actions(req);
    let services = if may.services {
        d.list_service_accounts(req)?
    } else {
        Vec::new()
    };
    Ok(AccessPage {
        layout: Layout::for_caller(d, req, "Access"),
        tokens: d
            .list_tokens(req)?
            .iter()
            .map(|t| token_row(t, &names, session))
            .collect(),
        services: services
            .into_iter()
            .map(|s| ServiceRow {
                scope: scope_text(s.scope, &names),
                name: s.name,
                description: s.description.unwrap_or_default(),
            })
            .collect(),
        suffixes: if may.suffixes {
            d.list_suffixes()?.into_iter().map(|s| s.name).collect()
        } else {
            Vec::new()
        },
        organizations: if d.may_create_orgs(req) {
            d.list_orgs(req)?.into_iter().map(|o| o.name).collect()
        } else {
            Vec::new()
        },
        may,
        notice: None,
        secret: None,
        problem: None,
    })
}

pub async fn show(State(s): State<ConsoleState>, caller: Caller) -> Response {
    let session = caller.session_id();
    let req = caller.req;
    respond(&s.dir, move |d| page(d, &req, session)).await
}

/// Every form of the page.
#[derive(Deserialize)]
pub struct AccessForm {
    action: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    organization: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    id: String,
}

/// What an action did: a message, and a secret to show once.
type Done = (String, Option<String>);

/// The scope the form names: an organization, the caller's own, or the
/// whole server.
fn scope(d: &Directory, req: &Request, organization: &str) -> Result<Scope> {
    if organization.is_empty() {
        return Ok(req.actor.home_org().map_or(Scope::Server, Scope::Org));
    }
    let org = d.get_org(req, organization)?;
    Ok(Scope::Org(org.id))
}

fn act(d: &Directory, req: &Request, f: &AccessForm) -> Result<Done> {
    let description = Some(f.description.trim().to_owned()).filter(|s| !s.is_empty());
    let name = f.name.trim();
    match f.action.as_str() {
        "issue" => {
            let kind = if f.kind == "admin" {
                TokenKind::Admin
            } else {
                TokenKind::Scim
            };
            // An admin token acts as its owner: a scope would not be kept.
            if kind == TokenKind::Admin && !f.organization.trim().is_empty() {
                return Err(Error::invalid(
                    "an admin token acts as you, with your rights; only a SCIM token takes an organization",
                ));
            }
            let scope = scope(d, req, f.organization.trim())?;
            let issued = d.issue_token(req, kind, scope, description)?;
            Ok((
                "The token was issued. Copy its secret now: it is shown this once.".into(),
                Some(issued.secret),
            ))
        }
        "revoke" => {
            let id = Uuid::parse_str(f.id.trim())
                .map_err(|_| Error::not_found(format!("token {}", f.id.trim())))?;
            d.revoke_token(req, id)?;
            Ok(("The token was revoked.".into(), None))
        }
        "add-service" => {
            let scope = scope(d, req, f.organization.trim())?;
            let issued = d.create_service_account(req, name, scope, description)?;
            Ok((
                format!(
                    "Service account {name} was created. Copy its password now: it is shown this once."
                ),
                Some(issued.secret),
            ))
        }
        "delete-service" => {
            d.delete_service_account(req, name)?;
            Ok((format!("Service account {name} was deleted."), None))
        }
        "add-suffix" => {
            d.add_suffix(req, name)?;
            Ok((format!("Logins may now end in @{name}."), None))
        }
        "delete-suffix" => {
            d.delete_suffix(req, name)?;
            Ok((format!("The suffix {name} was deleted."), None))
        }
        other => Err(Error::invalid(format!("unknown action '{other}'"))),
    }
}

/// `POST /access`: one action, then the page again with what it did (and a
/// secret, once) or why not.
pub async fn change(
    State(s): State<ConsoleState>,
    caller: Caller,
    Form(f): Form<AccessForm>,
) -> Response {
    let session = caller.session_id();
    let req = caller.req;
    let done = s
        .dir
        .blocking(move |d| {
            let outcome = match act(d, &req, &f) {
                Ok(done) => Ok(done),
                Err(e @ (Error::Invalid(_) | Error::Exists(_) | Error::Conflict(_))) => {
                    Err(e.to_string())
                }
                Err(e) => return Err(e),
            };
            let mut p = page(d, &req, session)?;
            match outcome {
                Ok((notice, secret)) => (p.notice, p.secret) = (Some(notice), secret),
                Err(m) => p.problem = Some(m),
            }
            Ok(p)
        })
        .await;
    match done {
        Ok(p) if p.problem.is_some() => (StatusCode::BAD_REQUEST, p).into_response(),
        Ok(p) => p.into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}
