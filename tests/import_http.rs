//! The admin API's import routes served for real on port 0 (the router from
//! `dirgate::admin::imports::routes`, with the caller's request put in the
//! extensions the way the admin authentication will): upload, preview, confirm,
//! report, template, and the HTTP answers to refusals.

mod common;
#[path = "common/imports.rs"]
mod imports_helpers;
#[path = "common/raw_http.rs"]
mod raw_http;

use axum::{Extension, Router};
use common::*;
use dirgate::directory::Request;
use dirgate::import::Imports;
use dirgate::import::read::XLSX_MEDIA_TYPE;
use imports_helpers::*;
use raw_http::send;
use std::net::SocketAddr;

/// Serves the import routes under /admin/v1 as `req`.
async fn serve(imports: Imports, req: Request) -> SocketAddr {
    let app = Router::new()
        .nest("/admin/v1", dirgate::admin::imports::routes())
        .layer(Extension(req))
        .with_state(imports);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

const CSV: [(&str, &str); 1] = [("Content-Type", "text/csv")];

#[tokio::test(flavor = "multi_thread")]
async fn upload_preview_confirm_and_report_over_http() {
    let f = fixture();
    let sys = system(&f.dir);
    let addr = serve(imports(&f), sys).await;

    let t = send(addr, "GET", "/admin/v1/imports/template", &[], b"").await;
    assert_eq!(t.status, 200);
    assert!(t.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        t.text()
            .starts_with("Login Name,Organization Unit,OU Admin,Email Address")
    );

    let file = csv(&[
        "ana@example.com,Acme-A,True,ana@example.com",
        "ben@example.com,Acme-B,False,ben@example.com",
    ]);
    let r = send(addr, "POST", "/admin/v1/imports", &CSV, &file).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let body = r.json();
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        r.header("location"),
        Some(format!("/admin/v1/imports/{id}").as_str())
    );
    assert_eq!(body["counts"]["creates"], 2);
    assert_eq!(body["counts"]["delegate_grants"], 1);
    assert_eq!(body["confirmable"], true);
    assert_eq!(body["records"][0]["login"], "ana@example.com");
    assert_eq!(body["records"][0]["action"], "create");
    assert_eq!(body["records"][1]["organization"], "Acme-B");
    assert!(user(&f, "ana@example.com").is_none(), "nothing written yet");

    let g = send(addr, "GET", &format!("/admin/v1/imports/{id}"), &[], b"").await;
    assert_eq!(g.status, 200);
    assert_eq!(g.json()["status"], "previewed");

    let c = send(
        addr,
        "POST",
        &format!("/admin/v1/imports/{id}/confirm"),
        &[],
        b"",
    )
    .await;
    assert_eq!(c.status, 200, "{}", c.text());
    assert_eq!(c.json()["status"], "applied");
    assert!(c.json()["audit_event"].as_u64().is_some());
    assert!(user(&f, "ana@example.com").unwrap().flags.delegate);

    let again = send(
        addr,
        "POST",
        &format!("/admin/v1/imports/{id}/confirm"),
        &[],
        b"",
    )
    .await;
    assert_eq!(again.status, 409);

    let rep = send(
        addr,
        "GET",
        &format!("/admin/v1/imports/{id}/report.csv"),
        &[],
        b"",
    )
    .await;
    assert_eq!(rep.status, 200);
    assert!(
        rep.header("content-disposition")
            .unwrap()
            .contains("report.csv")
    );
    assert!(
        rep.text()
            .contains("2,ana@example.com,Acme-A,create,applied,"),
        "{}",
        rep.text()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_have_their_status_and_reason() {
    let f = fixture();
    let sys = system(&f.dir);
    let cfg = dirgate::import::ImportConfig {
        limits: dirgate::import::read::Limits {
            max_rows: 100,
            max_bytes: 4096,
        },
        ..Default::default()
    };
    let i = Imports::new(f.dir.clone(), cfg);
    let addr = serve(i.clone(), sys).await;

    let bad = csv(&["ana@example.com,Acme-Q,False,ana@example.com"]);
    let r = send(addr, "POST", "/admin/v1/imports", &CSV, &bad).await;
    assert_eq!(r.status, 201);
    let body = r.json();
    assert_eq!(body["confirmable"], false);
    assert_eq!(body["errors"][0]["line"], 2);
    assert_eq!(body["errors"][0]["column"], "Organization Unit");
    let id = body["id"].as_str().unwrap();
    let c = send(
        addr,
        "POST",
        &format!("/admin/v1/imports/{id}/confirm"),
        &[],
        b"",
    )
    .await;
    assert_eq!(c.status, 409);
    assert!(
        c.json()["error"]
            .as_str()
            .unwrap()
            .contains("1 invalid row(s)")
    );

    let json = [("Content-Type", "application/json")];
    let r = send(addr, "POST", "/admin/v1/imports", &json, b"{}").await;
    assert_eq!(r.status, 415);

    let big = vec![b'a'; 5000];
    let r = send(addr, "POST", "/admin/v1/imports", &CSV, &big).await;
    assert_eq!(r.status, 413);
    let msg = r.json()["error"].as_str().unwrap().to_owned();
    assert!(msg.contains("5,000") && msg.contains("4,096"), "{msg}");

    let r = send(
        addr,
        "POST",
        "/admin/v1/imports",
        &CSV,
        b"just some words\n",
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text());

    for path in [
        format!("/admin/v1/imports/{}", uuid::Uuid::new_v4()),
        "/admin/v1/imports/not-an-id".to_owned(),
    ] {
        let r = send(addr, "GET", &path, &[], b"").await;
        assert_eq!(r.status, 404, "{path}");
    }

    // Another administrator does not see the system administrator's preview.
    let del = active_user(&f.dir, "del@example.com", Some("Acme-A"));
    f.dir.set_delegate(&system(&f.dir), del.id, true).unwrap();
    let other = serve(i, login(&f.dir, "del@example.com")).await;
    let r = send(other, "GET", &format!("/admin/v1/imports/{id}"), &[], b"").await;
    assert_eq!(r.status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_xlsx_upload_is_read_as_a_workbook() {
    use rust_xlsxwriter::Workbook;
    let f = fixture();
    let addr = serve(imports(&f), system(&f.dir)).await;
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (col, name) in [
        "Login Name",
        "Organization Unit",
        "OU Admin",
        "Email Address",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, col as u16, *name).unwrap();
    }
    ws.write_string(1, 0, "xena@example.com").unwrap();
    ws.write_string(1, 1, "Acme-A").unwrap();
    ws.write_boolean(1, 2, false).unwrap();
    ws.write_string(1, 3, "xena@example.com").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let r = send(
        addr,
        "POST",
        "/admin/v1/imports",
        &[("Content-Type", XLSX_MEDIA_TYPE)],
        &bytes,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["counts"]["creates"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_up_to_import_max_bytes_pass_axum_default_limit() {
    let f = fixture();
    let cfg = dirgate::import::ImportConfig {
        limits: dirgate::import::read::Limits {
            max_rows: 100,
            max_bytes: 3 << 20,
        },
        ..Default::default()
    };
    let addr = serve(Imports::new(f.dir.clone(), cfg), system(&f.dir)).await;
    // 2.5 MiB, above axum's 2 MiB default: blank lines, which the reader skips.
    let mut file = csv(&["ida@example.com,Acme-A,False,ida@example.com"]);
    file.resize(file.len() + (5 << 19), b'\n');
    let r = send(addr, "POST", "/admin/v1/imports", &CSV, &file).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["counts"]["creates"], 1);
}

/// What a preview of `file` by the system administrator holds, in bytes.
fn preview_bytes(f: &Fixture, file: &[u8]) -> usize {
    let i = imports(f);
    i.preview(&system(&f.dir), file, Some("text/csv"))
        .unwrap()
        .bytes
}

#[tokio::test(flavor = "multi_thread")]
async fn previews_are_capped_in_memory_per_actor_and_in_total() {
    let f = fixture();
    let file = csv(&[
        "ana@example.com,Acme-A,False,ana@example.com",
        "ben@example.com,Acme-A,False,ben@example.com",
    ]);
    let one = preview_bytes(&f, &file);
    assert!(one > 1000, "{one}");
    let cfg = dirgate::import::ImportConfig {
        max_preview_bytes_per_actor: one * 3 / 2,
        max_preview_bytes_total: one * 3 / 2,
        ..Default::default()
    };
    let i = Imports::new(f.dir.clone(), cfg);
    let addr = serve(i.clone(), system(&f.dir)).await;
    let first = send(addr, "POST", "/admin/v1/imports", &CSV, &file).await;
    assert_eq!(first.status, 201, "{}", first.text());
    let id = first.json()["id"].as_str().unwrap().to_owned();

    // The next one does not fit beside the first: refused, nothing kept.
    let r = send(addr, "POST", "/admin/v1/imports", &CSV, &file).await;
    assert_eq!(r.status, 429, "{}", r.text());
    let msg = r.json()["error"].as_str().unwrap().to_owned();
    assert!(
        msg.contains("import.max_preview_bytes_per_actor") && msg.contains("discard"),
        "{msg}"
    );
    // Nor beside it for another actor: the total is full too.
    let del = active_user(&f.dir, "del@example.com", Some("Acme-A"));
    f.dir.set_delegate(&system(&f.dir), del.id, true).unwrap();
    let delegate = login(&f.dir, "del@example.com");
    let err = i.preview(&delegate, &file, Some("text/csv")).unwrap_err();
    assert!(
        err.to_string().contains("import.max_preview_bytes_total"),
        "{err}"
    );

    // Discarding the first makes room; only its owner (or the system
    // administrator) may, and then it is gone.
    let path = format!("/admin/v1/imports/{id}");
    let other = serve(i.clone(), delegate.clone()).await;
    assert_eq!(send(other, "DELETE", &path, &[], b"").await.status, 404);
    assert_eq!(send(addr, "DELETE", &path, &[], b"").await.status, 204);
    assert_eq!(send(addr, "GET", &path, &[], b"").await.status, 404);
    let again = send(addr, "POST", "/admin/v1/imports", &CSV, &file).await;
    assert_eq!(again.status, 201, "{}", again.text());

    // A confirmed preview gives its room to the next one.
    let id = again.json()["id"].as_str().unwrap().to_owned();
    let confirm = format!("/admin/v1/imports/{id}/confirm");
    assert_eq!(send(addr, "POST", &confirm, &[], b"").await.status, 200);
    let next = send(addr, "POST", "/admin/v1/imports", &CSV, &file).await;
    assert_eq!(next.status, 201, "{}", next.text());
}
