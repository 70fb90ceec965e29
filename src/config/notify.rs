//! The `[notify]` section: where notices go besides the outbox (a webhook,
//! a mail relay), how they are secured (HTTPS with an HMAC signature;
//! STARTTLS, implicit TLS and AUTH for SMTP; an optional CA file for a
//! private PKI) and how long the outbox tries (`expire_after_hours`,
//! `retries`) and keeps them (`keep_days`). Its defaults and validation live
//! here, beside its keys.

use crate::directory::outbox::OutboxPolicy;
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

const HOUR_MS: i64 = 3600 * 1000;
const DEFAULT_TIMEOUT_SECS: u64 = 10;
const DEFAULT_FROM: &str = "dirgate@localhost";
/// The shortest webhook secret accepted: a guessable key signs nothing.
const MIN_SECRET: usize = 16;

/// `[notify]` as written.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NotifySection {
    /// An `https://` (or `http://`) URL that receives each notice as a JSON POST.
    webhook: Option<String>,
    /// The HMAC-SHA256 key the webhook's `X-Dirgate-Signature` is made with.
    webhook_secret: Option<String>,
    /// The mail relay, `host:port`.
    smtp: Option<String>,
    /// `starttls` (the default), `tls` (implicit, usually port 465) or `none`.
    smtp_security: Option<String>,
    smtp_user: Option<String>,
    smtp_password: Option<String>,
    smtp_from: Option<String>,
    /// PEM certificates trusted instead of the public roots (mail and webhook).
    ca_file: Option<PathBuf>,
    /// How long one delivery attempt may take.
    timeout_secs: Option<u64>,
    /// Attempts after the first at most (none: until the notice expires).
    retries: Option<u32>,
    expire_after_hours: Option<u32>,
    keep_days: Option<u32>,
}

/// How the mail relay is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain SMTP that must switch to TLS (STARTTLS) before anything else.
    StartTls,
    /// TLS from the first byte (SMTPS).
    Tls,
    /// No TLS: only for a relay on the same host or a trusted network.
    None,
}

impl SmtpSecurity {
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::StartTls => "starttls",
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::None => "none",
        }
    }
}

/// `[notify] smtp`: notices are also mailed through this relay.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// The relay's host name (checked against its certificate) and port.
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// AUTH user and password, when the relay wants them.
    pub credentials: Option<(String, String)>,
    pub from: String,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|c| &c.0))
            .field("from", &self.from)
            .finish()
    }
}

/// `[notify] webhook`: notices are also POSTed there.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    pub url: String,
    /// The HMAC key of the signature header.
    pub secret: Option<String>,
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// `[notify]`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifyConfig {
    pub webhook: Option<WebhookConfig>,
    pub smtp: Option<SmtpConfig>,
    pub ca_file: Option<PathBuf>,
    pub timeout: Duration,
    pub outbox: OutboxPolicy,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            webhook: None,
            smtp: None,
            ca_file: None,
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            outbox: OutboxPolicy::default(),
        }
    }
}

type Invalid = (&'static str, String);

impl NotifySection {
    /// The section validated; `Err` names the key and what is wrong.
    pub fn validate(&self) -> Result<NotifyConfig, Invalid> {
        let d = NotifyConfig::default();
        let timeout = self.timeout_secs.map_or(d.timeout, Duration::from_secs);
        if timeout.is_zero() {
            return Err(("notify.timeout_secs", "must be at least 1".into()));
        }
        let mut outbox = d.outbox;
        if let Some(h) = self.expire_after_hours {
            if h == 0 {
                return Err(("notify.expire_after_hours", "must be at least 1".into()));
            }
            outbox.expire_after = i64::from(h) * HOUR_MS;
        }
        if let Some(days) = self.keep_days {
            outbox.keep = i64::from(days) * 24 * HOUR_MS;
        }
        outbox.max_attempts = self.retries.map(|r| r.saturating_add(1));
        Ok(NotifyConfig {
            webhook: self.webhook()?,
            smtp: self.smtp()?,
            ca_file: self.ca_file.clone(),
            timeout,
            outbox,
        })
    }

    fn webhook(&self) -> Result<Option<WebhookConfig>, Invalid> {
        let secret = self.webhook_secret.clone().filter(|s| !s.is_empty());
        let Some(url) = &self.webhook else {
            if secret.is_some() {
                return Err(("notify.webhook_secret", "needs notify.webhook".into()));
            }
            return Ok(None);
        };
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err((
                "notify.webhook",
                format!("'{url}' must be an https:// (or http://) URL"),
            ));
        }
        if secret.as_ref().is_some_and(|s| s.len() < MIN_SECRET) {
            return Err((
                "notify.webhook_secret",
                format!("must be at least {MIN_SECRET} characters"),
            ));
        }
        Ok(Some(WebhookConfig {
            url: url.clone(),
            secret,
        }))
    }

    fn smtp(&self) -> Result<Option<SmtpConfig>, Invalid> {
        let Some(relay) = &self.smtp else {
            return Ok(None);
        };
        let (host, port) = relay
            .rsplit_once(':')
            .and_then(|(h, p)| Some((h, p.parse::<u16>().ok()?)))
            .filter(|(h, _)| !h.is_empty())
            .ok_or_else(|| {
                (
                    "notify.smtp",
                    format!("'{relay}' is not host:port such as mail.example.com:587"),
                )
            })?;
        let security = match self.smtp_security.as_deref().unwrap_or("starttls") {
            "starttls" => SmtpSecurity::StartTls,
            "tls" => SmtpSecurity::Tls,
            "none" => SmtpSecurity::None,
            other => {
                return Err((
                    "notify.smtp_security",
                    format!("'{other}' is not starttls, tls or none"),
                ));
            }
        };
        let credentials = match (&self.smtp_user, &self.smtp_password) {
            (Some(u), Some(p)) => Some((u.clone(), p.clone())),
            (None, None) => None,
            _ => {
                return Err((
                    "notify.smtp_user",
                    "smtp_user and smtp_password go together".into(),
                ));
            }
        };
        if credentials.is_some() && security == SmtpSecurity::None {
            return Err((
                "notify.smtp_password",
                "would be sent in clear: set smtp_security to starttls or tls".into(),
            ));
        }
        Ok(Some(SmtpConfig {
            host: host.trim_matches(['[', ']']).to_owned(),
            port,
            security,
            credentials,
            from: self
                .smtp_from
                .clone()
                .unwrap_or_else(|| DEFAULT_FROM.into()),
        }))
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, SmtpSecurity};

    fn parse(text: &str) -> Result<Config, String> {
        Config::from_str_with_env(text, &|_| None).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_and_a_full_section() {
        let c = parse("").unwrap().notify;
        assert!(c.webhook.is_none() && c.smtp.is_none());
        assert_eq!(c.outbox.max_attempts, None);
        let text = "[notify]\nwebhook = \"https://hooks.example/x\"\n\
                    webhook_secret = \"0123456789abcdef\"\nsmtp = \"mail.example.com:465\"\n\
                    smtp_security = \"tls\"\nsmtp_user = \"u\"\nsmtp_password = \"p\"\n\
                    retries = 0\nexpire_after_hours = 2\nkeep_days = 1\n";
        let c = parse(text).unwrap().notify;
        let smtp = c.smtp.unwrap();
        assert_eq!((smtp.host.as_str(), smtp.port), ("mail.example.com", 465));
        assert_eq!(smtp.security, SmtpSecurity::Tls);
        assert_eq!(c.outbox.max_attempts, Some(1));
        assert_eq!(c.outbox.expire_after, 2 * 3600 * 1000);
        assert!(
            !format!("{smtp:?}").contains("\"p\""),
            "the password is in Debug"
        );
    }

    #[test]
    fn bad_values_name_their_key() {
        for (text, key) in [
            ("webhook = \"ftp://x\"", "notify.webhook"),
            (
                "webhook = \"https://x\"\nwebhook_secret = \"short\"",
                "notify.webhook_secret",
            ),
            (
                "webhook_secret = \"0123456789abcdef\"",
                "notify.webhook_secret",
            ),
            ("smtp = \"mail.example.com\"", "notify.smtp"),
            (
                "smtp = \"m:25\"\nsmtp_security = \"ssl\"",
                "notify.smtp_security",
            ),
            ("smtp = \"m:25\"\nsmtp_user = \"u\"", "notify.smtp_user"),
            (
                "smtp = \"m:25\"\nsmtp_security = \"none\"\nsmtp_user = \"u\"\nsmtp_password = \"p\"",
                "notify.smtp_password",
            ),
            ("timeout_secs = 0", "notify.timeout_secs"),
        ] {
            let err = parse(&format!("[notify]\n{text}\n")).unwrap_err();
            assert!(err.starts_with(key), "{text}: {err}");
        }
    }
}
