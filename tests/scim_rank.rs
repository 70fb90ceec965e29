//! SCIM tokens provision members, never administrators or right holders. In
//! the standard directory alice holds account-unlock in Acme-A (role Staff),
//! bob is a Delegated Administrator there, and `boss` is made its
//! Organization Administrator. A token may read them all, but not set their
//! password, disable, rename, move or delete them, nor take them out of a
//! group carrying rights; it does all of that to the people it provisions.

mod common;

use common::scim::{Scim, create_user, patch_ops, start_scim, system};
use reqwest::StatusCode;
use serde_json::json;

/// The SCIM path of `login`, as `token` finds it.
async fn path_of(s: &Scim, token: &str, login: &str) -> String {
    let q = format!("/Users?filter=userName%20eq%20%22{login}%22");
    let found = s.get(token, &q).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    let id = found.body["Resources"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    format!("/Users/{id}")
}

/// Makes boss@example.com the Organization Administrator of Acme-A.
async fn appoint_boss(s: &Scim) {
    let dir = s.env.dir.clone();
    tokio::task::spawn_blocking(move || {
        use dirgate::directory::users::{NewUser, OrgRef};
        let sys = system(&dir);
        let new = NewUser {
            org: Some(OrgRef::Name("Acme-A".into())),
            ..NewUser::new("boss@example.com")
        };
        let boss = dir.create_user(&sys, new).unwrap();
        dir.appoint_org_admin(&sys, "Acme-A", boss.id).unwrap();
    })
    .await
    .unwrap();
}

/// The statuses of password, disable, rename, move and delete of `login`
/// with `token`, each a PATCH (or the DELETE) of its own.
async fn act_on(s: &Scim, token: &str, login: &str) -> [StatusCode; 5] {
    let path = path_of(s, token, login).await;
    let ext = "urn:dirgate:params:scim:schemas:extension:dirgate:2.0:User:organizationUnit";
    let changes = [
        ("password", json!("Taken-Over-1")),
        ("active", json!(false)),
        ("userName", json!(format!("x-{login}"))),
        (ext, json!("Acme-B")),
    ];
    let mut out = Vec::new();
    for (attr, value) in changes {
        let ops = patch_ops(&[("replace", Some(attr), value)]);
        out.push(s.patch(token, &path, ops).await.status);
    }
    out.push(s.delete(token, &path).await.status);
    out.try_into().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_act_on_members_only() {
    let s = start_scim("").await;
    appoint_boss(&s).await;
    let (ok, gone, no) = (
        StatusCode::OK,
        StatusCode::NO_CONTENT,
        StatusCode::FORBIDDEN,
    );
    // An organization's token never moves anyone: organizationUnit is
    // read-only for it, whoever the user is (400 at the edge).
    let unmovable = StatusCode::BAD_REQUEST;
    for login in ["alice@example.com", "bob@example.com", "boss@example.com"] {
        let got = act_on(&s, &s.token_a, login).await;
        assert_eq!(got, [no, no, no, unmovable, no], "{login}");
        let got = act_on(&s, &s.token_all, login).await;
        assert_eq!(got, [no; 5], "{login} (server-wide token)");
        let path = path_of(&s, &s.token_a, login).await;
        assert_eq!(s.get(&s.token_a, &path).await.status, ok);
    }
    // What a token provisions, it manages to the end.
    create_user(&s, &s.token_a, "erin@example.com", "e-1").await;
    let got = act_on(&s, &s.token_a, "erin@example.com").await;
    assert_eq!(got, [ok, ok, ok, unmovable, gone]);
    create_user(&s, &s.token_all, "finn@example.com", "f-1").await;
    let got = act_on(&s, &s.token_all, "finn@example.com").await;
    assert_eq!(got, [ok, ok, ok, ok, gone]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_do_not_take_rights_from_their_holders() {
    let s = start_scim("").await;
    let q = "/Groups?filter=displayName%20eq%20%22Staff%22";
    let staff = s.get(&s.token_a, q).await.body["Resources"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let staff = format!("/Groups/{staff}");
    let alice = path_of(&s, &s.token_a, "alice@example.com").await;
    let alice_id = alice.trim_start_matches("/Users/");
    let out = format!("members[value eq \"{alice_id}\"]");
    let ops = patch_ops(&[("remove", Some(out.as_str()), serde_json::Value::Null)]);
    let r = s.patch(&s.token_a, &staff, ops).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = s.delete(&s.token_a, &staff).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let members = s.get(&s.token_a, &staff).await.body["members"].clone();
    assert!(members.to_string().contains(alice_id), "{members}");
}
