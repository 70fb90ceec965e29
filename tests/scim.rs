//! SCIM 2.0 end to end against the in-process server on port 0: protocol
//! plumbing (auth, errors, content type, discovery), Users CRUD with ETags,
//! filters, paging, sorting, attribute selection, token scope isolation,
//! concurrent creates that share transactions, and
//! the client address in the audit trail.

mod common;

use common::scim::{create_user as create, patch_ops, sample_user as user, start_scim};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const DIRGATE_EXT: &str = "urn:dirgate:params:scim:schemas:extension:dirgate:2.0:User";

#[tokio::test]
async fn auth_errors_content_type_and_routes() {
    let s = start_scim("").await;
    let r = s.send(None, Method::GET, "/Users", None, &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.header("www-authenticate").starts_with("Bearer"));
    assert_eq!(r.header("content-type"), "application/scim+json");
    assert_eq!(
        r.body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert_eq!(r.body["status"], "401");
    let r = s.get("dg_bogus_token", "/Users").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let forged = format!("{}x", s.token_a);
    assert_eq!(
        s.get(&forged, "/Users").await.status,
        StatusCode::UNAUTHORIZED
    );
    // A real token's id with a secret no token has (too long to hash).
    let oversized = format!("{}{}", s.token_a, "x".repeat(4096));
    assert_eq!(
        s.get(&oversized, "/Users").await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = s.get(&s.token_a, "/Nope").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["status"], "404");
    assert_eq!(r.header("content-type"), "application/scim+json");
    let r = s
        .send(
            Some(&s.token_a),
            Method::DELETE,
            "/ServiceProviderConfig",
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    let r = s.post(&s.token_a, "/Schemas", json!({})).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    let r = s.get(&s.token_a, "/Users/not-a-uuid").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // application/json bodies are accepted as well.
    let r = s
        .send(
            Some(&s.token_a),
            Method::POST,
            "/Users",
            Some(user("json@example.com", "j1")),
            &[("content-type", "application/json")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = s
        .send(Some(&s.token_a), Method::POST, "/Users", None, &[])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["scimType"], "invalidSyntax");
}

#[tokio::test]
async fn discovery_describes_what_is_served() {
    let s = start_scim("").await;
    let spc = s.get(&s.token_a, "/ServiceProviderConfig").await.body;
    assert_eq!(spc["patch"]["supported"], true);
    assert_eq!(spc["bulk"]["supported"], false);
    assert_eq!(spc["filter"]["maxResults"], 1000);
    assert_eq!(spc["etag"]["supported"], true);
    assert_eq!(spc["sort"]["supported"], true);
    let types = s.get(&s.token_a, "/ResourceTypes").await.body;
    assert_eq!(types["totalResults"], 2);
    let user_type = s.get(&s.token_a, "/ResourceTypes/User").await.body;
    assert_eq!(user_type["schemaExtensions"][0]["schema"], ENTERPRISE);
    let schemas = s.get(&s.token_a, "/Schemas").await.body;
    // Core User and Group; the enterprise, dirgate and POSIX extensions.
    assert_eq!(schemas["totalResults"], 5);
    let posix = "urn:dirgate:params:scim:schemas:extension:posix:2.0:User";
    assert_eq!(user_type["schemaExtensions"][2]["schema"], posix);
    assert_eq!(user_type["schemaExtensions"][2]["required"], true);
    let core = s.get(&s.token_a, &format!("/Schemas/{USER}")).await.body;
    let attrs = core["attributes"].as_array().unwrap();
    let user_name = attrs.iter().find(|a| a["name"] == "userName").unwrap();
    assert_eq!(user_name["uniqueness"], "server");
    let password = attrs.iter().find(|a| a["name"] == "password").unwrap();
    assert_eq!(password["returned"], "never");
    assert_eq!(
        s.get(&s.token_a, "/Schemas/urn:nope").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.get(&s.token_a, "/ResourceTypes/Nope").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn user_lifecycle_with_etags() {
    let s = start_scim("").await;
    let t = s.token_a.clone();
    let u = create(&s, &t, "erin@example.com", "x-1").await;
    let id = u["id"].as_str().unwrap().to_owned();
    assert_eq!(u["userName"], "erin@example.com");
    assert_eq!(u["meta"]["resourceType"], "User");
    assert!(
        u["meta"]["location"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/Users/{id}"))
    );
    assert!(u.get("password").is_none());
    assert_eq!(u[ENTERPRISE]["manager"]["value"], "boss-1");
    // Where the account is and its state are shown when asked for by name.
    let dg = "urn:dirgate:params:scim:schemas:extension:dirgate:2.0:User";
    let asked = format!("/Users/{id}?attributes={dg}:organizationUnit,{dg}:lifecycle");
    let facts = s.get(&t, &asked).await.body;
    assert_eq!(facts[dg]["organizationUnit"], "Acme-A", "{facts}");
    assert_eq!(facts[dg]["lifecycle"], "active");
    assert_eq!(u["emails"].as_array().unwrap().len(), 2);
    let path = format!("/Users/{id}");
    let got = s.get(&t, &path).await;
    let etag = got.header("etag");
    assert!(etag.starts_with("W/\""), "{etag}");
    assert_eq!(got.body["meta"]["version"], etag.as_str());
    let r = s
        .send(
            Some(&t),
            Method::GET,
            &path,
            None,
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    // Uniqueness ignores case, as Okta expects.
    let r = s.post(&t, "/Users", user("ERIN@example.com", "x-2")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.body["scimType"], "uniqueness");
    // PUT replaces; If-Match with a stale version is refused.
    let mut body = user("erin@example.com", "x-1");
    body["title"] = json!("Manager");
    let r = s
        .send(
            Some(&t),
            Method::PUT,
            &path,
            Some(body.clone()),
            &[("if-match", "W/\"1\"")],
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    let r = s
        .send(
            Some(&t),
            Method::PUT,
            &path,
            Some(body),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["title"], "Manager");
    assert_ne!(r.header("etag"), etag);
    // A PATCH with two operations, one failing, changes nothing.
    let bad = patch_ops(&[
        ("replace", Some("title"), json!("Boss")),
        ("replace", Some("id"), json!("x")),
    ]);
    assert_eq!(
        s.patch(&t, &path, bad).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(s.get(&t, &path).await.body["title"], "Manager");
    let r = s
        .send(
            Some(&t),
            Method::DELETE,
            &path,
            None,
            &[("if-match", "W/\"1\"")],
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(s.delete(&t, &path).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.get(&t, &path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.delete(&t, &path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tokens_see_only_their_organization() {
    let s = start_scim("").await;
    let u = create(&s, &s.token_a, "erin@example.com", "x-1").await;
    let path = format!("/Users/{}", u["id"].as_str().unwrap());
    let b = s.token_b.clone();
    assert_eq!(s.get(&b, &path).await.status, StatusCode::NOT_FOUND);
    let r = s
        .patch(
            &b,
            &path,
            patch_ops(&[("replace", Some("title"), json!("x"))]),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.put(&b, &path, user("erin@example.com", "x")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.delete(&b, &path).await.status, StatusCode::NOT_FOUND);
    let list = s
        .get(&b, "/Users?filter=userName%20eq%20%22erin@example.com%22")
        .await
        .body;
    assert_eq!(list["totalResults"], 0);
    let list = s.get(&b, "/Users").await.body;
    assert_eq!(list["totalResults"], 1, "only carol is in Acme-B: {list}");
    let groups = s.get(&b, "/Groups").await.body;
    assert_eq!(groups["totalResults"], 0);
    let all = s.get(&s.token_all, "/Users").await.body;
    assert_eq!(all["totalResults"], 5);
    // The server-wide token places a user by dirgate's extension; the
    // enterprise organization is plain data.
    let mut body = user("fay@example.com", "f-1");
    body[ENTERPRISE]["organization"] = json!("Fay's Employer Inc.");
    body[DIRGATE_EXT] = json!({"organizationUnit": "Acme-B"});
    let r = s.post(&s.token_all, "/Users", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body[ENTERPRISE]["organization"], "Fay's Employer Inc.");
    let fay = format!("/Users/{}", r.body["id"].as_str().unwrap());
    assert_eq!(s.get(&b, &fay).await.status, StatusCode::OK);
    // It moves her by the same attribute; an organization's token cannot.
    let to_a = patch_ops(&[(
        "replace",
        Some(&format!("{DIRGATE_EXT}:organizationUnit")),
        json!("Acme-A"),
    )]);
    let r = s.patch(&b, &fay, to_a.clone()).await;
    assert_ne!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(s.get(&b, &fay).await.status, StatusCode::OK, "not moved");
    let r = s.patch(&s.token_all, &fay, to_a).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(s.get(&s.token_a, &fay).await.status, StatusCode::OK);
    assert_eq!(s.get(&b, &fay).await.status, StatusCode::NOT_FOUND);
    // alice is in Staff, and through it in Everyone.
    let q = "/Users?filter=userName%20eq%20%22alice%40example.com%22";
    let alice = s.get(&s.token_a, q).await.body["Resources"][0].clone();
    let mut groups: Vec<(String, String)> = alice["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["display"].as_str().unwrap().into(),
                g["type"].as_str().unwrap().into(),
            )
        })
        .collect();
    groups.sort();
    assert_eq!(
        groups,
        [
            ("Everyone".into(), "indirect".into()),
            ("Staff".into(), "direct".into())
        ]
    );
    // A token sets passwords of the people it provisions, not of administrators
    // or right holders (alice holds account-unlock through Staff; bob is a
    // Delegated Administrator of Acme-A).
    for (login, expected) in [
        ("erin", StatusCode::OK),
        ("alice", StatusCode::FORBIDDEN),
        ("bob", StatusCode::FORBIDDEN),
    ] {
        let q = format!("/Users?filter=userName%20eq%20%22{login}%40example.com%22");
        let found = s.get(&s.token_a, &q).await.body;
        let who = format!("/Users/{}", found["Resources"][0]["id"].as_str().unwrap());
        let ops = patch_ops(&[("replace", Some("password"), json!("New-Pw-123"))]);
        assert_eq!(
            s.patch(&s.token_a, &who, ops).await.status,
            expected,
            "{login}"
        );
    }
    let mut body = user("gus@example.com", "g-1");
    body[DIRGATE_EXT] = json!({"organizationUnit": "Nowhere"});
    let r = s.post(&s.token_all, "/Users", body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn patch_shapes_of_the_rfc() {
    let s = start_scim("").await;
    let t = s.token_a.clone();
    let u = create(&s, &t, "erin@example.com", "x-1").await;
    let path = format!("/Users/{}", u["id"].as_str().unwrap());
    let ops = patch_ops(&[
        ("add", Some("nickName"), json!("E")),
        (
            "replace",
            Some("emails[type eq \"work\"].value"),
            json!("erin@new.example.com"),
        ),
        ("remove", Some("phoneNumbers"), Value::Null),
        (
            "add",
            Some("emails"),
            json!([{"value": "erin@other.example.com", "type": "other"}]),
        ),
        ("replace", Some("name.familyName"), json!("Changed")),
        ("remove", Some("emails[type eq \"home\"]"), Value::Null),
    ]);
    let r = s.patch(&t, &path, ops).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = r.body;
    assert_eq!(b["nickName"], "E");
    assert_eq!(b["name"]["familyName"], "Changed");
    assert_eq!(b["name"]["givenName"], "Erin");
    assert!(b.get("phoneNumbers").is_none());
    let emails: Vec<&str> = b["emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        vec!["erin@new.example.com", "erin@other.example.com"]
    );
    // The primary address is the indexed one.
    let by_mail = "/Users?filter=emails.value%20eq%20%22erin%40new.example.com%22";
    let found = s.get(&t, by_mail).await.body;
    assert_eq!(found["totalResults"], 1);
    for (ops, kind) in [
        (
            patch_ops(&[("replace", Some("nope"), json!("x"))]),
            "invalidPath",
        ),
        (patch_ops(&[("remove", None, Value::Null)]), "noTarget"),
        (
            patch_ops(&[("move", Some("title"), json!("x"))]),
            "invalidSyntax",
        ),
        (
            patch_ops(&[("replace", Some("meta"), json!({}))]),
            "mutability",
        ),
        (
            patch_ops(&[("replace", Some("active"), json!("perhaps"))]),
            "invalidValue",
        ),
    ] {
        let r = s.patch(&t, &path, ops).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{kind}");
        assert_eq!(r.body["scimType"], kind);
    }
    // A password is written, never read.
    let r = s
        .patch(
            &t,
            &path,
            patch_ops(&[("replace", Some("password"), json!("S3cret-pw"))]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.get("password").is_none());
}

/// Sends one SCIM request over a fresh connection and returns its status with
/// the connection's local address, which the server sees as the client's.
async fn from_known_address(
    s: &common::scim::Scim,
    method: &str,
    path: &str,
    body: &Value,
) -> (u16, std::net::SocketAddr) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = s.env.server.http_addr;
    let mut stream = tokio::net::TcpStream::connect(server).await.unwrap();
    let mine = stream.local_addr().unwrap();
    let body = body.to_string();
    let head = format!(
        "{method} /scim/v2{path} HTTP/1.1\r\nHost: {server}\r\nConnection: close\r\n\
         Authorization: Bearer {}\r\nContent-Type: application/scim+json\r\n\
         Content-Length: {}\r\n\r\n",
        s.token_a,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw);
    let status = text.split(' ').nth(1).unwrap().parse().unwrap();
    (status, mine)
}

/// Every SCIM change and refusal names the client's socket address in the
/// audit trail (the `source` of its origin), as the admin API's do.
#[tokio::test]
async fn audit_events_carry_the_client_address() {
    use dirgate::directory::audit::{Outcome, Protocol};
    let s = start_scim("").await;
    let (status, created_from) =
        from_known_address(&s, "POST", "/Users", &user("ivy@example.com", "i-1")).await;
    assert_eq!(status, 201);
    // bob is a Delegated Administrator: a token may not set his password.
    let bob = s
        .get(
            &s.token_a,
            "/Users?filter=userName%20eq%20%22bob%40example.com%22",
        )
        .await
        .body["Resources"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ops = patch_ops(&[("replace", Some("password"), json!("New-Pw-123"))]);
    let (status, denied_from) =
        from_known_address(&s, "PATCH", &format!("/Users/{bob}"), &ops).await;
    assert_eq!(status, 403);
    assert_ne!(created_from, denied_from);
    s.env.dir.flush_journal();
    let events = s.env.dir.store().read(|tx| tx.changes(0, 100_000)).unwrap();
    let create = events
        .iter()
        .find(|e| e.action == "user.create" && e.target == "ivy@example.com")
        .expect("the creation is audited");
    assert_eq!(create.protocol, Protocol::Scim);
    assert_eq!(create.source, Some(created_from.to_string()));
    let denied = events
        .iter()
        .rev()
        .find(|e| e.outcome == Outcome::Denied)
        .expect("the refusal is audited");
    assert_eq!(denied.protocol, Protocol::Scim);
    assert_eq!(denied.source, Some(denied_from.to_string()));
}

/// Concurrent creates may share one transaction (`Store::write_shared`); each
/// must still get its own answer, as if they ran one after another: one of
/// two clashing userNames wins, and an organization never goes over its seats.
#[tokio::test]
async fn concurrent_creates_keep_their_own_answers() {
    let s = &start_scim("").await;
    let names: Vec<String> = (0..6).map(|i| format!("twin{i}@example.com")).collect();
    let posts = names.iter().flat_map(|n| [n.clone(), n.to_uppercase()]);
    let answers = futures_util::future::join_all(posts.map(|n| async move {
        (
            n.clone(),
            s.post(&s.token_big, "/Users", user(&n, &n)).await,
        )
    }))
    .await;
    for name in &names {
        let codes: Vec<_> = answers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, a)| (a.status, a.body["scimType"].clone()))
            .collect();
        assert!(
            codes.contains(&(StatusCode::CREATED, Value::Null)),
            "{name}: {codes:?}"
        );
        assert!(
            codes.contains(&(StatusCode::CONFLICT, json!("uniqueness"))),
            "{name}: {codes:?}"
        );
    }
    let dir = s.env.dir.clone();
    let org = dir
        .store()
        .read(|tx| tx.org_by_name("Acme-A"))
        .unwrap()
        .unwrap();
    let used =
        |dir: &dirgate::directory::Directory| dir.store().read(|tx| tx.seats_used(org.id)).unwrap();
    let free = u64::from(org.seats) - used(&dir);
    let answers = futures_util::future::join_all((0..16).map(|i| {
        let n = format!("seat{i}@example.com");
        async move { s.post(&s.token_a, "/Users", user(&n, &n)).await }
    }))
    .await;
    let created = answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED)
        .count();
    assert_eq!(created as u64, free);
    for a in answers.iter().filter(|a| a.status != StatusCode::CREATED) {
        assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
        assert!(
            a.body["detail"].as_str().unwrap().contains("seats"),
            "{}",
            a.body
        );
    }
    assert_eq!(used(&dir), u64::from(org.seats));
}
