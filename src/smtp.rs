//! The mail channel: each outbox entry with recipients becomes a plain-text
//! message sent through the configured relay with lettre (a maintained SMTP
//! client): STARTTLS required (the default), implicit TLS, or plain SMTP for
//! a local relay; AUTH when a user and password are configured; rustls with
//! ring, trusting the public roots or the configured CA file. The outbox's
//! mail thread calls [`Smtp::send`] and records the outcome; nothing is
//! queued here. The one secret ever mailed is a password reset code, sent
//! at once by `mail_now` and never stored; the relay's password never
//! reaches a log (lettre's errors do not carry it).

use crate::config::{SmtpConfig, SmtpSecurity};
use crate::directory::notice::OutboxEntry;
use crate::directory::notify::Notice;
use crate::directory::outbox::Channel;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use std::time::Duration;

/// Sends mail through one relay.
pub struct Smtp {
    transport: SmtpTransport,
    from: Mailbox,
}

/// Why the mail channel could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SmtpSetupError {
    #[error("notify.smtp_from: '{0}' is not a mail address")]
    From(String),
    #[error("notify.ca_file: {0}")]
    Ca(String),
    #[error("notify.smtp: {0}")]
    Tls(String),
}

impl Smtp {
    /// The channel for `config`; `ca` is the PEM of `notify.ca_file`, trusted
    /// instead of the public roots.
    pub fn new(
        config: &SmtpConfig,
        ca: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<Smtp, SmtpSetupError> {
        let from = config
            .from
            .parse::<Mailbox>()
            .map_err(|_| SmtpSetupError::From(config.from.clone()))?;
        let mut params = TlsParameters::builder(config.host.clone());
        if let Some(pem) = ca {
            let cert = Certificate::from_pem(pem).map_err(|e| SmtpSetupError::Ca(e.to_string()))?;
            params = params
                .certificate_store(CertificateStore::None)
                .add_root_certificate(cert);
        }
        let params = params
            .build()
            .map_err(|e| SmtpSetupError::Tls(e.to_string()))?;
        let tls = match config.security {
            SmtpSecurity::StartTls => Tls::Required(params),
            SmtpSecurity::Tls => Tls::Wrapper(params),
            SmtpSecurity::None => Tls::None,
        };
        let mut builder = SmtpTransport::builder_dangerous(config.host.clone())
            .port(config.port)
            .tls(tls)
            .timeout(Some(timeout));
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Smtp {
            transport: builder.build(),
            from,
        })
    }
}

/// Subject and text of each notice.
fn compose(notice: &Notice) -> (String, String) {
    let (login, _) = notice.parts();
    match notice {
        Notice::Invitation { .. } => (
            "Your directory account".into(),
            format!(
                "An account {login} was created for you. Your administrator gives you a registration token; use it to set your password."
            ),
        ),
        Notice::ReadyForValidation { .. } => (
            format!("{login} is ready for validation"),
            format!("{login} registered. Check the person out of band, then validate the account."),
        ),
        Notice::Validated { .. } => (
            "Your directory account is active".into(),
            format!("Your account {login} was validated; you can log in now."),
        ),
        Notice::ImportCompleted { .. } => (
            "Bulk update completed".into(),
            format!(
                "A bulk update confirmed by {login} was applied: {}.",
                notice.detail().unwrap_or_else(|| "no details".into())
            ),
        ),
        Notice::AccessRequested { app_name, .. } => (
            format!("{login} asks for access to {app_name}"),
            format!(
                "{login} asked for access to the application {app_name}. Approve or reject the request on the Requests page or with `dirgate request approve`."
            ),
        ),
        Notice::RequestDecided {
            app_name, outcome, ..
        } => (
            format!("Your request for {app_name} was {outcome}"),
            format!("Your request for access to the application {app_name} was {outcome}."),
        ),
        Notice::AccountLocked { .. } => (
            format!("{login} is locked"),
            format!(
                "{login} was locked after repeated failed logins. An administrator with account-unlock can unlock it."
            ),
        ),
    }
}

impl Channel for Smtp {
    fn name(&self) -> &'static str {
        "mail"
    }

    fn needs_recipients(&self) -> bool {
        true
    }

    fn send(&self, entry: &OutboxEntry) -> Result<(), String> {
        let (subject, body) = compose(&entry.notice);
        self.deliver(&entry.to, &subject, body)
    }

    fn mail_now(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        self.deliver(&[to.to_owned()], subject, body.to_owned())
    }
}

impl Smtp {
    /// One plain-text message to `to`, through the relay.
    fn deliver(&self, to: &[String], subject: &str, body: String) -> Result<(), String> {
        let mut message = Message::builder()
            .from(self.from.clone())
            .subject(subject)
            .header(ContentType::TEXT_PLAIN);
        for to in to {
            // An address the relay cannot take would fail every retry: it
            // was checked when it was stored, so this is a store problem.
            let mailbox = to
                .parse::<Mailbox>()
                .map_err(|_| format!("'{to}' is not a mail address"))?;
            message = message.to(mailbox);
        }
        let message = message.body(body).map_err(|e| e.to_string())?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
