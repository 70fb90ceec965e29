//! The "bulk update completed" notice: confirming an import through the
//! running daemon posts it to the configured webhook with the actor, the
//! organization and the counts; a preview alone, and a refused confirm, send
//! nothing of the kind.

mod common;

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

const HEADER: &str = "Login Name,Organization Unit,OU Admin,Email Address\n";

/// A webhook receiver that answers 200 and hands over each JSON body.
fn sink() -> (String, mpsc::Receiver<Value>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
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
            let reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            stream.write_all(reply.as_bytes()).unwrap();
            let _ = tx.send(serde_json::from_slice(&body).unwrap());
        }
    });
    (url, rx)
}

/// The bulk-update notices that arrive within `wait`.
fn completions(rx: &mpsc::Receiver<Value>, wait: Duration) -> Vec<Value> {
    let mut found = Vec::new();
    while let Ok(v) = rx.recv_timeout(wait) {
        if v["event"] == "bulk-update-completed" {
            found.push(v);
        }
    }
    found
}

async fn post(url: String, csv: Option<&str>) -> reqwest::Response {
    let mut rq = reqwest::Client::new()
        .post(url)
        .basic_auth("bob@example.com", Some("pw"));
    rq = match csv {
        Some(rows) => rq
            .header("content-type", "text/csv")
            .body(format!("{HEADER}{rows}")),
        None => rq.header("content-type", "application/json").body("{}"),
    };
    rq.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmed_import_notifies_the_webhook() {
    let (hook, rx) = sink();
    let ldap = common::server::start(&format!("[notify]\nwebhook = \"{hook}\"\n")).await;
    let base = format!("http://{}/admin/v1", ldap.server.http_addr);
    let acme_a = ldap
        .dir
        .store()
        .read(|tx| tx.org_by_name("Acme-A"))
        .unwrap()
        .unwrap()
        .id;

    // bob, delegate of Acme-A, previews a file: no notice yet.
    let rows = "zed@example.com,Acme-A,False,zed@mail.example.com\n";
    let r = post(format!("{base}/imports"), Some(rows)).await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(completions(&rx, Duration::from_millis(500)).is_empty());

    let c = post(format!("{base}/imports/{id}/confirm"), None).await;
    assert_eq!(c.status(), 200, "{}", c.text().await.unwrap());
    let got = completions(&rx, Duration::from_secs(3));
    assert_eq!(got.len(), 1, "{got:?}");
    let notice = &got[0];
    assert_eq!(notice["user"], "bob@example.com");
    assert_eq!(notice["organization"], acme_a.to_string());
    let detail = notice["detail"].as_str().unwrap();
    assert!(detail.contains(&id), "{detail}");
    assert!(detail.contains("created=1"), "{detail}");

    // Confirming it again is refused: nothing more is announced.
    let again = post(format!("{base}/imports/{id}/confirm"), None).await;
    assert_eq!(again.status(), 409);
    assert!(completions(&rx, Duration::from_millis(500)).is_empty());
}
