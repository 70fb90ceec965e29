//! Admin API workflows end to end: registration (single-use token, then
//! validation by an administrator of the user's organization) and reports
//! (per organization for delegates, server-wide for the system administrator,
//! JSON and CSV).

mod common;

use common::admin::{column, expect, setup, user_id};
use common::http::Auth;
use serde_json::json;

#[tokio::test]
async fn registration_then_validation() {
    let t = setup().await;
    let a = t
        .api
        .post("/users", &t.bob, json!({"login": "ivy@example.com"}))
        .await;
    expect(&a, 201);
    let token = a.body["registrationToken"].as_str().unwrap().to_owned();
    let ivy = Auth::basic("ivy@example.com", "ivy-pw");
    let anon = Auth::None;

    // Not yet: validation needs a registered user; a wrong token is refused.
    let early = t
        .api
        .post("/users/ivy@example.com/validate", &t.bob, json!({}))
        .await;
    expect(&early, 409);
    let forged = format!("{}x", &token);
    let wrong = json!({"token": forged, "password": "ivy-pw"});
    expect(&t.api.post("/register", &anon, wrong).await, 401);

    let reg = json!({"token": token, "password": "ivy-pw"});
    let r = t.api.post("/register", &anon, reg.clone()).await;
    expect(&r, 200);
    assert_eq!(r.body["state"], "registered");
    // Single use; and a registered user cannot log in before validation.
    expect(&t.api.post("/register", &anon, reg).await, 401);
    expect(&t.api.get("/users/ivy@example.com", &ivy).await, 401);

    // A delegate of Acme-B cannot validate (by id: 403; the state stays); bob can.
    let appoint = t
        .api
        .put(
            "/admins/Acme-B/delegates/carol@example.com",
            &t.sys,
            json!({}),
        )
        .await;
    expect(&appoint, 200);
    let carol = Auth::basic("carol@example.com", "pw");
    let ivy_id = user_id(&t, "ivy@example.com").await;
    let path = format!("/users/{ivy_id}/validate");
    // Out of reach: answered as if it did not exist (issue 13.5).
    expect(&t.api.post(&path, &carol, json!({})).await, 404);
    let still = t.api.get(&format!("/users/{ivy_id}"), &t.sys).await;
    assert_eq!(still.body["state"], "registered");
    let v = t
        .api
        .post("/users/ivy@example.com/validate", &t.bob, json!({}))
        .await;
    expect(&v, 200);
    assert_eq!(v.body["state"], "active");
    expect(&t.api.get("/users/ivy@example.com", &ivy).await, 200);
    expect(
        &t.api
            .post("/users/ivy@example.com/validate", &t.bob, json!({}))
            .await,
        409,
    );

    // A fresh invitation replaces the old token.
    let jo = t
        .api
        .post("/users", &t.bob, json!({"login": "jo@example.com"}))
        .await;
    let first = jo.body["registrationToken"].as_str().unwrap().to_owned();
    let again = t
        .api
        .post("/users/jo@example.com/invite", &t.bob, json!({}))
        .await;
    expect(&again, 200);
    let second = again.body["registrationToken"].as_str().unwrap().to_owned();
    let old = json!({"token": first, "password": "jo-pw"});
    expect(&t.api.post("/register", &anon, old).await, 401);
    let new = json!({"token": second, "password": "jo-pw"});
    expect(&t.api.post("/register", &anon, new).await, 200);

    // Registration tokens are not listed among tokens; the trail has the steps.
    let tokens = t.api.get("/tokens", &t.sys).await;
    assert_eq!(tokens.body["total"], 0);
    let trail = t.api.get("/audit?action=user.", &t.sys).await;
    let actions: Vec<&str> = trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for wanted in ["user.invite", "user.register", "user.validate"] {
        assert!(
            actions.contains(&wanted),
            "{wanted} missing from {actions:?}"
        );
    }
    // One account's history: only the events about it.
    let jo = user_id(&t, "jo@example.com").await;
    let history = t.api.get(&format!("/audit?targetId={jo}"), &t.sys).await;
    expect(&history, 200);
    let items = history.body["items"].as_array().unwrap();
    assert!(items.len() >= 3, "{}", history.body);
    assert!(
        items.iter().all(|e| e["targetId"] == jo.as_str()),
        "{}",
        history.body
    );
    let bad = t.api.get("/audit?targetId=jo", &t.sys).await;
    expect(&bad, 400);
}

#[tokio::test]
async fn reports_for_an_organization_and_the_server() {
    let t = setup().await;
    // Two failed logins (alice in A, carol in B) and a successful one for alice.
    for who in ["alice@example.com", "carol@example.com"] {
        let wrong = Auth::basic(who, "wrong");
        expect(&t.api.get("/users", &wrong).await, 401);
    }
    expect(
        &t.api
            .get("/users", &Auth::basic("alice@example.com", "pw"))
            .await,
        200,
    );
    t.ldap.dir.flush_journal();

    let states = t.api.get("/reports/users-by-state", &t.bob).await;
    expect(&states, 200);
    assert_eq!(column(&states, "state")[2], "active");
    assert_eq!(column(&states, "users")[2], "2");

    let active = t.api.get("/reports/active-users", &t.bob).await;
    assert_eq!(
        column(&active, "login"),
        ["alice@example.com", "bob@example.com"]
    );
    let everyone = t.api.get("/reports/active-users", &t.sys).await;
    assert_eq!(everyone.body["total"], 4);

    let failed = t.api.get("/reports/failed-logins", &t.bob).await;
    expect(&failed, 200);
    assert_eq!(column(&failed, "login"), ["alice@example.com"]);
    assert!(column(&failed, "source")[0].starts_with("127.0.0.1:"));
    assert_eq!(column(&failed, "protocol")[0], "admin");
    let all_failed = t.api.get("/reports/failed-logins", &t.sys).await;
    assert_eq!(all_failed.body["total"], 2);

    // One row per day of the period, today last, with both outcomes.
    let daily = t.api.get("/reports/logins-per-day?days=3", &t.bob).await;
    expect(&daily, 200);
    let days = column(&daily, "day");
    assert_eq!(days.len(), 4, "{}", daily.body);
    assert!(days.windows(2).all(|w| w[0] < w[1]), "{days:?}");
    assert_eq!(column(&daily, "failed")[3], "1", "{}", daily.body);
    assert_ne!(column(&daily, "logins")[3], "0", "{}", daily.body);

    // The period is bounded: a day per row is not a stranger's to choose.
    let huge = t
        .api
        .get("/reports/logins-per-day?days=4000000000", &t.bob)
        .await;
    expect(&huge, 400);

    let top = t.api.get("/reports/top-logins", &t.bob).await;
    assert_eq!(column(&top, "login")[0], "bob@example.com");
    let inactive = t.api.get("/reports/inactive-users?days=30", &t.bob).await;
    assert_eq!(column(&inactive, "login"), Vec::<String>::new());

    let csv = t.api.get("/reports/seats?format=csv", &t.bob).await;
    expect(&csv, 200);
    assert_eq!(
        csv.body.as_str().unwrap(),
        "organization,seats,used,free\nAcme-A,10,2,8\n"
    );
    let server_seats = t.api.get("/reports/seats", &t.sys).await;
    assert_eq!(column(&server_seats, "organization"), ["Acme-A", "Acme-B"]);

    // Another organization's or the server's reports are not a delegate's.
    expect(
        &t.api
            .get("/reports/seats?organization=Acme-B", &t.bob)
            .await,
        404,
    );
    let dave = Auth::basic("dave@example.com", "pw");
    expect(&t.api.get("/reports/seats", &dave).await, 403);
    expect(&t.api.get("/reports/nonsense", &t.sys).await, 404);
    expect(&t.api.get("/reports/seats?format=xml", &t.sys).await, 400);
}
