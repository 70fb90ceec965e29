//! Identity providers' request sequences, replayed from their published
//! documentation against the in-process server: Okta (connection test,
//! existence check, create, deactivate, group push), Entra ID in its default
//! shapes and in its `aadOptscim062020` shapes, and Groups as Entra reads them.
//! Also the one-directory promise: SCIM users bind over LDAP at once, and a
//! change made elsewhere shows in SCIM with a new ETag.

mod common;

use common::scim::{Scim, patch_ops, start_scim, system};
use dirgate::directory::users::UserChanges;
use reqwest::StatusCode;
use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const DIRGATE: &str = "urn:dirgate:params:scim:schemas:extension:dirgate:2.0:User";

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn seats_used(s: &Scim, org: &str) -> u64 {
    let dir = s.env.dir.clone();
    let org = org.to_owned();
    tokio::task::spawn_blocking(move || {
        let sys = system(&dir);
        let id = dir.get_org(&sys, &org).unwrap().id;
        dir.store().read(|tx| tx.seats_used(id)).unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn okta_provisioning_sequence() {
    let s = start_scim("").await;
    let t = s.token_a.clone();
    // Connection test.
    let r = s.get(&t, "/Users?startIndex=1&count=2").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["Resources"].as_array().unwrap().len(), 2);
    assert!(r.body["totalResults"].is_u64());
    let r = s.get(&t, "/Groups?startIndex=1&count=100").await;
    assert_eq!(r.status, StatusCode::OK);
    // Existence check, then create.
    let q = "/Users?filter=userName%20eq%20%22okta.user%40example.com%22&startIndex=1&count=100";
    assert_eq!(s.get(&t, q).await.body["totalResults"], 0);
    let body = json!({
        "schemas": [USER], "userName": "okta.user@example.com",
        "name": {"givenName": "Okta", "familyName": "User"},
        "emails": [{"primary": true, "value": "okta.user@mail.example.com", "type": "work"}],
        "displayName": "Okta User", "locale": "en-US", "externalId": "00u1abcd",
        "groups": [], "password": "Okta-Pw-1", "active": true
    });
    let r = s.post(&t, "/Users", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let path = format!("/Users/{}", id_of(&r.body));
    assert_eq!(s.get(&t, q).await.body["totalResults"], 1);
    let before = seats_used(&s, "Acme-A").await;
    // Okta never deletes: it deactivates, which frees the seat.
    let ops = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": false}}]});
    let r = s.patch(&t, &path, ops).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["active"], false);
    assert_eq!(seats_used(&s, "Acme-A").await, before - 1);
    let facts = s
        .get(&t, &format!("{path}?attributes={DIRGATE}:lifecycle"))
        .await
        .body;
    assert_eq!(facts[DIRGATE]["lifecycle"], "disabled");
    // Reactivate, then Okta's profile update by PUT.
    let ops = json!({"Operations": [{"op": "replace", "value": {"active": true}}]});
    assert_eq!(s.patch(&t, &path, ops).await.body["active"], true);
    let mut full = s.get(&t, &path).await.body;
    full["name"]["familyName"] = json!("Renamed");
    let r = s.put(&t, &path, full).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["name"]["familyName"], "Renamed");
    // Group push: create with a member, then rename and change members.
    let uid = path.trim_start_matches("/Users/").to_owned();
    let r = s
        .post(
            &t,
            "/Groups",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Okta Push", "members": [{"value": uid, "display": "okta.user"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let gpath = format!("/Groups/{}", id_of(&r.body));
    let ops = patch_ops(&[
        (
            "replace",
            None,
            json!({"id": id_of(&r.body), "displayName": "Okta Pushed"}),
        ),
        (
            "remove",
            Some(&format!("members[value eq \"{uid}\"]")),
            Value::Null,
        ),
    ]);
    let r = s.patch(&t, &gpath, ops).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["displayName"], "Okta Pushed");
    assert!(r.body.get("members").is_none());
}

#[tokio::test]
async fn entra_default_shapes() {
    let s = start_scim("").await;
    let t = s.token_a.clone();
    // Entra's probe for a user that does not exist.
    let probe = "/Users?filter=userName+eq+%22d2b0a1c7-aaaa-bbbb-cccc-0123456789ab%22";
    assert_eq!(s.get(&t, probe).await.body["totalResults"], 0);
    let body = json!({
        "schemas": [USER, ENTERPRISE],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": "Test_User_ab6490ee@example.com", "active": true,
        "emails": [{"primary": true, "type": "work", "value": "Test_User_fd0ea19b@mail.example.com"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "roles": [],
        ENTERPRISE: {"department": "Sales"}
    });
    let r = s.post(&t, "/Users", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let path = format!("/Users/{}", id_of(&r.body));
    let q = "/Users?filter=externalId+eq+%220a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef%22";
    assert_eq!(s.get(&t, q).await.body["totalResults"], 1);
    let ops = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@mail.example.com"},
        {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
        {"op": "Add", "path": "title", "value": "Lead"},
        {"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 555 0199"},
        {"op": "Replace", "path": format!("{ENTERPRISE}:department"), "value": "Marketing"},
        {"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": "mgr-42"},
        {"op": "Replace", "path": "active", "value": "False"}
    ]});
    let r = s.patch(&t, &path, ops).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = &r.body;
    assert_eq!(b["emails"][0]["value"], "updatedEmail@mail.example.com");
    assert_eq!(b["name"]["familyName"], "updatedFamilyName");
    assert_eq!(b["phoneNumbers"][0]["type"], "mobile");
    assert_eq!(b[ENTERPRISE]["department"], "Marketing");
    assert_eq!(b[ENTERPRISE]["manager"]["value"], "mgr-42");
    assert_eq!(b["active"], false);
    // Entra removes the manager naming it in the value.
    let ops = json!({"Operations": [{"op": "Remove", "path": format!("{ENTERPRISE}:manager"),
        "value": [{"value": "mgr-42"}]}]});
    let r = s.patch(&t, &path, ops).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body[ENTERPRISE].get("manager").is_none(), "{}", r.body);
    assert_eq!(r.body[ENTERPRISE]["department"], "Marketing");
    let ops = json!({"Operations": [{"op": "Replace", "path": "active", "value": "True"}]});
    assert_eq!(s.patch(&t, &path, ops).await.body["active"], true);
    // Entra really deletes.
    assert_eq!(s.delete(&t, &path).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.get(&t, &path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn entra_aad_opt_scim_062020_shapes() {
    let s = start_scim("").await;
    let t = s.token_a.clone();
    let body = json!({"schemas": [USER], "userName": "opt@example.com", "active": true,
        "name": {"givenName": "Opt", "familyName": "In"}});
    let r = s.post(&t, "/Users", body).await;
    let path = format!("/Users/{}", id_of(&r.body));
    let ops = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{
        "op": "replace",
        "value": {
            "displayName": "Opt In",
            "name.givenName": "Optimus",
            "name.familyName": "Prime",
            "emails[type eq \"work\"].value": "opt@mail.example.com",
            format!("{ENTERPRISE}:employeeNumber"): "701984",
            format!("{ENTERPRISE}:department"): "Autobots",
            "active": false
        }
    }]});
    let r = s.patch(&t, &path, ops).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = &r.body;
    assert_eq!(b["displayName"], "Opt In");
    assert_eq!(b["name"]["givenName"], "Optimus");
    assert_eq!(b["name"]["familyName"], "Prime");
    assert_eq!(b["emails"][0]["value"], "opt@mail.example.com");
    assert_eq!(b[ENTERPRISE]["employeeNumber"], "701984");
    assert_eq!(b["active"], false);
}

#[tokio::test]
async fn entra_groups_and_membership() {
    let s = start_scim("").await;
    let t = s.token_a.clone();
    let mk = |n: &str| json!({"schemas": [USER], "userName": format!("{n}@example.com"), "active": true});
    let u1 = id_of(&s.post(&t, "/Users", mk("m1")).await.body);
    let u2 = id_of(&s.post(&t, "/Users", mk("m2")).await.body);
    let r = s
        .post(
            &t,
            "/Groups",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "Group1DisplayName",
        "members": []}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let gid = id_of(&r.body);
    let gpath = format!("/Groups/{gid}");
    // Names are unique in the organization.
    let dup = s
        .post(&t, "/Groups", json!({"displayName": "group1displayname"}))
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.body["scimType"], "uniqueness");
    let q = "/Groups?excludedAttributes=members&filter=displayName+eq+%22Group1DisplayName%22";
    let found = s.get(&t, q).await.body;
    assert_eq!(found["totalResults"], 1);
    assert!(found["Resources"][0].get("members").is_none());
    let add = json!({"Operations": [{"op": "Add", "path": "members",
        "value": [{"value": u1}, {"value": u2}]}]});
    let r = s.patch(&t, &gpath, add).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["members"].as_array().unwrap().len(), 2);
    let user = s.get(&t, &format!("/Users/{u1}")).await.body;
    assert_eq!(user["groups"][0]["value"], gid.as_str());
    let filt = format!("/Groups?filter=members.value+eq+%22{u2}%22&excludedAttributes=members");
    assert_eq!(s.get(&t, &filt).await.body["totalResults"], 1);
    let remove =
        json!({"Operations": [{"op": "Remove", "path": "members", "value": [{"value": u1}]}]});
    let r = s.patch(&t, &gpath, remove).await;
    assert_eq!(r.body["members"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["members"][0]["value"], u2.as_str());
    // A member the token cannot see is refused, and nothing changes.
    let carol = s.get(&s.token_b, "/Users").await.body["Resources"][0]["id"].clone();
    let bad = json!({"Operations": [
        {"op": "Add", "path": "members", "value": [{"value": u1}]},
        {"op": "Add", "path": "members", "value": [{"value": carol}]}]});
    assert_eq!(
        s.patch(&t, &gpath, bad).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        s.get(&t, &gpath).await.body["members"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Other organizations' tokens do not see the group.
    assert_eq!(
        s.get(&s.token_b, &gpath).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.delete(&s.token_b, &gpath).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.delete(&t, &gpath).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn one_directory_for_scim_and_ldap() {
    use ldap3::LdapConnAsync;
    let s = start_scim("").await;
    let t = s.token_a.clone();
    let body = json!({"schemas": [USER], "userName": "bind.me@example.com", "active": true,
        "password": "Bind-Pw-7", "emails": [{"value": "bind.me@mail.example.com", "primary": true}]});
    let r = s.post(&t, "/Users", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = id_of(&r.body);
    let (conn, mut ldap) = LdapConnAsync::new(&s.env.url).await.unwrap();
    ldap3::drive!(conn);
    let dn = "uid=bind.me@example.com,ou=Acme-A,dc=example,dc=com";
    ldap.simple_bind(dn, "Bind-Pw-7")
        .await
        .unwrap()
        .success()
        .unwrap();
    let wrong = ldap.simple_bind(dn, "nope").await.unwrap();
    assert_eq!(wrong.rc, 49);
    // Deactivated over SCIM: the bind stops working.
    let path = format!("/Users/{id}");
    s.patch(
        &t,
        &path,
        patch_ops(&[("replace", Some("active"), json!(false))]),
    )
    .await;
    let refused = ldap.simple_bind(dn, "Bind-Pw-7").await.unwrap();
    assert_eq!(refused.rc, 49);
    // A change made outside SCIM shows with a new ETag.
    let etag = s.get(&t, &path).await.header("etag");
    let dir = s.env.dir.clone();
    let uid = uuid::Uuid::parse_str(&id).unwrap();
    tokio::task::spawn_blocking(move || {
        let changes = UserChanges {
            display_name: Some(Some("Changed Elsewhere".into())),
            ..UserChanges::default()
        };
        dir.update_user(&system(&dir), uid, changes).unwrap();
    })
    .await
    .unwrap();
    let after = s.get(&t, &path).await;
    assert_eq!(after.body["displayName"], "Changed Elsewhere");
    assert_ne!(after.header("etag"), etag);
    // An identity provider working from the old version is refused.
    let stale = patch_ops(&[("replace", Some("title"), json!("Stale"))]);
    let r = s
        .send(
            Some(&t),
            reqwest::Method::PATCH,
            &path,
            Some(stale),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    // The core checks the version inside its transaction too.
    let dir = s.env.dir.clone();
    let refused = tokio::task::spawn_blocking(move || {
        let changes = UserChanges {
            display_name: Some(Some("Late".into())),
            if_version: Some(1),
            ..UserChanges::default()
        };
        dir.update_user(&system(&dir), uid, changes)
    })
    .await
    .unwrap();
    assert!(
        matches!(refused, Err(dirgate::directory::Error::Conflict(_))),
        "{refused:?}"
    );
}
