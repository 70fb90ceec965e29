//! The rank between administrators, end to end. In Acme-A: `umh` holds
//! user-management (role Helpdesk), `rmh` role-management (role Roles),
//! `both` the two, `plain` nothing, bob is a delegate and `boss` the
//! Organization Administrator. Acting on an account (its password, state,
//! name, organization, deletion, the roles carrying rights it is in) needs
//! every right it holds there: a user-management holder cannot take over a
//! role-management holder and so climb to its right, over the admin API or
//! over LDAP, and a role-management holder cannot give or take rights from
//! accounts it does not outrank; the paths down the ranks still work.

mod common;

use common::admin::{T, expect, setup, user_id};
use common::http::Auth;
use common::server::{BASE, run, write_as};
use dirgate::directory::model::{Member, Right};
use dirgate::directory::roles::NewRole;
use dirgate::directory::users::OrgRef;
use serde_json::json;

const LOGINS: [&str; 4] = ["umh", "rmh", "both", "plain"];

/// Creates the accounts and roles described above (and returns the id of
/// role Roles).
async fn ranks(t: &T) -> String {
    for login in LOGINS.into_iter().chain(["boss"]) {
        let body = json!({
            "login": format!("{login}@example.com"),
            "organization": "Acme-A",
            "state": "active",
            "password": "pw",
        });
        expect(&t.api.post("/users", &t.sys, body).await, 201);
    }
    let appoint = json!({"user": "boss@example.com"});
    expect(
        &t.api.put("/admins/Acme-A/org-admin", &t.sys, appoint).await,
        200,
    );
    let dir = t.ldap.dir.clone();
    tokio::task::spawn_blocking(move || {
        let sys = common::system(&dir);
        let role = |name: &str, right, members: &[&str]| {
            let new = NewRole {
                name: name.into(),
                org: Some(OrgRef::Name("Acme-A".into())),
                rights: vec![right],
                ..NewRole::default()
            };
            let role = dir.create_role(&sys, new).unwrap();
            for login in members {
                let id = dir
                    .get_user_by_login(&sys, &format!("{login}@example.com"))
                    .unwrap()
                    .id;
                dir.add_member(&sys, role.id, Member::User(id)).unwrap();
            }
            role.id.to_string()
        };
        role("Helpdesk", Right::UserManagement, &["umh", "both"]);
        role("Roles", Right::RoleManagement, &["rmh", "both"])
    })
    .await
    .unwrap()
}

fn auth(login: &str) -> Auth {
    Auth::basic(&format!("{login}@example.com"), "pw")
}

/// The statuses of the ways to act on `target`'s account as `actor` over the
/// admin API: password, disable, rename, move (to where it is: the policy
/// is asked about the account all the same), delete; in this order, each on
/// the account as the earlier ones left it.
async fn act_on(t: &T, actor: &str, target: &str) -> [u16; 5] {
    let id = user_id(t, &format!("{target}@example.com")).await;
    let who = auth(actor);
    let path = format!("/users/{id}");
    let password = json!({"password": "taken-over"});
    let rename = json!({"login": format!("{target}2@example.com")});
    let move_out = json!({"organization": "Acme-A"});
    [
        t.api
            .post(&format!("{path}/password"), &who, password)
            .await,
        t.api
            .call("POST", &format!("{path}/disable"), &who, None)
            .await,
        t.api.patch(&path, &who, rename).await,
        t.api.post(&format!("{path}/move"), &who, move_out).await,
        t.api.delete(&path, &who).await,
    ]
    .map(|a| a.status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_manager_cannot_take_over_a_role_manager_over_the_admin_api() {
    let t = setup().await;
    let roles = ranks(&t).await;
    assert_eq!(act_on(&t, "umh", "rmh").await, [403; 5]);
    // The role-management holder still has its password.
    expect(
        &t.api.get("/users/rmh@example.com", &auth("rmh")).await,
        200,
    );
    // Nor may it add itself to the role carrying the right it lacks.
    let me = json!({"user": "umh@example.com"});
    let a = t
        .api
        .post(&format!("/roles/{roles}/members"), &auth("umh"), me)
        .await;
    assert_eq!(a.status, 403, "{a:?}");
    assert!(a.body.to_string().contains("insufficient access"), "{a:?}");
    // Nor act on a holder of both rights, nor on the administrators.
    assert_eq!(act_on(&t, "umh", "both").await, [403; 5]);
    assert_eq!(act_on(&t, "umh", "bob").await, [403; 5]);
    assert_eq!(act_on(&t, "umh", "boss").await, [403; 5]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_act_down_the_ranks() {
    let t = setup().await;
    ranks(&t).await;
    // A user-management holder on a plain member.
    assert_eq!(act_on(&t, "umh", "plain").await, [204, 200, 200, 200, 204]);
    // A holder of both rights on a role-management holder.
    let some = act_on(&t, "both", "rmh").await;
    assert_eq!(some, [204, 200, 200, 200, 204]);
    // A delegate on right holders; the Organization Administrator on a
    // delegate.
    assert_eq!(act_on(&t, "bob", "umh").await, [204, 200, 200, 200, 204]);
    assert_eq!(act_on(&t, "boss", "bob").await, [204, 200, 200, 200, 204]);
}

/// `uid=<login>@example.com,ou=Acme-A,<base>`.
fn dn(login: &str) -> String {
    format!("uid={login}@example.com,ou=Acme-A,{BASE}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_manager_cannot_take_over_a_role_manager_over_ldap() {
    let t = setup().await;
    ranks(&t).await;
    let l = &t.ldap;
    let (me, target) = (dn("umh"), dn("rmh"));
    let (rc, out) = run(
        "ldappasswd",
        &[
            "-x", "-H", &l.url, "-D", &me, "-w", "pw", "-s", "x", &target,
        ],
    )
    .await;
    // ldappasswd exits 1 on any refusal; the result code is in its output.
    assert!(rc != 0 && out.contains("Insufficient access (50)"), "{out}");
    let changes = [
        ("password", "replace: userPassword\nuserPassword: x"),
        (
            "disable",
            "replace: dirgateLifecycleState\ndirgateLifecycleState: disabled",
        ),
        ("profile", "replace: mail\nmail: rmh@evil.example"),
    ];
    for (what, change) in changes {
        let ldif = format!("dn: {target}\nchangetype: modify\n{change}\n");
        let (rc, out) = write_as(l, &me, "pw", "ldapmodify", &ldif).await;
        assert_eq!(rc, 50, "{what}: {out}");
    }
    let rename =
        format!("dn: {target}\nchangetype: modrdn\nnewrdn: uid=x@example.com\ndeleteoldrdn: 1\n");
    let (rc, out) = write_as(l, &me, "pw", "ldapmodify", &rename).await;
    assert_eq!(rc, 50, "rename: {out}");
    let delete = format!("dn: {target}\nchangetype: delete\n");
    let (rc, out) = write_as(l, &me, "pw", "ldapmodify", &delete).await;
    assert_eq!(rc, 50, "delete: {out}");
    let join = format!(
        "dn: cn=Roles,ou=roles,ou=Acme-A,{BASE}\nchangetype: modify\nadd: member\nmember: {me}\n"
    );
    let (rc, out) = write_as(l, &me, "pw", "ldapmodify", &join).await;
    assert_eq!(rc, 50, "join: {out}");
    // rmh still binds with its own password; umh still works on members.
    let (rc, out) = run(
        "ldapwhoami",
        &["-x", "-H", &l.url, "-D", &target, "-w", "pw"],
    )
    .await;
    assert_eq!(rc, 0, "{out}");
    let (rc, out) = run(
        "ldappasswd",
        &[
            "-x",
            "-H",
            &l.url,
            "-D",
            &me,
            "-w",
            "pw",
            "-s",
            "x",
            &dn("plain"),
        ],
    )
    .await;
    assert_eq!(rc, 0, "{out}");
}

/// The id of role `name` of Acme-A.
fn role_id(t: &T, name: &str) -> String {
    let dir = &t.ldap.dir;
    let org = dir.get_org(&common::system(dir), "Acme-A").unwrap().id;
    let role = dir
        .store()
        .read(|tx| tx.role_by_name(Some(org), name))
        .unwrap();
    role.unwrap().id.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_carrying_rights_change_members_only_down_the_ranks() {
    let t = setup().await;
    let roles = ranks(&t).await;
    let (staff, rm) = (role_id(&t, "Staff"), auth("rmh"));
    let members = format!("/roles/{roles}/members");
    let status = |a: common::http::Answer| a.status;
    // Giving role-management to a user-management holder, taking it from a
    // holder of both, taking account-unlock from a delegate: all act on
    // accounts that can do what rmh cannot.
    let add = json!({"user": "umh@example.com"});
    assert_eq!(status(t.api.post(&members, &rm, add).await), 403);
    let out = format!("{members}/both@example.com");
    assert_eq!(status(t.api.delete(&out, &rm).await), 403);
    let out = format!("/roles/{staff}/members/bob@example.com");
    assert_eq!(status(t.api.delete(&out, &rm).await), 403);
    // Nor by taking the right away from the role, or deleting it.
    let none = json!({"rights": []});
    let path = format!("/roles/{staff}");
    assert_eq!(status(t.api.patch(&path, &rm, none).await), 403);
    assert_eq!(status(t.api.delete(&path, &rm).await), 403);
    // Down the ranks it works: rmh with a plain member, a delegate with a
    // holder of both rights.
    let add = json!({"user": "plain@example.com"});
    assert_eq!(status(t.api.post(&members, &rm, add).await), 200);
    let out = format!("{members}/plain@example.com");
    assert_eq!(status(t.api.delete(&out, &rm).await), 200);
    let out = format!("{members}/both@example.com");
    assert_eq!(status(t.api.delete(&out, &t.bob).await), 200);
}
