//! Bulk import through the running daemon's admin API: the same
//! authentication as every other call, and the same policy (a delegate
//! imports into its own organization only).

mod common;

use common::admin::{expect, setup};

const HEADER: &str = "Login Name,Organization Unit,OU Admin,Email Address\n";

async fn upload(t: &common::admin::T, who: Option<(&str, &str)>, csv: &str) -> reqwest::Response {
    let url = format!("http://{}/admin/v1/imports", t.ldap.server.http_addr);
    let mut rq = reqwest::Client::new()
        .post(url)
        .header("content-type", "text/csv")
        .body(format!("{HEADER}{csv}"));
    if let Some((user, pw)) = who {
        rq = rq.basic_auth(user, Some(pw));
    }
    rq.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_are_authenticated_and_follow_the_policy() {
    let t = setup().await;
    let row = "zed@example.com,Acme-A,False,zed@mail.example.com\n";
    assert_eq!(upload(&t, None, row).await.status(), 401);
    assert_eq!(
        upload(&t, Some(("bob@example.com", "wrong")), row)
            .await
            .status(),
        401
    );

    // bob, delegate of Acme-A: his own organization previews; Acme-B is a row error.
    let other = "yan@example.com,Acme-B,False,yan@mail.example.com\n";
    let r = upload(&t, Some(("bob@example.com", "pw")), other).await;
    assert_eq!(r.status(), 201);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(!body["errors"].as_array().unwrap().is_empty(), "{body}");

    let r = upload(&t, Some(("bob@example.com", "pw")), row).await;
    assert_eq!(r.status(), 201);
    let body: serde_json::Value = r.json().await.unwrap();
    let id = body["id"].as_str().unwrap().to_owned();
    let confirm = format!(
        "http://{}/admin/v1/imports/{id}/confirm",
        t.ldap.server.http_addr
    );
    let r = reqwest::Client::new()
        .post(&confirm)
        .basic_auth("bob@example.com", Some("pw"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let zed = t.api.get("/users/zed@example.com", &t.sys).await;
    expect(&zed, 200);
    assert_eq!(zed.body["organization"], "Acme-A", "{:?}", zed.body);
}

/// Sends only the head of an upload that announces a large body, as `who`,
/// and returns the status of the answer, which must come without the body.
async fn head_only(t: &common::admin::T, who: (&str, &str)) -> u16 {
    use base64::Engine;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = t.ldap.server.http_addr;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", who.0, who.1));
    let head = format!(
        "POST /admin/v1/imports HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/csv\r\n\
         Content-Length: 10000000\r\nAuthorization: Basic {auth}\r\n\r\n{HEADER}"
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "connection closed without an answer");
            answer.extend_from_slice(&buf[..n]);
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .expect("no answer before the body was sent: the upload was being read");
    let text = String::from_utf8_lossy(&answer);
    text.split(' ').nth(1).unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_actors_who_could_import_may_upload_and_others_are_refused_before_reading() {
    let t = setup().await;
    let row = "zed@example.com,Acme-A,False,zed@mail.example.com\n";
    // dave: a plain user in no organization; alice: holds account-unlock
    // in Acme-A, which applies no import row.
    for who in ["dave@example.com", "alice@example.com"] {
        let r = upload(&t, Some((who, "pw")), row).await;
        assert_eq!(r.status(), 403, "{who}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("insufficient access"),
            "{body}"
        );
        assert_eq!(head_only(&t, (who, "pw")).await, 403, "{who}");
    }
    // The refusal is audited like any other.
    let audit = t.api.get("/audit?action=denied", &t.sys).await;
    expect(&audit, 200);
    assert!(
        audit.body.to_string().contains("ImportFile"),
        "{:?}",
        audit.body
    );
    // A delegate may upload (rows outside its organization are row errors).
    let r = upload(&t, Some(("bob@example.com", "pw")), row).await;
    assert_eq!(r.status(), 201);
}
