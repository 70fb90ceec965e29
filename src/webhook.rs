//! The webhook notification channel: each notice becomes a JSON POST
//! (`{"event", "user", "organization", "time"}`, plus `"detail"` for notices
//! that carry one, such as a bulk update's counts) to the configured URL, sent by
//! one background thread so no request waits for it, and retried with a
//! doubling pause when the receiver fails or answers anything but 2xx. Plain
//! HTTP only (no TLS stack is linked for it); notices still queued at shutdown
//! are dropped (the log has them all).

use crate::directory::notify::{Channel, Notice};
use serde_json::{Value, json};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

/// The first pause before a retry; it doubles after each failure.
const FIRST_PAUSE: Duration = Duration::from_millis(200);

/// Queues notices for the delivery thread.
pub struct Webhook {
    queue: Mutex<Sender<Value>>,
}

impl Webhook {
    /// Starts the delivery thread for `url`, trying each notice `1 + retries` times.
    pub fn start(url: String, retries: u32) -> std::io::Result<Webhook> {
        let (tx, rx) = channel();
        std::thread::Builder::new()
            .name("dirgate-webhook".into())
            .spawn(move || deliver_all(&url, retries, rx))?;
        Ok(Webhook {
            queue: Mutex::new(tx),
        })
    }
}

impl Channel for Webhook {
    fn deliver(&self, notice: &Notice, _to: &[String]) {
        let (login, org) = notice.parts();
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let mut body =
            json!({"event": notice.kind(), "user": login, "organization": org, "time": now});
        if let Some(detail) = notice.detail() {
            body["detail"] = json!(detail);
        }
        let sent = self.queue.lock().map(|q| q.send(body).is_ok());
        if !matches!(sent, Ok(true)) {
            tracing::error!("webhook thread is gone; a notification was not sent");
        }
    }
}

fn deliver_all(url: &str, retries: u32, rx: Receiver<Value>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    while let Ok(body) = rx.recv() {
        let mut pause = FIRST_PAUSE;
        for attempt in 0..=retries {
            match agent.post(url).send_json(&body) {
                Ok(r) if r.status().is_success() => break,
                Ok(r) => tracing::warn!(
                    status = r.status().as_u16(),
                    attempt,
                    "webhook refused a notification"
                ),
                Err(e) => tracing::warn!(error = %e, attempt, "webhook unreachable"),
            }
            if attempt == retries {
                tracing::error!(event = %body["event"], "webhook notification given up");
            } else {
                std::thread::sleep(pause);
                pause = pause.saturating_mul(2);
            }
        }
    }
}
