//! SCIM 2.0 end to end against the in-process server on port 0: protocol
//! plumbing (auth, errors, content type, discovery), Users CRUD with ETags,
//! filters, paging, sorting, attribute selection, and token scope isolation.

mod common;

use common::scim::{Scim, patch_ops, start_scim};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn user(login: &str, ext: &str) -> Value {
    json!({
        "schemas": [USER, ENTERPRISE],
        "userName": login,
        "externalId": ext,
        "name": {"givenName": "Erin", "familyName": "Example"},
        "displayName": format!("Erin {ext}"),
        "emails": [{"value": login.replace("@example.com", "@work.example.com"), "type": "work", "primary": true},
                   {"value": login.replace("@example.com", "@home.example.com"), "type": "home"}],
        "phoneNumbers": [{"value": "+1 555 0100", "type": "mobile"}],
        "title": "Engineer",
        "active": true,
        ENTERPRISE: {"employeeNumber": "E-1", "department": "R&D", "manager": {"value": "boss-1"}},
    })
}

async fn create(s: &Scim, token: &str, login: &str, ext: &str) -> Value {
    let r = s.post(token, "/Users", user(login, ext)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

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
    assert_eq!(schemas["totalResults"], 4);
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
    // The server-wide token places a user by the enterprise organization.
    let mut body = user("fay@example.com", "f-1");
    body[ENTERPRISE]["organization"] = json!("Acme-B");
    let r = s.post(&s.token_all, "/Users", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let fay = format!("/Users/{}", r.body["id"].as_str().unwrap());
    assert_eq!(s.get(&b, &fay).await.status, StatusCode::OK);
    let mut body = user("gus@example.com", "g-1");
    body[ENTERPRISE]["organization"] = json!("Nowhere");
    let r = s.post(&s.token_all, "/Users", body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

async fn filter(s: &Scim, f: &str) -> Value {
    let url = format!("/Users?filter={}", urlencode(f));
    let r = s.get(&s.token_a, &url).await;
    assert_eq!(r.status, StatusCode::OK, "{f}: {}", r.body);
    r.body
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn names(list: &Value) -> Vec<String> {
    list["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["userName"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn filters_cover_the_grammar() {
    let s = start_scim("").await;
    create(&s, &s.token_a, "erin@example.com", "Ext-1").await;
    create(&s, &s.token_a, "frank@example.com", "Ext-2").await;
    let count = |v: &Value| v["totalResults"].as_u64().unwrap();
    assert_eq!(
        count(&filter(&s, "userName eq \"ERIN@example.com\"").await),
        1
    );
    assert_eq!(
        count(&filter(&s, "USERNAME EQ \"erin@example.com\"").await),
        1
    );
    assert_eq!(count(&filter(&s, "externalId eq \"Ext-1\"").await), 1);
    assert_eq!(
        count(&filter(&s, "externalId eq \"ext-1\"").await),
        0,
        "externalId is caseExact"
    );
    assert_eq!(
        count(&filter(&s, "emails.value eq \"erin@work.example.com\"").await),
        1
    );
    assert_eq!(
        count(&filter(&s, "emails.value eq \"erin@home.example.com\"").await),
        1
    );
    assert_eq!(
        count(&filter(&s, "emails[type eq \"work\" and value co \"@work\"]").await),
        2
    );
    assert_eq!(
        count(&filter(&s, "emails[type eq \"home\" and value sw \"frank\"]").await),
        1
    );
    assert_eq!(
        count(&filter(&s, "userName sw \"er\" or userName ew \"k@example.com\"").await),
        2
    );
    assert_eq!(
        count(&filter(&s, "not (userName co \"erin\") and title pr").await),
        1
    );
    assert_eq!(count(&filter(&s, "name.givenName eq \"erin\"").await), 2);
    assert_eq!(
        count(&filter(&s, &format!("{USER}:userName eq \"erin@example.com\"")).await),
        1
    );
    assert_eq!(
        count(&filter(&s, &format!("{ENTERPRISE}:employeeNumber eq \"E-1\"")).await),
        2
    );
    assert_eq!(count(&filter(&s, "active eq true").await), 4);
    assert_eq!(
        count(&filter(&s, "meta.created gt \"2000-01-01T00:00:00Z\"").await),
        4
    );
    assert_eq!(
        count(&filter(&s, "meta.lastModified lt \"2000-01-01T00:00:00Z\"").await),
        0
    );
    assert_eq!(
        count(
            &filter(
                &s,
                "(userName eq \"alice@example.com\") or (userName eq \"bob@example.com\")"
            )
            .await
        ),
        2
    );
    for bad in [
        "userName eq",
        "active gt true",
        "((userName pr)",
        "userName zz \"x\"",
    ] {
        let r = s
            .get(&s.token_a, &format!("/Users?filter={}", urlencode(bad)))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(r.body["scimType"], "invalidFilter", "{bad}");
    }
    let deep = format!("{}userName pr{}", "(".repeat(5000), ")".repeat(5000));
    let r = s
        .post(&s.token_a, "/Users/.search", json!({"filter": deep}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["scimType"], "invalidFilter");
}

#[tokio::test]
async fn paging_sorting_and_selection() {
    let s = start_scim("").await;
    for (i, n) in ["zed", "yan", "xia"].iter().enumerate() {
        create(
            &s,
            &s.token_a,
            &format!("{n}@example.com"),
            &format!("e{i}"),
        )
        .await;
    }
    let t = s.token_a.clone();
    let r = s.get(&t, "/Users?startIndex=1&count=2").await.body;
    assert_eq!(r["totalResults"], 5);
    assert_eq!(r["itemsPerPage"], 2);
    assert_eq!(r["startIndex"], 1);
    let r2 = s.get(&t, "/Users?startIndex=3&count=2").await.body;
    let r3 = s.get(&t, "/Users?startIndex=5&count=2").await.body;
    let mut seen: Vec<String> = [names(&r), names(&r2), names(&r3)].concat();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5, "pages overlap: {seen:?}");
    let zero = s.get(&t, "/Users?count=0").await.body;
    assert_eq!(zero["totalResults"], 5);
    assert_eq!(zero["Resources"].as_array().unwrap().len(), 0);
    let sorted = s
        .get(&t, "/Users?sortBy=userName&sortOrder=descending")
        .await
        .body;
    assert_eq!(names(&sorted)[0], "zed@example.com");
    let sorted = s.get(&t, "/Users?sortBy=userName").await.body;
    assert_eq!(names(&sorted)[0], "alice@example.com");
    let picked = s
        .get(&t, "/Users?attributes=userName,name.givenName&count=1")
        .await
        .body;
    let one = &picked["Resources"][0];
    assert!(one.get("id").is_some() && one.get("userName").is_some());
    assert!(one["name"].get("givenName").is_some());
    assert!(one["name"].get("familyName").is_none());
    assert!(one.get("emails").is_none() && one.get("meta").is_none());
    let without = s
        .get(
            &t,
            &format!("/Users?excludedAttributes=emails,{ENTERPRISE}&count=1"),
        )
        .await
        .body;
    let one = &without["Resources"][0];
    assert!(one.get("emails").is_none() && one.get(ENTERPRISE).is_none());
    assert!(one.get("userName").is_some());
    let search = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "userName sw \"x\"", "attributes": ["userName"], "startIndex": 1, "count": 10});
    let r = s.post(&t, "/Users/.search", search.clone()).await.body;
    assert_eq!(names(&r), vec!["xia@example.com"]);
    let root = s
        .post(
            &t,
            "/.search",
            json!({"filter": "userName sw \"x\" or displayName eq \"Staff\""}),
        )
        .await
        .body;
    assert_eq!(root["totalResults"], 2, "{root}");
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
    let found = filter(&s, "emails.value eq \"erin@new.example.com\"").await;
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
