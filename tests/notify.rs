//! Notices end to end, against real receivers: mail through aiosmtpd with
//! STARTTLS and AUTH, and with implicit TLS; webhooks to an HTTPS receiver
//! that checks nothing but prints what came, signed with HMAC-SHA256 and
//! retried after a failure; a certificate dirgate does not trust gets
//! nothing; a change that fails writes no notice; the outbox is visible in
//! the admin API and counted in `/metrics`; and notices queued when the
//! daemon is killed with SIGKILL are delivered once after the restart.

mod common;
#[path = "common/process.rs"]
mod process;

use common::admin::expect;
use common::http::{Api, Auth};
use common::receivers::{Receiver, free_port, mail_config, pki};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const SECRET: &str = "webhook-secret-0123456789";

/// The outbox as the system administrator sees it.
async fn notices(api: &Api, sys: &Auth, query: &str) -> Vec<Value> {
    let answer = api.get(&format!("/notices{query}"), sys).await;
    expect(&answer, 200);
    answer.body["items"].as_array().unwrap().clone()
}

/// Waits until every notice of the outbox is out of `pending`.
async fn settled(api: &Api, sys: &Auth) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let all = notices(api, sys, "").await;
        if all.iter().all(|n| n["state"] != "pending") || Instant::now() > deadline {
            return all;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An SMTP server in `security` mode (with AUTH) and dirgate mailing
/// through it: the receiver, the server, its admin API and the system
/// administrator's credentials.
async fn mailing(security: &str) -> (Receiver, common::server::Ldap, Api, Auth) {
    let pki = pki();
    let port = free_port();
    let smtp = Receiver::smtp(&pki, security, port, "dirgate", "relay-pw");
    let ldap = common::server::start(&mail_config(&pki, port, security)).await;
    let api = Api::new(ldap.server.http_addr);
    let sys = Auth::basic(&ldap.admin_dn, &ldap.admin_pw);
    (smtp, ldap, api, sys)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_is_mailed_over_starttls_with_auth() {
    let (smtp, ldap, api, sys) = mailing("starttls").await;
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

    let invitation = smtp.next();
    assert_eq!(invitation["to"], json!(["lee@mail.example.com"]));
    assert_eq!(invitation["from"], "dir@example.com");
    assert_eq!(invitation["tls"], true, "{invitation}");
    assert_eq!(invitation["user"], "dirgate");
    let data = invitation["data"].as_str().unwrap();
    assert!(data.contains("Subject: Your directory account"), "{data}");
    assert!(!data.contains(&token[4..]), "the token was mailed");

    let reg = json!({"token": token, "password": "lee-pw"});
    expect(&api.post("/register", &Auth::None, reg).await, 200);
    let ready = smtp.next();
    assert_eq!(ready["to"], json!(["bob@mail.example.com"]));
    assert!(
        ready["data"]
            .as_str()
            .unwrap()
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
    let validated = smtp.next();
    assert_eq!(validated["to"], json!(["lee@mail.example.com"]));
    assert!(
        validated["data"]
            .as_str()
            .unwrap()
            .contains("Subject: Your directory account is active")
    );

    // The outbox shows the three as sent through the mail channel, newest first.
    let all = settled(&api, &sys).await;
    let events: Vec<&str> = all.iter().map(|n| n["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["validated", "ready-for-validation", "invitation"]);
    assert!(
        all.iter()
            .all(|n| n["state"] == "sent" && n["channel"] == "mail")
    );
    assert_eq!(all[2]["to"], json!(["lee@mail.example.com"]));
    // Only the system administrator reads it (recipients' addresses are in it).
    let bob = api
        .get("/notices", &Auth::basic("bob@example.com", "pw"))
        .await;
    assert_eq!(bob.status, 403, "{:?}", bob.body);
    // And /metrics counts them.
    let scrape = reqwest::get(format!("http://{}/metrics", ldap.server.http_addr))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(scrape.contains("dirgate_notices_sent_total 3"), "{scrape}");
    assert!(scrape.contains("dirgate_notices_pending 0"), "{scrape}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_goes_over_implicit_tls() {
    let (smtp, _ldap, api, sys) = mailing("tls").await;
    let body = json!({"login": "max@example.com", "email": "max@mail.example.com",
                      "organization": "Acme-A"});
    expect(&api.post("/users", &sys, body).await, 201);
    let mail = smtp.next();
    assert_eq!(mail["to"], json!(["max@mail.example.com"]));
    assert_eq!(mail["user"], "dirgate");
}

/// `sha256=<hex>` as a receiver computes it from the headers and the body.
fn expected_signature(timestamp: &str, body: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_go_over_https_signed_and_retried() {
    let pki = pki();
    let hook = Receiver::https(&pki, 1);
    let config = format!(
        "[notify]\nwebhook = \"https://127.0.0.1:{}/hook\"\nwebhook_secret = \"{SECRET}\"\nca_file = \"{}\"\n",
        hook.port,
        pki.ca.display()
    );
    let ldap = common::server::start(&config).await;
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

    // The first POST is answered 500; the outbox tries again with the same notice.
    let (first, second) = (hook.next(), hook.next());
    assert_eq!(
        (first["status"].as_u64(), second["status"].as_u64()),
        (Some(500), Some(204))
    );
    assert_eq!(first["body"], second["body"]);
    assert_eq!(
        first["headers"]["x-dirgate-delivery"],
        second["headers"]["x-dirgate-delivery"]
    );
    for post in [&first, &second] {
        let headers = &post["headers"];
        let body = post["body"].as_str().unwrap();
        let ts = headers["x-dirgate-timestamp"].as_str().unwrap();
        assert_eq!(headers["x-dirgate-signature"], expected_signature(ts, body));
        assert!(!body.contains(&token[4..20]), "a secret was sent");
    }
    let payload: Value = serde_json::from_str(first["body"].as_str().unwrap()).unwrap();
    assert_eq!(payload["event"], "invitation");
    assert_eq!(payload["user"], "kim@example.com");

    let all = settled(&api, &sys).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["state"], "sent");
    assert_eq!(all[0]["attempts"], 2);
    assert_eq!(all[0]["lastError"], "the receiver answered 500");
    assert_eq!(payload["id"], all[0]["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_gets_nothing() {
    let pki = pki();
    let hook = Receiver::https(&pki, 0);
    // No ca_file: the test CA is not among the public roots.
    let config = format!(
        "[notify]\nwebhook = \"https://127.0.0.1:{}/hook\"\n",
        hook.port
    );
    let ldap = common::server::start(&config).await;
    let api = Api::new(ldap.server.http_addr);
    let sys = Auth::basic(&ldap.admin_dn, &ldap.admin_pw);
    let body = json!({"login": "ann@example.com", "organization": "Acme-A"});
    expect(&api.post("/users", &sys, body).await, 201);
    let deadline = Instant::now() + Duration::from_secs(10);
    let pending = loop {
        let p = notices(&api, &sys, "?state=pending").await;
        if p.first().is_some_and(|n| n["attempts"].as_u64() >= Some(1)) || Instant::now() > deadline
        {
            break p;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(pending.len(), 1, "{pending:?}");
    let error = pending[0]["lastError"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        error.contains("certificate") || error.contains("issuer"),
        "{error}"
    );
    assert!(
        hook.drain(Duration::from_millis(500)).is_empty(),
        "a POST got through"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_that_fails_writes_no_notice() {
    let ldap = common::server::start("").await;
    let api = Api::new(ldap.server.http_addr);
    let sys = Auth::basic(&ldap.admin_dn, &ldap.admin_pw);
    let body = json!({"login": "zed@example.com", "organization": "Acme-A"});
    expect(&api.post("/users", &sys, body.clone()).await, 201);
    // The same login again: refused, and the invitation it would have sent with it is not written.
    let again = api.post("/users", &sys, body).await;
    assert_eq!(again.status, 409, "{:?}", again.body);
    let all = settled(&api, &sys).await;
    assert_eq!(all.len(), 1, "{all:?}");
    // Without a mail relay or webhook the log channel takes each notice.
    assert_eq!(all[0]["channel"], "log");
    assert_eq!(all[0]["state"], "sent");
    let bad = api.get("/notices?state=lost", &sys).await;
    assert_eq!(bad.status, 400);
}

#[test]
fn notices_queued_at_a_kill_are_delivered_once_after_the_restart() {
    const USERS: usize = 3;
    let pki = pki();
    let port = free_port();
    let tmp = tempfile::tempdir().unwrap();
    let toml = mail_config(&pki, port, "starttls");
    let mut d = process::Daemon::start(tmp.path(), &toml);
    d.ok(&["org", "create", "Acme-K", "--seats", "10"]);
    d.ok(&["suffix", "add", "example.com"]);
    for n in 0..USERS {
        let body = json!({"login": format!("u{n}@example.com"),
                          "email": format!("u{n}@mail.example.com"), "organization": "Acme-K"});
        let answer = ureq::post(format!("{}/admin/v1/users", d.url))
            .header("Authorization", process::authorization(tmp.path()))
            .send_json(body)
            .unwrap();
        assert_eq!(answer.status().as_u16(), 201);
    }
    // Nothing listens on the relay's port: every attempt fails and stays pending.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let pending = d.admin_get("/notices?state=pending")["items"].clone();
        let tried = pending
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["attempts"].as_u64() >= Some(1));
        if tried.count() == USERS {
            break;
        }
        assert!(Instant::now() < deadline, "not tried: {pending}");
        std::thread::sleep(Duration::from_millis(100));
    }
    d.kill();

    let smtp = Receiver::smtp(&pki, "starttls", port, "dirgate", "relay-pw");
    let d = process::Daemon::start(tmp.path(), &toml);
    let mut to: Vec<String> = (0..USERS)
        .map(|_| smtp.next()["to"][0].as_str().unwrap().to_owned())
        .collect();
    // Nothing more comes: each was delivered once.
    assert!(smtp.drain(Duration::from_secs(3)).is_empty());
    to.sort();
    let want: Vec<String> = (0..USERS)
        .map(|n| format!("u{n}@mail.example.com"))
        .collect();
    assert_eq!(to, want);
    let deadline = Instant::now() + Duration::from_secs(10);
    while d.admin_get("/notices?state=pending")["total"] != 0 {
        assert!(Instant::now() < deadline, "still pending after delivery");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(d.admin_get("/notices?state=sent")["total"], USERS);
}
