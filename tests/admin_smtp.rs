//! Registration → validation with the mail channel: an SMTP sink started by
//! the test receives the invitation (to the new user), "ready for validation"
//! (to the organization's administrators) and "validated" (to the user), and
//! no message carries the registration token.

mod common;

use common::admin::expect;
use common::http::{Api, Auth};
use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

/// One received message: its recipients and its text (headers and body).
struct Received {
    to: Vec<String>,
    data: String,
}

/// A minimal SMTP server: accepts every session and reports each message.
fn sink() -> (String, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut w = stream.unwrap();
            let mut r = BufReader::new(w.try_clone().unwrap());
            write!(w, "220 sink ready\r\n").unwrap();
            let mut to = Vec::new();
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap() == 0 {
                    break;
                }
                let upper = line.to_ascii_uppercase();
                if upper.starts_with("EHLO") {
                    write!(w, "250-sink\r\n250 8BITMIME\r\n").unwrap();
                } else if let Some(rcpt) = line.strip_prefix("RCPT TO:<") {
                    to.push(rcpt.trim_end().trim_end_matches('>').to_owned());
                    write!(w, "250 ok\r\n").unwrap();
                } else if upper.starts_with("DATA") {
                    write!(w, "354 go on\r\n").unwrap();
                    let mut data = String::new();
                    loop {
                        let mut l = String::new();
                        r.read_line(&mut l).unwrap();
                        if l == ".\r\n" {
                            break;
                        }
                        data.push_str(&l);
                    }
                    write!(w, "250 queued\r\n").unwrap();
                    let _ = tx.send(Received {
                        to: std::mem::take(&mut to),
                        data,
                    });
                } else if upper.starts_with("QUIT") {
                    write!(w, "221 bye\r\n").unwrap();
                    break;
                } else {
                    write!(w, "250 ok\r\n").unwrap();
                }
            }
        }
    });
    (addr, rx)
}

fn next(rx: &mpsc::Receiver<Received>) -> Received {
    rx.recv_timeout(Duration::from_secs(10)).expect("no mail")
}

#[tokio::test]
async fn registration_and_validation_are_mailed() {
    let (relay, rx) = sink();
    let extra = format!("[notify]\nsmtp = \"{relay}\"\nsmtp_from = \"dir@example.com\"\n");
    let ldap = common::server::start(&extra).await;
    let api = Api::new(ldap.server.http_addr);
    let sys = Auth::basic(&ldap.admin_dn, &ldap.admin_pw);
    // bob (delegate of Acme-A) has an address: he hears about registrations.
    let created = api
        .post(
            "/users",
            &sys,
            json!({"login": "lee@example.com", "email": "lee@mail.example.com",
                   "organization": "Acme-A"}),
        )
        .await;
    expect(&created, 201);
    let token = created.body["registrationToken"]
        .as_str()
        .unwrap()
        .to_owned();

    let invitation = next(&rx);
    assert_eq!(invitation.to, ["lee@mail.example.com"]);
    assert!(invitation.data.contains("Subject: Your directory account"));
    assert!(invitation.data.contains("From: dir@example.com"));
    assert!(
        !invitation.data.contains(&token[4..]),
        "the token was mailed"
    );

    let reg = json!({"token": token, "password": "lee-pw"});
    expect(&api.post("/register", &Auth::None, reg).await, 200);
    let ready = next(&rx);
    assert_eq!(ready.to, ["bob@mail.example.com"]);
    assert!(
        ready
            .data
            .contains("lee@example.com is ready for validation")
    );

    let v = api
        .post(
            "/users/lee@example.com/validate",
            &Auth::basic("bob@example.com", "pw"),
            json!({}),
        )
        .await;
    expect(&v, 200);
    let validated = next(&rx);
    assert_eq!(validated.to, ["lee@mail.example.com"]);
    assert!(
        validated
            .data
            .contains("Subject: Your directory account is active")
    );
}
