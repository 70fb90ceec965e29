//! The reports page of the console, over HTTP against the standard test
//! directory: a delegate's reports cover its organization, as a table, an
//! SVG chart drawn by the server and a CSV file; another organization's are
//! not its to read; the overview is the front page of whoever reads
//! reports; a plain member has no reports.

mod common;

use common::admin::setup;
use common::web::Web;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_are_tables_charts_and_files_of_the_callers_scope() {
    let t = setup().await;
    let web = Web::new(&t);
    let form = [("name", "alice@example.com"), ("password", "wrong")];
    web.send(reqwest::Method::POST, "/sign-in", None, Some(&form), &[])
        .await;
    let bob = web.sign_in("bob@example.com", "pw").await;

    let p = web.get("/reports", Some(&bob)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body
            .contains(r#"<a href="/reports" aria-current="page">"#),
        "{}",
        p.body
    );
    assert!(
        p.body.contains(r#"<svg class="chart""#)
            && p.body.contains("Logins and failed logins per day"),
        "{}",
        p.body
    );
    // Today's row: bob's login and alice's failed one.
    assert!(
        p.body.contains("<td>1</td><td>1</td></tr>\n  </tbody>"),
        "{}",
        p.body
    );
    assert!(!p.body.contains(r#"id="organization""#), "{}", p.body);

    let p = web.get("/reports?report=seats", Some(&bob)).await;
    assert!(p.body.contains("Seats per organization"), "{}", p.body);
    assert!(
        p.body
            .contains("<td>Acme-A</td><td>10</td><td>2</td><td>8</td>"),
        "{}",
        p.body
    );
    assert!(!p.body.contains("Acme-B"), "{}", p.body);
    let csv = web.get("/reports.csv?report=seats", Some(&bob)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.body, "organization,seats,used,free\nAcme-A,10,2,8\n");

    let theirs = web
        .get("/reports?report=seats&organization=Acme-B", Some(&bob))
        .await;
    let nothing = web
        .get("/reports?report=seats&organization=Nowhere", Some(&bob))
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(theirs.status, nothing.status);
    let p = web.get("/reports?report=nonsense", Some(&bob)).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);

    let sys = web.sign_in(&t.ldap.admin_dn, &t.ldap.admin_pw).await;
    let p = web.get("/reports?report=seats", Some(&sys)).await;
    assert!(p.body.contains(r#"id="organization""#), "{}", p.body);
    assert!(p.body.contains("<td>Acme-B</td>"), "{}", p.body);

    // The overview: the front page for whoever reads reports.
    let p = web.get("/", Some(&bob)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    for needle in [
        "Waiting for validation",
        "<td>Acme-A</td>",
        r#"<svg class="chart""#,
    ] {
        assert!(p.body.contains(needle), "{needle}: {}", p.body);
    }
    assert!(!p.body.contains("Acme-B"), "{}", p.body);
    let alice = web.sign_in("alice@example.com", "pw").await;
    let p = web.get("/", Some(&alice)).await;
    assert_eq!(
        (p.status, p.location.as_str()),
        (StatusCode::SEE_OTHER, "/users")
    );

    let dave = web.sign_in("dave@example.com", "pw").await;
    let p = web.get("/", Some(&dave)).await;
    assert_eq!(
        (p.status, p.location.as_str()),
        (StatusCode::SEE_OTHER, "/account")
    );
    let p = web.get("/account", Some(&dave)).await;
    assert!(!p.body.contains(r#"href="/reports""#), "{}", p.body);
    let p = web.get("/reports", Some(&dave)).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
}
