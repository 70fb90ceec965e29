//! Applications and access requests end to end, as issue 16 checks them:
//! over the admin API and OpenLDAP's `ldapsearch`, with notices mailed to a
//! real SMTP server (aiosmtpd). A user asks for Gitea, a delegate of another
//! organization can neither see nor approve the request, the approver its
//! organization named approves, the user at once matches
//! `(memberOf=cn=gitea,ou=applications,…)` in a search by Gitea's service
//! account, the steps are in the audit trail and the mail, and taking the
//! user out of the role takes the access away.

mod common;

use common::admin::expect;
use common::http::{Api, Auth};
use common::receivers::{Receiver, free_port, mail_config, pki};
use common::server::{BASE, Ldap, run};
use dirgate::directory::model::Lifecycle;
use dirgate::directory::users::{NewPassword, NewUser, OrgRef};
use serde_json::{Value, json};

const GITEA: &str = "cn=gitea,ou=applications,dc=example,dc=com";

/// Users `reader` (Acme-A's service account) finds with `filter`.
async fn found_by_reader(l: &Ldap, filter: &str) -> Vec<String> {
    let dn = format!("cn=reader,ou=services,{BASE}");
    let args = [
        "-x", "-LLL", "-H", &l.url, "-D", &dn, "-w", &l.svc_pw, "-b", BASE, filter, "1.1",
    ];
    let (rc, out) = run("ldapsearch", &args).await;
    assert_eq!(rc, 0, "{out}");
    common::server::dns(&out)
}

/// Creates an active user of `org` (as the system administrator, in process).
async fn person(l: &Ldap, login: &str, org: &str) -> String {
    let dir = l.dir.clone();
    let (login, org) = (login.to_owned(), org.to_owned());
    tokio::task::spawn_blocking(move || {
        let sys = common::system(&dir);
        let new = NewUser {
            org: Some(OrgRef::Name(org)),
            state: Lifecycle::Active,
            email: Some(login.replace("@example.com", "@mail.example.com")),
            password: Some(NewPassword::Plain("pw".into())),
            ..NewUser::new(&login)
        };
        dir.create_user(&sys, new).unwrap().id.to_string()
    })
    .await
    .unwrap()
}

fn mail_to(mail: &Value) -> String {
    mail["to"][0].as_str().unwrap_or_default().to_owned()
}

fn subject_of(mail: &Value) -> String {
    let data = mail["data"].as_str().unwrap_or_default();
    data.lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_is_approved_and_ldap_applications_see_it_at_once() {
    let pki = pki();
    let port = free_port();
    let smtp = Receiver::smtp(&pki, "starttls", port, "dirgate", "relay-pw");
    let l = common::server::start(&mail_config(&pki, port, "starttls")).await;
    let api = Api::new(l.server.http_addr);
    let sys = Auth::basic(&l.admin_dn, &l.admin_pw);
    let bob = Auth::basic("bob@example.com", "pw");
    let frank_id = person(&l, "frank@example.com", "Acme-A").await;
    let frank = Auth::basic("frank@example.com", "pw");
    let erin_id = person(&l, "erin@example.com", "Acme-A").await;
    let erin = Auth::basic("erin@example.com", "pw");
    // Carol administers the other organization.
    let appoint = "/admins/Acme-B/delegates/carol@example.com";
    let appointed = api.put(appoint, &sys, json!({})).await;
    assert!(appointed.status < 300, "{appointed:?}");
    let carol = Auth::basic("carol@example.com", "pw");

    // The system administrator offers Gitea to every organization.
    let app = api
        .post(
            "/applications",
            &sys,
            json!({"name": "gitea", "url": "https://git.example.com",
                   "description": "Code", "requestable": true}),
        )
        .await;
    expect(&app, 201);
    let app_id = app.body["id"].as_str().unwrap().to_owned();
    // Acme-A's delegate makes the role that grants it there and names the
    // approver.
    let role = api
        .post("/roles", &bob, json!({"name": "Gitea-Users"}))
        .await;
    expect(&role, 201);
    let role_id = role.body["id"].as_str().unwrap().to_owned();
    let carried = api
        .post(
            &format!("/roles/{role_id}/applications"),
            &bob,
            json!({"application": "gitea"}),
        )
        .await;
    expect(&carried, 200);
    let settings = api
        .put(
            &format!("/applications/{app_id}/organizations/Acme-A"),
            &bob,
            json!({"defaultRole": role_id, "approvers": [{"user": "erin@example.com"}]}),
        )
        .await;
    expect(&settings, 200);
    assert_eq!(settings.body["approvers"][0]["id"], json!(erin_id));

    // Frank asks; the approver hears of it.
    let asked = api
        .post(
            "/requests",
            &frank,
            json!({"application": "gitea", "reason": "code review"}),
        )
        .await;
    expect(&asked, 201);
    assert_eq!(asked.body["state"], "pending");
    let req_id = asked.body["id"].as_str().unwrap().to_owned();
    let mail = smtp.next();
    assert_eq!(mail_to(&mail), "erin@mail.example.com", "{mail}");
    assert!(subject_of(&mail).contains("frank@example.com asks for access to gitea"));
    // Asking again while one is pending is a conflict.
    let again = api
        .post(
            "/requests",
            &frank,
            json!({"application": "gitea", "reason": "again"}),
        )
        .await;
    expect(&again, 409);

    // Another organization's delegate cannot tell the request from one
    // that does not exist, nor approve it.
    let missing = uuid::Uuid::new_v4();
    let seen = api.get(&format!("/requests/{req_id}"), &carol).await;
    let none = api.get(&format!("/requests/{missing}"), &carol).await;
    expect(&seen, 404);
    assert_eq!(
        seen.body["detail"]
            .as_str()
            .map(|d| d.replace(&req_id, "X")),
        none.body["detail"]
            .as_str()
            .map(|d| d.replace(&missing.to_string(), "X"))
    );
    let approve = format!("/requests/{req_id}/approve");
    expect(&api.post(&approve, &carol, json!({})).await, 404);
    let listed = api.get("/requests", &carol).await;
    expect(&listed, 200);
    assert_eq!(listed.body["total"], 0, "{:?}", listed.body);
    // Nobody approves its own request.
    expect(&api.post(&approve, &frank, json!({})).await, 403);
    assert!(
        found_by_reader(&l, &format!("(memberOf={GITEA})"))
            .await
            .is_empty()
    );

    // The approver sees it among its organization's requests and approves.
    let open = api.get("/requests?state=pending", &erin).await;
    expect(&open, 200);
    assert_eq!(open.body["items"][0]["id"], json!(req_id));
    let approved = api.post(&approve, &erin, json!({"note": "welcome"})).await;
    expect(&approved, 200);
    assert_eq!(approved.body["state"], "approved");
    assert_eq!(approved.body["role"], json!(role_id));
    let mail = smtp.next();
    assert_eq!(mail_to(&mail), "frank@mail.example.com", "{mail}");
    assert!(subject_of(&mail).contains("gitea was approved"), "{mail}");

    // Gitea's service account finds Frank with its one filter, and the
    // application's entry lists him.
    let frank_dn = format!("uid=frank@example.com,ou=Acme-A,{BASE}");
    let users = found_by_reader(&l, &format!("(memberOf={GITEA})")).await;
    assert_eq!(users, vec![frank_dn.clone()]);
    let entry = common::server::read(&l, GITEA, &["member", "objectClass"]).await;
    assert!(entry.contains(&format!("member: {frank_dn}")), "{entry}");
    assert!(entry.contains("objectClass: groupOfNames"), "{entry}");
    let memberof = common::server::read(&l, &frank_dn, &["memberOf"]).await;
    assert!(
        memberof.contains(&format!("memberOf: {GITEA}")),
        "{memberof}"
    );

    // The audit trail holds the request and the approval.
    let audit = api.get("/audit?action=request.approve", &sys).await;
    expect(&audit, 200);
    let events = audit.body["items"].as_array().unwrap().clone();
    assert!(
        events
            .iter()
            .any(|e| e["actor"] == "erin@example.com" && e["targetId"] == json!(req_id)),
        "{events:?}"
    );

    // Taking Frank out of the role takes the access away at once.
    let out = api
        .delete(&format!("/roles/{role_id}/members/{frank_id}"), &bob)
        .await;
    expect(&out, 200);
    assert!(
        found_by_reader(&l, &format!("(memberOf={GITEA})"))
            .await
            .is_empty()
    );
}
