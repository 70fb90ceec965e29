//! A forgotten password reset by mail, over the admin API, with the mail
//! caught by a real SMTP server (aiosmtpd) and the new password used in an
//! OpenLDAP `ldapwhoami`: an unknown address hears exactly what a known one
//! hears; the code works once, goes through the password policy (a refused
//! password leaves it usable), and a newer code replaces it; accounts with
//! administrative rights, an organization that turned the reset off and a
//! fourth request within the hour get no mail; every request and reset is
//! in the audit trail.

mod common;

use common::http::{Api, Auth};
use common::receivers::{Receiver, free_port, mail_config, pki};
use common::server::{Ldap, run};
use serde_json::{Value, json};
use std::time::Duration;

/// The recipient and the code of a reset mail.
fn code_of(mail: &Value) -> (String, String) {
    let to = mail["to"][0].as_str().unwrap_or_default().to_owned();
    let data = mail["data"].as_str().unwrap_or_default();
    let code = data
        .split_whitespace()
        .find(|w| w.starts_with("dgt_"))
        .unwrap_or_else(|| panic!("no code in {data}"))
        .to_owned();
    (to, code)
}

async fn forgot(api: &Api, login: &str) -> Value {
    let a = api
        .post("/password/forgot", &Auth::None, json!({ "login": login }))
        .await;
    assert_eq!(a.status, 202, "{a:?}");
    a.body
}

async fn reset(api: &Api, code: &str, password: &str) -> common::http::Answer {
    let body = json!({ "code": code, "password": password });
    api.post("/password/reset", &Auth::None, body).await
}

async fn whoami(l: &Ldap, dn: &str, pw: &str) -> i32 {
    run("ldapwhoami", &["-x", "-H", &l.url, "-D", dn, "-w", pw])
        .await
        .0
}

/// The details of the audit events with `action`, oldest first.
async fn audited(api: &Api, sys: &Auth, action: &str) -> Vec<String> {
    let a = api.get(&format!("/audit?action={action}"), sys).await;
    let mut out: Vec<String> = a.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {}", e["target"], e["detail"]))
        .collect();
    out.reverse();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forgotten_password_is_reset_once_with_a_mailed_code() {
    let pki = pki();
    let port = free_port();
    let smtp = Receiver::smtp(&pki, "starttls", port, "dirgate", "relay-pw");
    let l = common::server::start(&mail_config(&pki, port, "starttls")).await;
    let api = Api::new(l.server.http_addr);
    let sys = Auth::basic(&l.admin_dn, &l.admin_pw);

    // A known and an unknown address: the same answer.
    let known = forgot(&api, "carol@example.com").await;
    let unknown = forgot(&api, "nobody@example.com").await;
    assert_eq!(known, unknown);
    let (to, code) = code_of(&smtp.next());
    assert_eq!(to, "carol@mail.example.com");

    // Through the password policy: the current password is refused (the
    // organization keeps one), and the code still works after that.
    let history = json!({"passwordPolicy": {"history": 1}});
    assert_eq!(
        api.patch("/organizations/Acme-B", &sys, history)
            .await
            .status,
        200
    );
    let a = reset(&api, &code, "pw").await;
    assert_eq!(a.status, 400, "{a:?}");
    assert_eq!(a.body["error"], "weak_password", "{a:?}");
    let a = reset(&api, &code, "carol-new-pw").await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.body["login"], "carol@example.com");
    let dn = "uid=carol@example.com,ou=Acme-B,dc=example,dc=com";
    assert_eq!(whoami(&l, dn, "carol-new-pw").await, 0);
    assert_eq!(whoami(&l, dn, "pw").await, 49);
    // Once only.
    let a = reset(&api, &code, "carol-other-pw").await;
    assert_eq!(a.status, 401, "{a:?}");
    let a = reset(&api, "dgt_junk", "carol-other-pw").await;
    assert_eq!(a.status, 401, "{a:?}");

    // No code for an account with rights (alice holds account-unlock), a
    // delegate (bob, by mail address), or an organization that turned the
    // reset off.
    forgot(&api, "alice@example.com").await;
    forgot(&api, "bob@mail.example.com").await;
    let off = json!({"passwordPolicy": {"mailedReset": false}});
    assert_eq!(
        api.patch("/organizations/Acme-B", &sys, off).await.status,
        200
    );
    forgot(&api, "carol@example.com").await;
    assert!(smtp.drain(Duration::from_secs(2)).is_empty());

    // Three requests an hour per account; each code replaces the last.
    let mut codes = Vec::new();
    for _ in 0..3 {
        forgot(&api, "dave@example.com").await;
        let (to, code) = code_of(&smtp.next());
        assert_eq!(to, "dave@mail.example.com");
        codes.push(code);
    }
    forgot(&api, "dave@example.com").await;
    assert!(smtp.drain(Duration::from_secs(2)).is_empty());
    assert_eq!(reset(&api, &codes[0], "dave-new-pw").await.status, 401);
    assert_eq!(reset(&api, &codes[2], "dave-new-pw").await.status, 200);

    // Each request for an account, with its outcome (the requests run
    // after their answers, so their order is not the callers').
    let asked = audited(&api, &sys, "password.reset-request").await;
    let expect = [
        ("carol", "code issued", 1),
        ("alice", "refused: accounts with administrative rights", 1),
        ("bob", "refused: accounts with administrative rights", 1),
        ("carol", "refused: turned off", 1),
        ("dave", "code issued", 3),
    ];
    assert_eq!(asked.len(), 7, "{asked:#?}");
    for (who, what, n) in expect {
        let found = asked.iter().filter(|e| e.contains(who) && e.contains(what));
        assert_eq!(found.count(), n, "{who} {what}: {asked:#?}");
    }
    assert_eq!(audited(&api, &sys, "password.reset").await.len(), 2);
}

/// The console's pages: the sign-in page links the request, the request
/// page says the same for every address, the code from the mail sets the
/// password on the reset page, and the new password signs in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_resets_a_forgotten_password_with_the_mailed_code() {
    use reqwest::{Method, StatusCode};
    let pki = pki();
    let port = free_port();
    let smtp = Receiver::smtp(&pki, "starttls", port, "dirgate", "relay-pw");
    let ldap = common::server::start(&mail_config(&pki, port, "starttls")).await;
    let t = common::admin::T {
        api: Api::new(ldap.server.http_addr),
        sys: Auth::basic(&ldap.admin_dn, &ldap.admin_pw),
        bob: Auth::basic("bob@example.com", "pw"),
        ldap,
    };
    let web = common::web::Web::new(&t);
    let sign_in = web.get("/sign-in", None).await;
    assert!(
        sign_in.body.contains("href=\"/forgot\""),
        "{}",
        sign_in.body
    );
    let ask = |login: &'static str| {
        let web = &web;
        async move {
            let form = [("login", login)];
            web.send(Method::POST, "/forgot", None, Some(&form), &[])
                .await
        }
    };
    let known = ask("carol@example.com").await;
    let unknown = ask("nobody@example.com").await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));
    let (_, code) = code_of(&smtp.next());
    let form = [
        ("code", code.as_str()),
        ("password", "carol-console-pw"),
        ("repeat", "carol-console-pw"),
    ];
    let done = web
        .send(Method::POST, "/reset", None, Some(&form), &[])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("is set"), "{}", done.body);
    web.sign_in("carol@example.com", "carol-console-pw").await;
}
