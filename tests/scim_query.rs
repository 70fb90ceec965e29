//! SCIM queries end to end: the filter grammar against real resources,
//! paging with exact totals, sorting, attribute selection (on reads and on the
//! answers of POST, PUT and PATCH), `/.search`, `tooMany` past the configured
//! bound, and `emails.value eq` finding secondary addresses.

mod common;

use common::scim::{Scim, create_user as create, start_scim};
use reqwest::StatusCode;
use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

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
    // Answered from the any-email index, then checked against the whole filter.
    assert_eq!(
        count(&filter(&s, "emails[value eq \"ERIN@home.example.com\"]").await),
        1
    );
    assert_eq!(
        count(
            &filter(
                &s,
                "emails[type eq \"work\" and value eq \"erin@home.example.com\"]"
            )
            .await
        ),
        0
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

/// RFC 7644 §3.9: `attributes` and `excludedAttributes` shape the resource
/// answered by POST, PUT and PATCH too, for Users and Groups.
#[tokio::test]
async fn selection_applies_to_write_answers() {
    let s = start_scim("").await;
    let t = s.token_a.clone();
    let r = s
        .post(
            &t,
            "/Users?attributes=userName",
            common::scim::sample_user("wes@example.com", "w-1"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["userName"], "wes@example.com");
    assert!(r.body.get("emails").is_none() && r.body.get("meta").is_none());
    assert!(r.header("location").ends_with(&format!("/Users/{id}")));
    let mut body = common::scim::sample_user("wes@example.com", "w-1");
    body["title"] = json!("Lead");
    let r = s
        .put(
            &t,
            &format!("/Users/{id}?excludedAttributes=emails,{ENTERPRISE}"),
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["title"], "Lead");
    assert!(r.body.get("emails").is_none() && r.body.get(ENTERPRISE).is_none());
    assert!(r.body.get("phoneNumbers").is_some());
    let ops = common::scim::patch_ops(&[("replace", Some("title"), json!("Chief"))]);
    let r = s
        .patch(
            &t,
            &format!("/Users/{id}?attributes=title,name.familyName"),
            ops,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["title"], "Chief");
    assert_eq!(r.body["name"], json!({"familyName": "Example"}));
    assert!(r.body.get("userName").is_none() && r.body.get("id").is_some());
    // Without the parameters the whole resource comes back, as before.
    let ops = common::scim::patch_ops(&[("replace", Some("title"), json!("Boss"))]);
    let r = s.patch(&t, &format!("/Users/{id}"), ops).await;
    assert!(r.body.get("emails").is_some() && r.body.get("meta").is_some());
    // A bad selection is refused before anything changes.
    let ops = common::scim::patch_ops(&[("replace", Some("title"), json!("Nope"))]);
    let r = s
        .patch(&t, &format!("/Users/{id}?attributes=emails[type"), ops)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(
        s.get(&t, &format!("/Users/{id}")).await.body["title"],
        "Boss"
    );

    let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Crew", "members": [{"value": id}]});
    let r = s
        .post(&t, "/Groups?excludedAttributes=members", group.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(r.body.get("members").is_none() && r.body["displayName"] == "Crew");
    let gid = r.body["id"].as_str().unwrap().to_owned();
    let r = s
        .put(&t, &format!("/Groups/{gid}?attributes=members"), group)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["members"][0]["value"], id.as_str());
    assert!(r.body.get("displayName").is_none());
    let ops = common::scim::patch_ops(&[("replace", Some("displayName"), json!("Crew 2"))]);
    let r = s
        .patch(&t, &format!("/Groups/{gid}?attributes=displayName"), ops)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["displayName"], "Crew 2");
    assert!(r.body.get("members").is_none() && r.body.get("meta").is_none());
}

/// `[scim] max_filter_matches`: a filter matching more resources than that
/// answers 400 tooMany (RFC 7644 §3.12) on lists and on every `/.search`;
/// the bound itself is served, and unfiltered lists are never refused.
#[tokio::test]
async fn broad_filters_answer_too_many() {
    let s = start_scim("[scim]\nmax_filter_matches = 3\n").await;
    let t = s.token_a.clone();
    // Acme-A holds alice and bob; two more make four.
    create(&s, &t, "gil@example.com", "g-1").await;
    create(&s, &t, "hal@example.com", "h-1").await;
    for name in ["G1", "G2"] {
        let g = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name});
        assert_eq!(s.post(&t, "/Groups", g).await.status, StatusCode::CREATED);
    }
    let too_many = |r: &common::scim::Answer| {
        r.status == StatusCode::BAD_REQUEST && r.body["scimType"] == "tooMany"
    };
    let r = s
        .get(&t, &format!("/Users?filter={}", urlencode("userName pr")))
        .await;
    assert!(too_many(&r), "{} {}", r.status, r.body);
    let r = s
        .post(
            &t,
            "/Users/.search",
            json!({"filter": "userName pr", "count": 1}),
        )
        .await;
    assert!(too_many(&r), "{} {}", r.status, r.body);
    // Exactly at the bound is served, with its exact total.
    let r = filter(&s, "userName ne \"alice@example.com\"").await;
    assert_eq!(r["totalResults"], 3);
    // Unfiltered listing pages through everything, as identity providers do.
    let r = s.get(&t, "/Users?startIndex=1&count=2").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["totalResults"], 4);
    // The root search bounds the union of Users and Groups.
    let both = "userName sw \"alice\" or userName sw \"bob\" or displayName sw \"G\"";
    let r = s.post(&t, "/.search", json!({"filter": both})).await;
    assert!(too_many(&r), "{} {}", r.status, r.body);
    let r = s
        .post(&t, "/.search", json!({"filter": "displayName sw \"G\""}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["totalResults"], 2);
}

/// `emails.value eq` is answered from an index of every address, so a
/// secondary address is found even when another user holds it as primary.
#[tokio::test]
async fn email_lookups_find_secondary_addresses() {
    let s = start_scim("").await;
    let body = |login: &str, emails: Value| json!({"schemas": [USER], "userName": login, "emails": emails});
    let shared = "desk@shared.example.com";
    let x = body(
        "xan@example.com",
        json!([{"value": "xan@work.example.com", "primary": true}, {"value": shared, "type": "other"}]),
    );
    let y = body(
        "yul@example.com",
        json!([{"value": "Desk@Shared.example.com", "primary": true}]),
    );
    for (token, user) in [(&s.token_a, x), (&s.token_a, y)] {
        let r = s.post(token, "/Users", user).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    // The same address in another organization stays out of Acme-A's answers.
    let z = body("zed@example.com", json!([{"value": shared}]));
    assert_eq!(
        s.post(&s.token_b, "/Users", z).await.status,
        StatusCode::CREATED
    );
    let mut found = names(&filter(&s, &format!("emails.value eq \"{shared}\"")).await);
    found.sort();
    assert_eq!(found, ["xan@example.com", "yul@example.com"]);
    let found = names(&filter(&s, "emails eq \"DESK@shared.example.com\"").await);
    assert_eq!(found.len(), 2, "{found:?}");
    // And-ed with another condition, the index still narrows correctly.
    let f = format!("emails.value eq \"{shared}\" and userName sw \"x\"");
    assert_eq!(names(&filter(&s, &f).await), ["xan@example.com"]);
    // After the secondary address is removed, only the primary holder is left.
    let id = s
        .get(
            &s.token_a,
            "/Users?filter=userName%20eq%20%22xan%40example.com%22",
        )
        .await
        .body["Resources"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ops =
        common::scim::patch_ops(&[("remove", Some("emails[type eq \"other\"]"), Value::Null)]);
    let r = s.patch(&s.token_a, &format!("/Users/{id}"), ops).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let found = names(&filter(&s, &format!("emails.value eq \"{shared}\"")).await);
    assert_eq!(found, ["yul@example.com"]);
}
