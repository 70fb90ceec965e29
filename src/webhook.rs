//! The webhook channel: each outbox entry becomes a JSON POST
//! (`{"id", "event", "user", "organization", "time"}`, plus `"detail"` for
//! notices that carry one, such as a bulk update's counts) to the configured
//! URL, over HTTPS (rustls with ring; the public roots, or the configured CA
//! file) or plain HTTP, with a timeout. With a secret configured, every POST
//! is signed: `X-Dirgate-Timestamp` (Unix seconds) and
//! `X-Dirgate-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`,
//! so a receiver can check who sent it and refuse a replay; `X-Dirgate-Delivery`
//! is the entry's id, the same on every retry, to drop repeats. Anything but
//! a 2xx answer is a failed attempt that the outbox retries.

use crate::config::WebhookConfig;
use crate::directory::notice::OutboxEntry;
use crate::directory::outbox::Channel;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;
use std::time::Duration;

/// POSTs to one URL.
pub struct Webhook {
    agent: ureq::Agent,
    url: String,
    secret: Option<String>,
}

impl Webhook {
    /// The channel for `config`; `ca` is the PEM of `notify.ca_file`, trusted
    /// instead of the public roots.
    pub fn new(
        config: &WebhookConfig,
        ca: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<Webhook, String> {
        let tls = crate::client_tls::config(ca, None, "notify")?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .tls_config(tls)
            .build()
            .into();
        Ok(Webhook {
            agent,
            url: config.url.clone(),
            secret: config.secret.clone(),
        })
    }
}

/// The JSON body of `entry`.
fn payload(entry: &OutboxEntry) -> Vec<u8> {
    let notice = &entry.notice;
    let (login, org) = notice.parts();
    let time =
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(entry.created) * 1_000_000)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            });
    let mut body = json!({"id": entry.id, "event": notice.kind(), "user": login,
        "organization": org, "time": time});
    if let Some(detail) = notice.detail() {
        body["detail"] = json!(detail);
    }
    body.to_string().into_bytes()
}

/// `sha256=<hex>` of HMAC-SHA256(`secret`, "`timestamp`.`body`").
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length: this cannot fail.
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

impl Channel for Webhook {
    fn name(&self) -> &'static str {
        "webhook"
    }

    fn send(&self, entry: &OutboxEntry) -> Result<(), String> {
        let body = payload(entry);
        let mut request = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header("X-Dirgate-Delivery", entry.id.to_string());
        if let Some(secret) = &self.secret {
            let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
            request = request
                .header("X-Dirgate-Timestamp", timestamp.to_string())
                .header("X-Dirgate-Signature", signature(secret, timestamp, &body));
        }
        match request.send(&body[..]) {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) => Err(format!("the receiver answered {}", r.status().as_u16())),
            Err(e) => Err(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value `openssl dgst -sha256 -hmac key` gives for "1700000000.{}".
    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        assert_eq!(
            signature("key", 1_700_000_000, b"{}"),
            "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
    }
}
