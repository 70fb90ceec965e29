//! A running dirgate (in process, port 0) with bearer tokens for SCIM tests,
//! and a small HTTP client that speaks `application/scim+json`.
#![allow(dead_code)]

use super::server::{Ldap, start};
use dirgate::directory::acl::{Actor, ActorKind};
use dirgate::directory::audit::Origin;
use dirgate::directory::model::{Scope, TokenKind};
use dirgate::directory::orgs::NewOrg;
use dirgate::directory::{Directory, Request};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The server, its SCIM base URL, and tokens: Acme-A, Acme-B, server-wide, and
/// Big (an organization with many seats, for conformance tools).
pub struct Scim {
    pub env: Ldap,
    pub base: String,
    pub client: reqwest::Client,
    pub token_a: String,
    pub token_b: String,
    pub token_all: String,
    pub token_big: String,
}

/// An answer: status, headers and the JSON body (Null when empty).
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }
}

pub fn system(dir: &Directory) -> Request {
    let admin = dir.store().read(|tx| tx.system_admin()).unwrap().unwrap();
    Request {
        actor: Actor {
            kind: ActorKind::System,
            id: Some(admin.id),
            name: admin.login,
        },
        origin: Origin::internal(),
    }
}

/// Starts dirgate with `extra` TOML and issues the test tokens.
pub async fn start_scim(extra: &str) -> Scim {
    let env = start(extra).await;
    let dir = env.dir.clone();
    let tokens = tokio::task::spawn_blocking(move || {
        let sys = system(&dir);
        let big = NewOrg {
            name: "Big".into(),
            seats: 100_000,
            description: None,
            id: None,
        };
        dir.create_org(&sys, big).unwrap();
        let mut out = Vec::new();
        for org in [Some("Acme-A"), Some("Acme-B"), None, Some("Big")] {
            let scope = match org {
                Some(name) => Scope::Org(dir.get_org(&sys, name).unwrap().id),
                None => Scope::Server,
            };
            let issued = dir.issue_token(&sys, TokenKind::Scim, scope, None).unwrap();
            out.push(issued.secret);
        }
        out
    })
    .await
    .unwrap();
    let base = format!("http://{}/scim/v2", env.server.http_addr);
    Scim {
        env,
        base,
        client: reqwest::Client::new(),
        token_a: tokens[0].clone(),
        token_b: tokens[1].clone(),
        token_all: tokens[2].clone(),
        token_big: tokens[3].clone(),
    }
}

impl Scim {
    /// Sends `method path` with `token` (None = no Authorization) and headers.
    pub async fn send(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut rb = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        if let Some(b) = body {
            rb = rb
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        let resp = rb.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, token: &str, path: &str) -> Answer {
        self.send(Some(token), Method::GET, path, None, &[]).await
    }
    pub async fn post(&self, token: &str, path: &str, body: Value) -> Answer {
        self.send(Some(token), Method::POST, path, Some(body), &[])
            .await
    }
    pub async fn put(&self, token: &str, path: &str, body: Value) -> Answer {
        self.send(Some(token), Method::PUT, path, Some(body), &[])
            .await
    }
    pub async fn patch(&self, token: &str, path: &str, body: Value) -> Answer {
        self.send(Some(token), Method::PATCH, path, Some(body), &[])
            .await
    }
    pub async fn delete(&self, token: &str, path: &str) -> Answer {
        self.send(Some(token), Method::DELETE, path, None, &[])
            .await
    }
}

/// A PatchOp body from (op, path, value) triples.
pub fn patch_ops(ops: &[(&str, Option<&str>, Value)]) -> Value {
    let ops: Vec<Value> = ops
        .iter()
        .map(|(op, path, value)| {
            let mut o = serde_json::json!({"op": op, "value": value});
            if let Some(p) = path {
                o["path"] = Value::String((*p).to_owned());
            }
            if value.is_null() {
                o.as_object_mut().unwrap().remove("value");
            }
            o
        })
        .collect();
    serde_json::json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": ops,
    })
}

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A full User body (two emails, a phone, the enterprise extension).
pub fn sample_user(login: &str, ext: &str) -> Value {
    json!({
        "schemas": [USER, ENTERPRISE],
        "userName": login,
        "externalId": ext,
        "name": {"givenName": "Erin", "familyName": "Example"},
        "displayName": format!("Erin {ext}"),
        "emails": [{"value": login.replace("@example.com", "@work.example.com"), "type": "work", "primary": true},
                   {"value": login.replace("@example.com", "@home.example.com"), "type": "home"}],
        "phoneNumbers": [{"value": "+1 555 0100", "type": "mobile"}],
        "title": "Engineer",
        "active": true,
        ENTERPRISE: {"employeeNumber": "E-1", "department": "R&D", "manager": {"value": "boss-1"}},
    })
}

/// Creates `sample_user(login, ext)` and returns the answer's body.
pub async fn create_user(s: &Scim, token: &str, login: &str, ext: &str) -> Value {
    let r = s.post(token, "/Users", sample_user(login, ext)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}
