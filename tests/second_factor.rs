//! The second factor (TOTP), end to end: carol enrols over the admin API
//! (the code computed from the secret, as an authenticator app would) and
//! then signs in to the admin API only with a code, each code and each
//! recovery code once; her organization requires the code on LDAP binds
//! (`ldapwhoami` with the password followed by the code), which the "No
//! 2nd Factor" flag waives and an account without a factor cannot pass; an
//! administrator resets it for a lost phone, a user without the right
//! cannot; the report lists who has none; the audit trail has each step.

mod common;

use common::http::{Api, Auth};
use common::server::{Ldap, admin, run};
use dirgate::directory::model::now;
use dirgate::directory::second_factor::current_code;
use serde_json::json;

const CAROL: &str = "carol@example.com";
const CAROL_DN: &str = "uid=carol@example.com,ou=Acme-B,dc=example,dc=com";

async fn whoami(l: &Ldap, dn: &str, pw: &str) -> i32 {
    run("ldapwhoami", &["-x", "-H", &l.url, "-D", dn, "-w", pw])
        .await
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_factor_is_enrolled_asked_for_and_reset() {
    let l = common::server::start("").await;
    let api = Api::new(l.server.http_addr);
    let sys = Auth::basic(&l.admin_dn, &l.admin_pw);
    let carol = Auth::basic(CAROL, "pw");

    // Enrolment: the secret once, confirmed with a first code.
    let begun = api.post("/account/second-factor", &carol, json!({})).await;
    assert_eq!(begun.status, 200, "{begun:?}");
    let secret = begun.body["secret"].as_str().unwrap().to_owned();
    assert!(
        begun.body["uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/dirgate:carol")
    );
    assert!(begun.body["qrSvg"].as_str().unwrap().contains("<svg"));
    let wrong = api
        .post(
            "/account/second-factor/confirm",
            &carol,
            json!({"code": "000000"}),
        )
        .await;
    assert_eq!(wrong.status, 400, "{wrong:?}");
    let code = current_code(&secret, now()).unwrap();
    let confirmed = api
        .post(
            "/account/second-factor/confirm",
            &carol,
            json!({"code": code}),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{confirmed:?}");
    let recovery: Vec<String> = confirmed.body["recoveryCodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);

    // The admin API now wants a code with the password, each one once.
    let me = format!("/users/{CAROL}");
    assert_eq!(api.get(&me, &carol).await.status, 401);
    let with = |code: &str| Auth::BasicCode(CAROL.into(), "pw".into(), code.into());
    assert_eq!(api.get(&me, &with(&code)).await.status, 401, "a code twice");
    // The next step's code is inside the window, and newer.
    let next = current_code(&secret, now() + 30_000).unwrap();
    assert_eq!(api.get(&me, &with(&next)).await.status, 200);
    assert_eq!(api.get(&me, &with(&next)).await.status, 401);
    assert_eq!(api.get(&me, &with(&recovery[0])).await.status, 200);
    assert_eq!(api.get(&me, &with(&recovery[0])).await.status, 401);
    let shown = api.get(&me, &sys).await;
    assert_eq!(shown.body["secondFactor"], true, "{shown:?}");

    // LDAP: the password alone, until the organization requires the code.
    assert_eq!(whoami(&l, CAROL_DN, "pw").await, 0);
    let require = json!({"passwordPolicy": {"requireSecondFactor": true}});
    assert_eq!(
        api.patch("/organizations/Acme-B", &sys, require)
            .await
            .status,
        200
    );
    assert_eq!(whoami(&l, CAROL_DN, "pw").await, 49);
    let with_code = format!("pw{}", recovery[1]);
    assert_eq!(whoami(&l, CAROL_DN, &with_code).await, 0);
    assert_eq!(
        whoami(&l, CAROL_DN, &with_code).await,
        49,
        "a recovery code twice"
    );
    // A user of the organization without a factor cannot bind; "No 2nd
    // Factor" exempts carol.
    let erin = json!({"login": "erin@example.com", "organization": "Acme-B",
                      "state": "active", "password": "pw"});
    assert_eq!(api.post("/users", &sys, erin).await.status, 201);
    let erin_dn = "uid=erin@example.com,ou=Acme-B,dc=example,dc=com";
    assert_eq!(whoami(&l, erin_dn, "pw").await, 49);
    let exempt = format!(
        "dn: {CAROL_DN}\nchangetype: modify\nreplace: dirgateNoSecondFactor\ndirgateNoSecondFactor: TRUE\n"
    );
    let (rc, out) = admin(&l, "ldapmodify", &exempt).await;
    assert_eq!(rc, 0, "{out}");
    assert_eq!(whoami(&l, CAROL_DN, "pw").await, 0);

    // Who has none: erin (required, not exempt) first.
    let report = api
        .get("/reports/no-second-factor?organization=Acme-B", &sys)
        .await;
    assert_eq!(report.status, 200, "{report:?}");
    let rows = report.body["rows"].as_array().unwrap();
    assert_eq!(rows[0]["login"], "erin@example.com", "{report:?}");
    assert_eq!(rows[0]["required"], "yes");
    assert!(!rows.iter().any(|r| r["login"] == CAROL), "{report:?}");

    // A lost phone: alice (account-unlock only) may not reset it; the
    // system administrator may.
    let path = format!("/users/{CAROL}/second-factor");
    let alice = Auth::basic("alice@example.com", "pw");
    assert_ne!(api.delete(&path, &alice).await.status, 204);
    assert_eq!(api.delete(&path, &sys).await.status, 204);
    assert_eq!(api.get(&me, &carol).await.status, 200);

    let actions: Vec<String> = api.get("/audit?actor=carol@example.com", &sys).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        actions.iter().any(|a| a == "second-factor.enrol"),
        "{actions:?}"
    );
    let resets = api.get("/audit?action=second-factor.reset", &sys).await;
    assert_eq!(resets.body["total"], 1, "{resets:?}");
}

/// The key shown on the console's setup page (`<dt>Key</dt><dd><code>…`).
fn key_on(page: &str) -> String {
    let after = page
        .split("<dt>Key</dt><dd><code>")
        .nth(1)
        .unwrap_or_else(|| panic!("{page}"));
    after.split('<').next().unwrap().to_owned()
}

/// The console: carol sets the factor up on her account page (a QR code
/// and the key), confirms it, sees her recovery codes; then her sign-in
/// needs a code, and takes one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_sets_the_factor_up_and_asks_for_its_code() {
    use reqwest::{Method, StatusCode};
    let t = common::admin::setup().await;
    let web = common::web::Web::new(&t);
    let cookie = web.sign_in(CAROL, "pw").await;
    let account = web.get("/account", Some(&cookie)).await;
    assert!(
        account.body.contains("Set up a second factor"),
        "{}",
        account.body
    );
    let setup = web.post("/account/second-factor", &cookie, &[]).await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.body);
    assert!(setup.body.contains("<svg"), "{}", setup.body);
    let key = key_on(&setup.body);
    let code = current_code(&key, now()).unwrap();
    let confirmed = web
        .post(
            "/account/second-factor/confirm",
            &cookie,
            &[("code", &code)],
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(
        confirmed.body.matches("<li><code>").count(),
        10,
        "{}",
        confirmed.body
    );
    let account = web.get("/account", Some(&cookie)).await;
    assert!(
        account.body.contains("Remove the second factor"),
        "{}",
        account.body
    );

    // Signing in: the password alone is refused, with the code it works.
    let form = [("name", CAROL), ("password", "pw")];
    let p = web
        .send(Method::POST, "/sign-in", None, Some(&form), &[])
        .await;
    assert_ne!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let next = current_code(&key, now() + 30_000).unwrap();
    let form = [("name", CAROL), ("password", "pw"), ("code", next.as_str())];
    let p = web
        .send(Method::POST, "/sign-in", None, Some(&form), &[])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);

    // A lost phone: the administrator's button on the users page.
    let admin = web.sign_in(&t.ldap.admin_dn, &t.ldap.admin_pw).await;
    let users = web.get("/users", Some(&admin)).await;
    assert!(
        users.body.contains("Remove second factor"),
        "{}",
        users.body
    );
    let form = [("login", CAROL), ("action", "reset-second-factor")];
    let p = web.post("/users/action", &admin, &form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    web.sign_in(CAROL, "pw").await;
}
