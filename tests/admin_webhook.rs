//! Notifications over the webhook channel: a local HTTP sink started by the
//! test fails the first delivery, and dirgate retries; the invitation, ready
//! for validation and validated notices arrive as JSON without any secret.

mod common;

use common::admin::expect;
use common::http::{Api, Auth};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

/// Accepts POSTs; answers 500 to the first, 200 to the rest; sends each body.
fn sink() -> (String, mpsc::Receiver<(u16, Value)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let status = if n == 0 { 500 } else { 200 };
            write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            let _ = tx.send((status, serde_json::from_slice(&body).unwrap()));
        }
    });
    (url, rx)
}

fn next(rx: &mpsc::Receiver<(u16, Value)>) -> (u16, Value) {
    rx.recv_timeout(Duration::from_secs(10))
        .expect("no webhook delivery")
}

#[tokio::test]
async fn notices_are_posted_and_retried() {
    let (url, rx) = sink();
    let ldap = common::server::start(&format!("[notify]\nwebhook = \"{url}\"\n")).await;
    let api = Api::new(ldap.server.http_addr);
    let sys = Auth::basic(&ldap.admin_dn, &ldap.admin_pw);
    let created = api
        .post(
            "/users",
            &sys,
            json!({"login": "kim@example.com", "organization": "Acme-A"}),
        )
        .await;
    expect(&created, 201);
    let token = created.body["registrationToken"]
        .as_str()
        .unwrap()
        .to_owned();

    // The first delivery fails and is retried with the same notice.
    let (s1, first) = next(&rx);
    let (s2, second) = next(&rx);
    assert_eq!((s1, s2), (500, 200));
    assert_eq!(first, second);
    assert_eq!(first["event"], "invitation");
    assert_eq!(first["user"], "kim@example.com");
    assert!(
        !first.to_string().contains(&token[4..20]),
        "a secret was sent"
    );

    let reg = json!({"token": token, "password": "kim-pw"});
    expect(&api.post("/register", &Auth::None, reg).await, 200);
    assert_eq!(next(&rx).1["event"], "ready-for-validation");
    let v = api
        .post("/users/kim@example.com/validate", &sys, json!({}))
        .await;
    expect(&v, 200);
    assert_eq!(next(&rx).1["event"], "validated");
}

#[test]
fn a_webhook_must_be_plain_http() {
    let toml = "[notify]\nwebhook = \"https://hooks.example/x\"\n";
    let err = dirgate::config::Config::from_str_with_env(toml, &|_| None).unwrap_err();
    assert!(err.to_string().contains("notify.webhook"), "{err}");
    let ok = "[notify]\nwebhook = \"http://127.0.0.1:9/x\"\nretries = 0\n";
    let config = dirgate::config::Config::from_str_with_env(ok, &|_| None).unwrap();
    assert_eq!(config.webhook.unwrap().retries, 0);
}
