//! The CLI's connection to a running daemon: where it listens (`--url`, else
//! the configuration's `[http] listen`), which credential to send (`DIRGATE_TOKEN`
//! as a bearer token; `--user` with `DIRGATE_PASSWORD`; else the bootstrap
//! credential file `<data_dir>/bootstrap-admin`), and one blocking JSON call.
//! Plain HTTP to the daemon; no TLS stack is linked for it.

use crate::config::Config;
use base64::Engine;
use serde_json::Value;
use std::net::SocketAddr;
use std::path::Path;

/// Why a command failed; each kind has its own exit status (see [`Self::exit_code`]).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("configuration: {0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("cannot reach the daemon at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The input cannot be used as it is (an import file with invalid rows).
    #[error("{0}")]
    Invalid(String),
    /// The daemon answered with an error: its status, kind and message.
    #[error("{status} {kind}: {message}")]
    Api {
        status: u16,
        kind: String,
        message: String,
    },
}

impl CliError {
    /// 1 usage or configuration, 2 unreachable daemon, 3 bad credentials or
    /// refused by the policy, 4 not found, 5 conflict (exists, not empty,
    /// no seat), 6 invalid input (also a file too large or unreadable, and an
    /// import with invalid rows), 7 any other server error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::Config(_) => 1,
            CliError::Unreachable { .. } => 2,
            CliError::Invalid(_) => 6,
            CliError::Api { status, .. } => match status {
                401 | 403 => 3,
                404 => 4,
                409 => 5,
                400 | 413 | 422 => 6,
                _ => 7,
            },
        }
    }
}

/// What to send as `Authorization`.
enum Credential {
    Basic {
        user: String,
        password: String,
    },
    Bearer(String),
    /// None: the public calls (a forgotten password).
    Anonymous,
}

/// A connection to the admin API.
pub struct Client {
    base: String,
    credential: Credential,
    agent: ureq::Agent,
}

impl Client {
    /// Builds the connection from the options and the environment.
    pub fn new(config: &Config, url: Option<&str>, user: Option<&str>) -> Result<Client, CliError> {
        let credential = credential(config, user)?;
        Ok(Client::with(config, url, credential))
    }

    /// A connection that sends no credential, for the admin API's public
    /// calls.
    pub fn anonymous(config: &Config, url: Option<&str>) -> Client {
        Client::with(config, url, Credential::Anonymous)
    }

    fn with(config: &Config, url: Option<&str>, credential: Credential) -> Client {
        let base = match url {
            Some(u) => u.trim_end_matches('/').to_owned(),
            None => format!("http://{}", reachable(config.http_listen)),
        };
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(std::time::Duration::from_secs(60)))
            .build()
            .into();
        Client {
            base,
            credential,
            agent,
        }
    }

    /// Calls `method path` under `/admin/v1` with an optional JSON body; the
    /// answer's JSON (Null when empty), or the daemon's error.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, CliError> {
        match body {
            Some(b) => self.send(method, path, "application/json", b.to_string().into_bytes()),
            None => self.send(method, path, "", Vec::new()),
        }
    }

    /// Sends `body` as `content_type` (no body when the type is empty) to
    /// `method path` under `/admin/v1`; the answer as [`Self::call`] gives it.
    /// Uploads (an import file) go through here.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<Value, CliError> {
        let (status, text) = self.exchange(method, path, content_type, body)?;
        let value: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        if (200..300).contains(&status) {
            return Ok(value);
        }
        Err(api_error(status, &value))
    }

    /// `GET path` under `/admin/v1` for an answer that is text, not JSON
    /// (an LDIF export), returned as it came.
    pub fn get_text(&self, path: &str) -> Result<String, CliError> {
        let (status, text) = self.exchange("GET", path, "", Vec::new())?;
        if (200..300).contains(&status) {
            return Ok(text);
        }
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Err(api_error(status, &value))
    }

    /// `GET path` under `/admin/v1` streamed into `out` (a backup), with no
    /// overall time limit: a large directory takes a while. The bytes written.
    pub fn download(&self, path: &str, out: &mut dyn std::io::Write) -> Result<u64, CliError> {
        let url = format!("{}/admin/v1{path}", self.base);
        let unreachable = |e: &dyn std::fmt::Display| CliError::Unreachable {
            url: self.base.clone(),
            reason: e.to_string(),
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(std::time::Duration::from_secs(10)))
            .build()
            .into();
        let mut get = agent.get(&url);
        if let Some(authorization) = self.authorization() {
            get = get.header("Authorization", authorization);
        }
        let mut resp = get.call().map_err(|e| unreachable(&e))?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let text = resp.body_mut().read_to_string().unwrap_or_default();
            let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
            return Err(api_error(status, &value));
        }
        let mut body = resp.body_mut().with_config().limit(u64::MAX).reader();
        std::io::copy(&mut body, out).map_err(|e| unreachable(&e))
    }

    /// One request; the status and the body as text.
    fn exchange(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<(u16, String), CliError> {
        let url = format!("{}/admin/v1{path}", self.base);
        let unreachable = |e: &dyn std::fmt::Display| CliError::Unreachable {
            url: self.base.clone(),
            reason: e.to_string(),
        };
        let mut req = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(authorization) = self.authorization() {
            req = req.header("Authorization", authorization);
        }
        let sent = if content_type.is_empty() {
            req.body(()).map(|r| self.agent.run(r))
        } else {
            req.header("Content-Type", content_type)
                .body(body)
                .map(|r| self.agent.run(r))
        };
        let mut resp = sent
            .map_err(|e| unreachable(&e))?
            .map_err(|e| unreachable(&e))?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_to_string()
            .map_err(|e| unreachable(&e))?;
        Ok((status, text))
    }

    fn authorization(&self) -> Option<String> {
        match &self.credential {
            Credential::Bearer(t) => Some(format!("Bearer {t}")),
            Credential::Basic { user, password } => {
                let pair = format!("{user}:{password}");
                let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
                Some(format!("Basic {encoded}"))
            }
            Credential::Anonymous => None,
        }
    }
}

/// The largest answer read: an export of a large directory is big (ureq's
/// default stops at 10 MB).
const MAX_ANSWER_BYTES: u64 = 4 << 30;

/// The daemon's error answer as a [`CliError`]. Most routes answer
/// `{"error": kind, "message": text}`; the import routes answer
/// `{"error": text}`, shown as the message.
fn api_error(status: u16, value: &Value) -> CliError {
    let (kind, message) = match (value["error"].as_str(), value["message"].as_str()) {
        (Some(k), Some(m)) => (k.to_owned(), m.to_owned()),
        (Some(text), None) => (reason(status).to_owned(), text.to_owned()),
        _ => ("error".to_owned(), value.to_string()),
    };
    CliError::Api {
        status,
        kind,
        message,
    }
}

/// A short name for an HTTP error status, for answers that carry only a text.
fn reason(status: u16) -> &'static str {
    match status {
        400 => "invalid",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not-found",
        409 => "conflict",
        413 => "too-large",
        415 => "unsupported-media-type",
        422 => "unreadable",
        _ => "error",
    }
}

/// A listen address a client can connect to (`0.0.0.0` → loopback).
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V4(a) if a.ip().is_unspecified() => {
            SocketAddr::from(([127, 0, 0, 1], a.port()))
        }
        SocketAddr::V6(a) if a.ip().is_unspecified() => {
            SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, a.port()))
        }
        other => other,
    }
}

fn credential(config: &Config, user: Option<&str>) -> Result<Credential, CliError> {
    if let Ok(token) = std::env::var("DIRGATE_TOKEN")
        && user.is_none()
        && !token.is_empty()
    {
        return Ok(Credential::Bearer(token));
    }
    let password = std::env::var("DIRGATE_PASSWORD").ok();
    match (user, password) {
        (Some(u), Some(p)) => Ok(Credential::Basic {
            user: u.to_owned(),
            password: p,
        }),
        (Some(_), None) => Err(CliError::Usage(
            "--user needs the password in DIRGATE_PASSWORD".into(),
        )),
        (None, _) => bootstrap(&config.data_dir.join("bootstrap-admin")),
    }
}

/// The system administrator's credential from the file the first `serve` wrote.
fn bootstrap(path: &Path) -> Result<Credential, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::Usage(format!(
            "no credential: set DIRGATE_TOKEN, or --user with DIRGATE_PASSWORD, or make {} readable ({e})",
            path.display()
        ))
    })?;
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(str::to_owned)
    };
    match (field("DN=").or_else(|| field("LOGIN=")), field("PASSWORD=")) {
        (Some(user), Some(password)) => Ok(Credential::Basic { user, password }),
        _ => Err(CliError::Usage(format!(
            "{} has no DN= and PASSWORD= lines",
            path.display()
        ))),
    }
}
