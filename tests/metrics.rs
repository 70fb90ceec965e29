//! `/metrics` against a real daemon in-process: after a known load (binds
//! that succeed and fail, searches over LDAP with the `ldap3` crate,
//! admin API requests) the counters read back exactly that load, connections
//! open show on each listener, and every series the Grafana dashboard in
//! `ops/grafana/dirgate.json` queries is in a live scrape. A token, when
//! configured, is required; `enabled = false` serves nothing.

mod common;

use common::http::Auth;
use common::server::{BASE, start};
use ldap3::{LdapConnAsync, Scope};
use reqwest::StatusCode;

/// The value of the series `name{labels}` in an exposition.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn scrape(base: &str, token: Option<&str>) -> (StatusCode, String) {
    let mut r = reqwest::Client::new().get(format!("{base}/metrics"));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let a = r.send().await.unwrap();
    (a.status(), a.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_read_back_the_load_and_the_dashboard_queries_exist() {
    let l = start("").await;
    let base = format!("http://{}", l.server.http_addr);
    let (conn, mut ldap) = LdapConnAsync::new(&l.url).await.unwrap();
    ldap3::drive!(conn);
    let alice = format!("uid=alice@example.com,ou=Acme-A,{BASE}");
    for _ in 0..5 {
        ldap.simple_bind(&alice, "pw")
            .await
            .unwrap()
            .success()
            .unwrap();
    }
    for _ in 0..3 {
        let r = ldap.simple_bind(&alice, "wrong").await.unwrap();
        assert_eq!(r.rc, 49);
    }
    ldap.simple_bind(&alice, "pw")
        .await
        .unwrap()
        .success()
        .unwrap();
    for _ in 0..7 {
        let (found, _) = ldap
            .search(BASE, Scope::Subtree, "(uid=bob@example.com)", vec!["cn"])
            .await
            .unwrap()
            .success()
            .unwrap();
        assert_eq!(found.len(), 1);
    }
    let r = ldap
        .search(
            &format!("ou=Nowhere,{BASE}"),
            Scope::Base,
            "(objectClass=*)",
            vec!["cn"],
        )
        .await
        .unwrap();
    assert_eq!(r.1.rc, 32);
    let api = common::http::Api::new(l.server.http_addr);
    let sys = Auth::basic(&l.admin_dn, &l.admin_pw);
    for _ in 0..4 {
        assert_eq!(api.get("/users", &sys).await.status, 200);
    }

    let (status, text) = scrape(&base, None).await;
    assert_eq!(status, StatusCode::OK);
    let series = |s: &str| value(&text, s).unwrap_or_else(|| panic!("{s} missing:\n{text}"));
    assert_eq!(
        series(r#"dirgate_ldap_binds_total{outcome="success"}"#),
        6.0
    );
    assert_eq!(
        series(r#"dirgate_ldap_binds_total{outcome="failure"}"#),
        3.0
    );
    assert_eq!(
        series(r#"dirgate_ldap_operations_total{op="bind",code="49"}"#),
        3.0
    );
    assert_eq!(
        series(r#"dirgate_ldap_operations_total{op="search",code="0"}"#),
        7.0
    );
    assert_eq!(
        series(r#"dirgate_ldap_operations_total{op="search",code="32"}"#),
        1.0
    );
    assert_eq!(
        series(r#"dirgate_ldap_operation_seconds_count{op="search"}"#),
        8.0
    );
    assert_eq!(
        series(r#"dirgate_http_requests_total{route="/admin/v1/users",status="200"}"#),
        4.0
    );
    assert_eq!(series(r#"dirgate_connections_open{listener="ldap"}"#), 1.0);
    assert!(series(r#"dirgate_connections_open{listener="http"}"#) >= 1.0);
    assert_eq!(
        series(r#"dirgate_connections_refused_total{listener="ldap"}"#),
        0.0
    );
    assert!(series("dirgate_store_bytes") > 0.0);
    // The failed binds' lockout counting and the audit trail were written;
    // every write shared an fsync or had one.
    let commits = series("dirgate_store_commits_total");
    let syncs = series("dirgate_store_syncs_total");
    assert!(commits >= 1.0 && syncs >= 1.0 && syncs <= commits, "{text}");
    assert!(series("dirgate_store_sync_seconds_total") > 0.0);
    assert_eq!(series("dirgate_lockouts_total"), 0.0);
    // Five wrong passwords lock carol (the default threshold).
    let carol = format!("uid=carol@example.com,ou=Acme-B,{BASE}");
    for _ in 0..5 {
        assert_eq!(ldap.simple_bind(&carol, "wrong").await.unwrap().rc, 49);
    }
    let mut locked = 0.0;
    for _ in 0..50 {
        locked = value(&scrape(&base, None).await.1, "dirgate_lockouts_total").unwrap();
        if locked > 0.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(locked, 1.0);

    // Paths are counted by their route, not their values.
    assert!(!text.contains("alice@example.com"), "{text}");

    // Every series the dashboard queries exists.
    let dashboard = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/ops/grafana/dirgate.json"
    ))
    .unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&dashboard).unwrap();
    let mut names: Vec<String> = Vec::new();
    for panel in parsed["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            let mut rest = expr;
            while let Some(at) = rest.find("dirgate_") {
                let name: String = rest[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                rest = &rest[at + name.len()..];
                names.push(name);
            }
        }
    }
    assert!(names.len() >= 8, "{names:?}");
    for name in names {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} "))),
            "the dashboard queries {name}, which the scrape lacks:\n{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_guards_the_metrics_and_they_can_be_turned_off() {
    let token = "s3cret-scrape-token-0123";
    let l = start(&format!("[metrics]\ntoken = \"{token}\"\n")).await;
    let base = format!("http://{}", l.server.http_addr);
    assert_eq!(scrape(&base, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        scrape(&base, Some("s3cret-scrape-token-0124")).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, text) = scrape(&base, Some(token)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.contains("# TYPE dirgate_http_requests counter"),
        "{text}"
    );

    let off = start("[metrics]\nenabled = false\n").await;
    let base = format!("http://{}", off.server.http_addr);
    assert_eq!(scrape(&base, None).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_have_a_listener_of_their_own() {
    let l = start("[metrics]\nlisten = \"127.0.0.1:0\"\n").await;
    let own = format!(
        "http://{}",
        l.server.metrics_addr.expect("no metrics listener")
    );
    let http = format!("http://{}", l.server.http_addr);
    // The HTTP listener no longer serves it; its requests are still counted.
    assert_eq!(scrape(&http, None).await.0, StatusCode::NOT_FOUND);
    let (status, text) = scrape(&own, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.contains("dirgate_http_requests_total{route=\"unmatched\",status=\"404\"} 1"),
        "{text}"
    );
    // Nothing but /metrics there.
    let other = reqwest::get(format!("{own}/admin/v1/users")).await.unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scim_requests_are_counted_by_route_and_status() {
    let s = common::scim::start_scim("").await;
    for n in 0..6 {
        let body = serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                                      "userName": format!("m{n}@example.com")});
        assert_eq!(s.post(&s.token_big, "/Users", body).await.status, 201);
    }
    for _ in 0..4 {
        assert_eq!(s.get(&s.token_big, "/Users?count=2").await.status, 200);
    }
    let missing = s
        .get(&s.token_big, "/Users/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(missing.status, 404);
    let (_, text) = scrape(&format!("http://{}", s.env.server.http_addr), None).await;
    let series = |k: &str| value(&text, k).unwrap_or_else(|| panic!("{k} missing:\n{text}"));
    assert_eq!(
        series(r#"dirgate_http_requests_total{route="/scim/v2/Users",status="201"}"#),
        6.0
    );
    assert_eq!(
        series(r#"dirgate_http_requests_total{route="/scim/v2/Users",status="200"}"#),
        4.0
    );
    assert_eq!(
        series(r#"dirgate_http_requests_total{route="/scim/v2/Users/{id}",status="404"}"#),
        1.0
    );
    assert_eq!(
        series(r#"dirgate_http_request_seconds_count{route="/scim/v2/Users"}"#),
        10.0
    );
}
