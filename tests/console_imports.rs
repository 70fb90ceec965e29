//! Bulk Organization Update in the console, over HTTP against the standard
//! test directory: bob, a delegate of Acme-A, downloads the template,
//! uploads a file with errors (every invalid row shown with its line,
//! column and reason, Confirm disabled and refused), then a good one (counts,
//! seats before and after, the records as they will be applied), confirms
//! it and downloads the report; the directory then holds what the preview
//! showed. A plain user may not upload, and nobody but the owner (and the
//! system administrator) can tell that a preview exists.

mod common;

use common::admin::{expect, setup};
use common::web::Web;
use reqwest::StatusCode;

const HEADER: &str = "Login Name,Organization Unit,OU Admin,Email Address,First Name\n";

/// The preview's id from the redirect after an upload.
fn preview_path(p: &common::web::Page) -> String {
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(p.location.starts_with("/imports/"), "{}", p.location);
    p.location.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegate_previews_a_bad_file_then_applies_a_good_one() {
    let t = setup().await;
    let web = Web::new(&t);
    let bob = web.sign_in("bob@example.com", "pw").await;

    let p = web.get("/users", Some(&bob)).await;
    assert!(p.body.contains(r#"href="/imports""#), "{}", p.body);
    let p = web.get("/imports", Some(&bob)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains(r#"enctype="multipart/form-data""#));
    let p = web.get("/imports/template.csv", Some(&bob)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.starts_with("Login Name,"), "{}", p.body);

    // Line 3 is in another organization, line 4 has no valid email.
    let bad = format!(
        "{HEADER}\
         fay@example.com,Acme-A,False,fay@example.com,Fay\n\
         gus@example.com,Acme-B,False,gus@example.com,Gus\n\
         hal@example.com,Acme-A,False,not-an-address,Hal\n"
    );
    let p = web
        .upload("/imports", &bob, "people.csv", "text/csv", bad.as_bytes())
        .await;
    let path = preview_path(&p);
    let p = web.get(&path, Some(&bob)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("2 row(s) cannot be applied"), "{}", p.body);
    for needle in [
        "<td>3</td>",
        "<td>4</td>",
        "Email Address",
        "disabled aria-disabled",
        "fay@example.com",
    ] {
        assert!(p.body.contains(needle), "{needle}: {}", p.body);
    }
    let p = web.post(&format!("{path}/confirm"), &bob, &[]).await;
    assert_eq!(p.status, StatusCode::CONFLICT, "{}", p.body);
    assert!(p.body.contains("invalid row"), "{}", p.body);
    let a = t.api.get("/users/fay@example.com", &t.sys).await;
    expect(&a, 404);

    // A plain user may not upload; nobody else sees bob's preview.
    let alice = web.sign_in("alice@example.com", "pw").await;
    let p = web.get("/users", Some(&alice)).await;
    assert!(!p.body.contains(r#"href="/imports""#), "{}", p.body);
    let p = web.get("/imports", Some(&alice)).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    let p = web
        .upload("/imports", &alice, "people.csv", "text/csv", bad.as_bytes())
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    let carol = web.sign_in("carol@example.com", "pw").await;
    let theirs = web.get(&path, Some(&carol)).await;
    let nothing = web
        .get(
            "/imports/00000000-0000-4000-8000-000000000000",
            Some(&carol),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(nothing.status, theirs.status);
    let p = web.post(&format!("{path}/discard"), &bob, &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        web.get(&path, Some(&bob)).await.status,
        StatusCode::NOT_FOUND
    );

    // A file that is not a spreadsheet at all: the form again, with why.
    let p = web
        .upload("/imports", &bob, "x.csv", "text/csv", b"Login Name\n")
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert!(p.body.contains("role=\"alert\""), "{}", p.body);

    let good = format!(
        "{HEADER}\
         fay@example.com,Acme-A,False,fay@example.com,Fay\n\
         alice@example.com,Acme-A,False,alice@mail.example.com,Alicia\n"
    );
    let p = web
        .upload("/imports", &bob, "people.csv", "text/csv", good.as_bytes())
        .await;
    let path = preview_path(&p);
    let p = web.get(&path, Some(&bob)).await;
    assert!(p.body.contains("Nothing has changed yet"), "{}", p.body);
    assert!(!p.body.contains("disabled aria-disabled"), "{}", p.body);
    // Acme-A: 10 seats, alice and bob in use, fay comes.
    assert!(
        p.body
            .contains("<td>Acme-A</td><td>10</td><td>2</td><td>3</td><td>yes</td>"),
        "{}",
        p.body
    );
    assert!(p.body.contains("<td>create</td>"), "{}", p.body);
    let p = web.post(&format!("{path}/confirm"), &bob, &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = web.get(&path, Some(&bob)).await;
    assert!(p.body.contains("Applied, as event"), "{}", p.body);
    assert!(!p.body.contains("/confirm"), "{}", p.body);
    let report = web.get(&format!("{path}/report.csv"), Some(&bob)).await;
    assert!(
        report
            .body
            .contains("fay@example.com,Acme-A,create,applied"),
        "{}",
        report.body
    );
    let a = t.api.get("/users/fay@example.com", &t.sys).await;
    expect(&a, 200);
    assert_eq!(a.body["givenName"], "Fay");
    let a = t.api.get("/users/alice@example.com", &t.sys).await;
    assert_eq!(a.body["givenName"], "Alicia");
    let again = web.post(&format!("{path}/confirm"), &bob, &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}
