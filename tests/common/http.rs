//! A small JSON client for the admin API over real HTTP (ureq, run on the
//! blocking pool so the in-process server keeps its async workers).
#![allow(dead_code)]

use base64::Engine;
use serde_json::Value;

/// How a test authenticates.
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Basic(String, String),
    Bearer(String),
    /// Basic with a second factor's code in `X-Dirgate-Code`.
    BasicCode(String, String, String),
}

impl Auth {
    pub fn basic(user: &str, pw: &str) -> Auth {
        Auth::Basic(user.into(), pw.into())
    }

    fn header(&self) -> Option<String> {
        match self {
            Auth::None => None,
            Auth::Basic(u, p) | Auth::BasicCode(u, p, _) => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
            )),
            Auth::Bearer(t) => Some(format!("Bearer {t}")),
        }
    }
}

/// A response: status, `WWW-Authenticate` if any, and the JSON body (Null when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub challenge: Option<String>,
    pub body: Value,
}

#[derive(Clone)]
pub struct Api {
    base: String,
    agent: ureq::Agent,
}

impl Api {
    pub fn new(addr: std::net::SocketAddr) -> Api {
        Api::with_base(addr, "/admin/v1")
    }

    /// A client of another JSON API on the same listener (`/scim/v2`).
    pub fn with_base(addr: std::net::SocketAddr, path: &str) -> Api {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Api {
            base: format!("http://{addr}{path}"),
            agent,
        }
    }

    pub async fn call(&self, method: &str, path: &str, auth: &Auth, body: Option<Value>) -> Answer {
        let url = format!("{}{path}", self.base);
        let agent = self.agent.clone();
        let method = method.to_owned();
        let header = auth.header();
        let code = match auth {
            Auth::BasicCode(_, _, c) => Some(c.clone()),
            _ => None,
        };
        tokio::task::spawn_blocking(move || {
            let req = ureq::http::Request::builder()
                .method(method.as_str())
                .uri(&url);
            let req = match &header {
                Some(h) => req.header("Authorization", h),
                None => req,
            };
            let req = match &code {
                Some(c) => req.header("X-Dirgate-Code", c),
                None => req,
            };
            let mut resp = match body {
                Some(b) => {
                    let req = req.header("Content-Type", "application/json");
                    agent.run(req.body(b.to_string()).unwrap()).unwrap()
                }
                None => agent.run(req.body(()).unwrap()).unwrap(),
            };
            let challenge = resp
                .headers()
                .get("www-authenticate")
                .map(|v| v.to_str().unwrap().to_owned());
            // Bytes, not text: some answers are binary (a backup).
            let bytes = resp
                .body_mut()
                .with_config()
                .limit(1 << 30)
                .read_to_vec()
                .unwrap();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let body = if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap_or(Value::String(text))
            };
            Answer {
                status: resp.status().as_u16(),
                challenge,
                body,
            }
        })
        .await
        .unwrap()
    }

    pub async fn get(&self, path: &str, auth: &Auth) -> Answer {
        self.call("GET", path, auth, None).await
    }
    pub async fn post(&self, path: &str, auth: &Auth, body: Value) -> Answer {
        self.call("POST", path, auth, Some(body)).await
    }
    pub async fn patch(&self, path: &str, auth: &Auth, body: Value) -> Answer {
        self.call("PATCH", path, auth, Some(body)).await
    }
    pub async fn put(&self, path: &str, auth: &Auth, body: Value) -> Answer {
        self.call("PUT", path, auth, Some(body)).await
    }
    pub async fn delete(&self, path: &str, auth: &Auth) -> Answer {
        self.call("DELETE", path, auth, None).await
    }
}
