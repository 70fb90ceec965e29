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
