//! What an actor may not see, it cannot tell apart from what does not exist
//! (issue 13.5). Each probe asks the same thing twice as an administrator or
//! a plain user of Acme-A: once naming something of Acme-B (an organization,
//! a user, a role, a token, a service account), once naming something that
//! does not exist. Both answers must be the same (status, kind and message,
//! with the name itself blanked), on the admin API and over LDAP.

mod common;

use common::admin::{T, expect, setup, user_id};
use common::http::{Answer, Auth};
use common::server::{BASE, run, write_as};
use serde_json::{Value, json};

const MISSING_ID: &str = "00000000-0000-4000-8000-000000000001";

/// Names of Acme-B's things (seen) and of missing ones, for one probe.
struct Pair {
    hidden: String,
    missing: String,
}

/// What Acme-B holds besides carol: a role, a SCIM token and a service
/// account; and a plain member `plain` of Acme-A.
struct World {
    carol: Pair,
    carol_login: Pair,
    org: Pair,
    role: Pair,
    token: Pair,
    service: Pair,
}

async fn world(t: &T) -> World {
    let body = json!({"name": "B-Team", "organization": "Acme-B", "rights": []});
    let role = t.api.post("/roles", &t.sys, body).await;
    expect(&role, 201);
    let body = json!({"kind": "scim", "organization": "Acme-B"});
    let token = t.api.post("/tokens", &t.sys, body).await;
    expect(&token, 201);
    let body = json!({"name": "b-reader", "organization": "Acme-B"});
    expect(&t.api.post("/service-accounts", &t.sys, body).await, 201);
    let body = json!({
        "login": "plain@example.com",
        "organization": "Acme-A",
        "state": "active",
        "password": "pw",
    });
    expect(&t.api.post("/users", &t.sys, body).await, 201);
    let id = |a: &Answer| a.body["id"].as_str().unwrap().to_owned();
    let pair = |hidden: String, missing: &str| Pair {
        hidden,
        missing: missing.to_owned(),
    };
    World {
        carol: pair(user_id(t, "carol@example.com").await, MISSING_ID),
        carol_login: pair("carol@example.com".into(), "nobody@example.com"),
        org: pair("Acme-B".into(), "Acme-Z"),
        role: pair(id(&role), MISSING_ID),
        token: pair(id(&token), MISSING_ID),
        service: pair("b-reader".into(), "z-reader"),
    }
}

/// One request with `{X}` in its path and body standing for the name.
struct Probe {
    method: &'static str,
    path: String,
    body: Option<Value>,
}

fn probe(method: &'static str, path: &str, body: Option<Value>) -> Probe {
    Probe {
        method,
        path: path.to_owned(),
        body,
    }
}

fn fill(v: &Value, x: &str) -> Value {
    serde_json::from_str(&v.to_string().replace("{X}", x)).unwrap()
}

/// The answer with `x` blanked, so that two names can be compared.
fn blanked(a: &Answer, x: &str) -> String {
    format!("{} {}", a.status, a.body).replace(x, "{X}")
}

/// Sends `p` with `pair.hidden` and with `pair.missing` as `who`, and
/// returns the differences (empty when the two answers agree).
async fn compare(t: &T, who: &Auth, p: &Probe, pair: &Pair) -> Option<String> {
    let mut answers = Vec::new();
    for x in [&pair.hidden, &pair.missing] {
        let path = p.path.replace("{X}", x);
        let body = p.body.as_ref().map(|b| fill(b, x));
        let a = t.api.call(p.method, &path, who, body).await;
        answers.push(blanked(&a, x));
    }
    (answers[0] != answers[1])
        .then(|| format!("{} {}: {} | {}", p.method, p.path, answers[0], answers[1]))
}

fn org_probes() -> Vec<Probe> {
    vec![
        probe("GET", "/users?organization={X}", None),
        probe("GET", "/roles?organization={X}", None),
        probe("GET", "/reports/users?organization={X}", None),
        probe("GET", "/audit?organization={X}", None),
        probe("GET", "/organizations/{X}", None),
        probe("PATCH", "/organizations/{X}", Some(json!({"seats": 5}))),
        probe("DELETE", "/organizations/{X}", None),
        probe("GET", "/admins/{X}", None),
        probe(
            "PUT",
            "/admins/{X}/org-admin",
            Some(json!({"user": "alice@example.com"})),
        ),
        probe("PUT", "/admins/{X}/delegates/alice@example.com", None),
        probe("DELETE", "/admins/{X}/delegates/alice@example.com", None),
        probe(
            "POST",
            "/users",
            Some(json!({"login": "new@example.com", "organization": "{X}"})),
        ),
        probe(
            "POST",
            "/roles",
            Some(json!({"name": "R", "organization": "{X}", "rights": []})),
        ),
        probe(
            "POST",
            "/tokens",
            Some(json!({"kind": "scim", "organization": "{X}"})),
        ),
        probe(
            "POST",
            "/service-accounts",
            Some(json!({"name": "x", "organization": "{X}"})),
        ),
        probe(
            "POST",
            "/users/plain@example.com/move",
            Some(json!({"organization": "{X}"})),
        ),
    ]
}

fn user_probes() -> Vec<Probe> {
    vec![
        probe("GET", "/users/{X}", None),
        probe("PATCH", "/users/{X}", Some(json!({"displayName": "x"}))),
        probe("PATCH", "/users/{X}", Some(json!({}))),
        probe("DELETE", "/users/{X}", None),
        probe(
            "POST",
            "/users/{X}/move",
            Some(json!({"organization": null})),
        ),
        probe("POST", "/users/{X}/disable", None),
        probe("POST", "/users/{X}/enable", None),
        probe("POST", "/users/{X}/validate", None),
        probe("POST", "/users/{X}/unlock", None),
        probe(
            "POST",
            "/users/{X}/password",
            Some(json!({"password": "new-pw-123"})),
        ),
        probe("POST", "/users/{X}/invite", None),
        probe("PUT", "/admins/Acme-A/delegates/{X}", None),
        probe(
            "PUT",
            "/admins/Acme-A/org-admin",
            Some(json!({"user": "{X}"})),
        ),
    ]
}

fn role_probes() -> Vec<Probe> {
    vec![
        probe("GET", "/roles/{X}", None),
        probe("PATCH", "/roles/{X}", Some(json!({"name": "Renamed"}))),
        probe("DELETE", "/roles/{X}", None),
        probe(
            "POST",
            "/roles/{X}/members",
            Some(json!({"user": "alice@example.com"})),
        ),
        probe("DELETE", "/roles/{X}/members/alice@example.com", None),
    ]
}

/// Every probe as every kind of Acme-A actor; the list of disagreements.
async fn disagreements(t: &T, w: &World) -> Vec<String> {
    let actors = [
        ("bob (delegate)", t.bob.clone()),
        (
            "alice (right holder)",
            Auth::basic("alice@example.com", "pw"),
        ),
        ("plain", Auth::basic("plain@example.com", "pw")),
    ];
    let mut sets: Vec<(Vec<Probe>, &Pair)> = vec![
        (org_probes(), &w.org),
        (user_probes(), &w.carol),
        (user_probes(), &w.carol_login),
        (role_probes(), &w.role),
        (vec![probe("DELETE", "/tokens/{X}", None)], &w.token),
        (
            vec![probe("DELETE", "/service-accounts/{X}", None)],
            &w.service,
        ),
    ];
    let mut out = Vec::new();
    for (name, who) in &actors {
        for (probes, pair) in &mut sets {
            for p in probes.iter() {
                if let Some(d) = compare(t, who, p, pair).await {
                    out.push(format!("{name}: {d}"));
                }
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_api_answers_the_same_for_hidden_and_missing() {
    let t = setup().await;
    let w = world(&t).await;
    let found = disagreements(&t, &w).await;
    assert!(
        found.is_empty(),
        "{} oracles:\n{}",
        found.len(),
        found.join("\n")
    );
    // The probes changed nothing of Acme-B's.
    let carol = t.api.get("/users/carol@example.com", &t.sys).await;
    expect(&carol, 200);
    assert_eq!(carol.body["state"], "active", "{:?}", carol.body);
}

/// The LDAP writes, as bob: an entry of Acme-B answers exactly as a missing
/// one (noSuchObject, the same matchedDN: the base, the deepest entry bob
/// may read).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ldap_writes_answer_the_same_for_hidden_and_missing() {
    let t = setup().await;
    let _ = world(&t).await;
    let l = &t.ldap;
    let bob = format!("uid=bob@example.com,ou=Acme-A,{BASE}");
    let cases = |org: &str, uid: &str| {
        let user = format!("uid={uid},ou={org},{BASE}");
        let role = format!("cn=B-Team,ou=roles,ou={org},{BASE}");
        vec![
            (
                "ldapmodify",
                format!("dn: {user}\nchangetype: modify\nreplace: title\ntitle: x\n"),
            ),
            ("ldapmodify", format!("dn: {user}\nchangetype: delete\n")),
            (
                "ldapmodify",
                format!(
                    "dn: {user}\nchangetype: modrdn\nnewrdn: uid=z@example.com\ndeleteoldrdn: 1\n"
                ),
            ),
            (
                "ldapmodify",
                format!("dn: {role}\nchangetype: modify\nreplace: description\ndescription: x\n"),
            ),
            ("ldapmodify", format!("dn: {role}\nchangetype: delete\n")),
            (
                "ldapadd",
                format!(
                    "dn: uid=new@example.com,ou={org},{BASE}\nobjectClass: inetOrgPerson\nuid: new@example.com\ncn: N\nsn: N\n"
                ),
            ),
            (
                "ldapadd",
                format!("dn: ou=Dept,ou={org},{BASE}\nobjectClass: organizationalUnit\nou: Dept\n"),
            ),
            (
                "ldapmodify",
                format!(
                    "dn: uid=plain@example.com,ou=Acme-A,{BASE}\nchangetype: modrdn\nnewrdn: uid=plain@example.com\ndeleteoldrdn: 1\nnewsuperior: ou={org},{BASE}\n"
                ),
            ),
        ]
    };
    let hidden = cases("Acme-B", "carol@example.com");
    let missing = cases("Acme-Z", "nobody@example.com");
    let mut found = Vec::new();
    for ((cmd, h), (_, m)) in hidden.iter().zip(&missing) {
        let (hc, ho) = write_as(l, &bob, "pw", cmd, h).await;
        let (mc, mo) = write_as(l, &bob, "pw", cmd, m).await;
        let norm = |s: &str| {
            s.replace("Acme-B", "{O}")
                .replace("Acme-Z", "{O}")
                .replace("carol@example.com", "{U}")
                .replace("nobody@example.com", "{U}")
        };
        if hc != mc || norm(&ho) != norm(&mo) {
            found.push(format!("{h}\n  hidden: {hc} {ho}\n  missing: {mc} {mo}"));
        }
        assert_ne!(hc, 0, "{h}: {ho}");
    }
    // Password Modify (ldappasswd), naming the user by DN and by login.
    for (h, m) in [
        (
            format!("uid=carol@example.com,ou=Acme-B,{BASE}"),
            format!("uid=nobody@example.com,ou=Acme-Z,{BASE}"),
        ),
        ("carol@example.com".into(), "nobody@example.com".into()),
    ] {
        let args = |who: &'_ str| {
            ["-x", "-H", &l.url, "-D", &bob, "-w", "pw", "-s", "new-pw-1"]
                .map(str::to_owned)
                .into_iter()
                .chain([who.to_owned()])
                .collect::<Vec<String>>()
        };
        let (ha, ma) = (args(&h), args(&m));
        let (hc, ho) = run(
            "ldappasswd",
            &ha.iter().map(String::as_str).collect::<Vec<_>>(),
        )
        .await;
        let (mc, mo) = run(
            "ldappasswd",
            &ma.iter().map(String::as_str).collect::<Vec<_>>(),
        )
        .await;
        if hc != mc || ho != mo {
            found.push(format!(
                "ldappasswd {h}\n  hidden: {hc} {ho}\n  missing: {mc} {mo}"
            ));
        }
    }
    assert!(
        found.is_empty(),
        "{} oracles:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// One SCIM request with a bearer token: the status and the body.
async fn scim(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> String {
    let url = format!("http://{addr}/scim/v2{path}");
    let (method, token) = (method.to_owned(), token.to_owned());
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let req = ureq::http::Request::builder()
            .method(method.as_str())
            .uri(&url)
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "application/scim+json");
        let mut resp = agent
            .run(
                req.body(body.map(|b| b.to_string()).unwrap_or_default())
                    .unwrap(),
            )
            .unwrap();
        let text = resp.body_mut().read_to_string().unwrap();
        format!("{} {text}", resp.status().as_u16())
    })
    .await
    .unwrap()
}

/// SCIM, with Acme-A's token: Acme-B's users and groups by id answer as
/// missing ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scim_answers_the_same_for_hidden_and_missing() {
    let t = setup().await;
    let w = world(&t).await;
    let body = json!({"kind": "scim", "organization": "Acme-A"});
    let token = t.api.post("/tokens", &t.sys, body).await;
    expect(&token, 201);
    let token = token.body["secret"].as_str().unwrap().to_owned();
    let addr = t.ldap.server.http_addr;
    let user = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "carol@example.com",
    });
    let group = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "B-Team",
    });
    let patch = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": false}],
    });
    let mut found = Vec::new();
    for (kind, pair, put) in [("Users", &w.carol, &user), ("Groups", &w.role, &group)] {
        for (method, body) in [
            ("GET", None),
            ("PUT", Some(put.clone())),
            ("PATCH", Some(patch.clone())),
            ("DELETE", None),
        ] {
            let mut answers = Vec::new();
            for x in [&pair.hidden, &pair.missing] {
                let a = scim(addr, method, &format!("/{kind}/{x}"), &token, body.clone()).await;
                answers.push(a.replace(x.as_str(), "{X}"));
            }
            assert!(
                answers[1].starts_with("404"),
                "{method} {kind}: {}",
                answers[1]
            );
            if answers[0] != answers[1] {
                found.push(format!(
                    "{method} /{kind}/{{X}}: {} | {}",
                    answers[0], answers[1]
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} oracles:\n{}",
        found.len(),
        found.join("\n")
    );
}
