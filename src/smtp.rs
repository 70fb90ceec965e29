//! The mail notification channel: each notice with recipients becomes a plain
//! text message sent over SMTP (RFC 5321: EHLO, MAIL, RCPT, DATA) to the
//! configured relay by one background thread, retried with a doubling pause.
//! Plain SMTP without TLS or authentication, for a local relay (a mail
//! submission agent on the same host or network); no secret is ever mailed.

use crate::directory::notify::{Channel, Notice};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

const FIRST_PAUSE: Duration = Duration::from_millis(200);
const TIMEOUT: Duration = Duration::from_secs(10);

/// One message to send.
struct Mail {
    to: Vec<String>,
    subject: String,
    body: String,
}

/// Queues mail for the delivery thread.
pub struct Smtp {
    queue: Mutex<Sender<Mail>>,
}

/// Why one delivery attempt failed.
#[derive(Debug, thiserror::Error)]
enum SmtpError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the relay answered '{0}'")]
    Refused(String),
}

impl Smtp {
    /// Starts the delivery thread for the relay at `relay` (host:port).
    pub fn start(relay: String, from: String, retries: u32) -> std::io::Result<Smtp> {
        let (tx, rx) = channel();
        std::thread::Builder::new()
            .name("dirgate-smtp".into())
            .spawn(move || send_all(&relay, &from, retries, rx))?;
        Ok(Smtp {
            queue: Mutex::new(tx),
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
                notice.detail().unwrap_or("no details")
            ),
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
    fn deliver(&self, notice: &Notice, to: &[String]) {
        if to.is_empty() {
            return;
        }
        let (subject, body) = compose(notice);
        let mail = Mail {
            to: to.to_vec(),
            subject,
            body,
        };
        let sent = self.queue.lock().map(|q| q.send(mail).is_ok());
        if !matches!(sent, Ok(true)) {
            tracing::error!("smtp thread is gone; a notification was not mailed");
        }
    }
}

fn send_all(relay: &str, from: &str, retries: u32, rx: Receiver<Mail>) {
    while let Ok(mail) = rx.recv() {
        let mut pause = FIRST_PAUSE;
        for attempt in 0..=retries {
            match send_one(relay, from, &mail) {
                Ok(()) => break,
                Err(e) if attempt == retries => {
                    tracing::error!(error = %e, subject = %mail.subject, "mail given up");
                }
                Err(e) => {
                    tracing::warn!(error = %e, attempt, "mail not sent; retrying");
                    std::thread::sleep(pause);
                    pause = pause.saturating_mul(2);
                }
            }
        }
    }
}

/// One SMTP session.
fn send_one(relay: &str, from: &str, mail: &Mail) -> Result<(), SmtpError> {
    let stream = TcpStream::connect(relay)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut w = stream;
    expect(&mut reader, '2')?;
    command(&mut w, &mut reader, "EHLO dirgate", '2')?;
    command(&mut w, &mut reader, &format!("MAIL FROM:<{from}>"), '2')?;
    for to in &mail.to {
        command(&mut w, &mut reader, &format!("RCPT TO:<{to}>"), '2')?;
    }
    command(&mut w, &mut reader, "DATA", '3')?;
    let body = mail.body.replace("\n.", "\n..");
    let text = format!(
        "From: {from}\r\nTo: {}\r\nSubject: {}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n.",
        mail.to.join(", "),
        mail.subject
    );
    command(&mut w, &mut reader, &text, '2')?;
    command(&mut w, &mut reader, "QUIT", '2')?;
    Ok(())
}

fn command(
    w: &mut TcpStream,
    r: &mut BufReader<TcpStream>,
    line: &str,
    class: char,
) -> Result<(), SmtpError> {
    write!(w, "{line}\r\n")?;
    expect(r, class)
}

/// Reads a (possibly multi-line) reply; its code must start with `class`.
fn expect(r: &mut BufReader<TcpStream>, class: char) -> Result<(), SmtpError> {
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Err(SmtpError::Refused("connection closed".into()));
        }
        if !line.starts_with(class) {
            return Err(SmtpError::Refused(line.trim_end().to_owned()));
        }
        // "250-..." continues, "250 ..." ends the reply.
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(());
        }
    }
}
