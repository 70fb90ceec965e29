//! The password policy over LDAP, with OpenLDAP's own clients: a weak
//! password set with `ldappasswd` is constraintViolation (19) with the
//! reason; `ldapwhoami -e ppolicy` hears how long a password has left, that
//! a grace login was used, and that the password expired; and an expired
//! password is changed with `ldappasswd` and the old password, without a
//! bind. Also the admin API's and SCIM's answers to a weak password.

mod common;

use common::http::{Api, Auth};
use common::server::{Ldap, admin, find, read, run, start_empty, write_as};
use dirgate::directory::model::{Lifecycle, now};
use dirgate::directory::orgs::NewOrg;
use dirgate::directory::users::{NewPassword, NewUser, OrgRef};
use serde_json::json;

const POLICY: &str = "[password_policy]\nmin_length = 10\nhistory = 2\nmax_age_days = 30\nwarn_days = 5\ngrace_logins = 1\n";
const DN: &str = "uid=ann@example.com,ou=Acme,dc=example,dc=com";
const STRONG: &str = "Blue-Kettle-42";
const DAY: i64 = 24 * 3600 * 1000;

/// Acme with ann, whose password is STRONG.
async fn server() -> Ldap {
    let l = start_empty(POLICY).await;
    let dir = l.dir.clone();
    tokio::task::spawn_blocking(move || {
        let sys = common::system(&dir);
        let org = NewOrg {
            name: "Acme".into(),
            seats: 10,
            description: None,
            id: None,
        };
        dir.create_org(&sys, org).unwrap();
        let new = NewUser {
            org: Some(OrgRef::Name("Acme".into())),
            state: Lifecycle::Active,
            password: Some(NewPassword::Plain(STRONG.into())),
            ..NewUser::new("ann@example.com")
        };
        dir.create_user(&sys, new).unwrap();
    })
    .await
    .unwrap();
    l
}

/// Makes ann's password `days` old (the test stands in for the calendar).
async fn age_password(l: &Ldap, days: i64) {
    let dir = l.dir.clone();
    tokio::task::spawn_blocking(move || {
        dir.store()
            .write(|tx| {
                let mut u = tx.user_by_login("ann@example.com")?.unwrap();
                u.password_changed = Some(now() - days * DAY);
                tx.put_user(&u)
            })
            .unwrap();
    })
    .await
    .unwrap();
}

async fn whoami(l: &Ldap, password: &str) -> (i32, String) {
    run(
        "ldapwhoami",
        &[
            "-x", "-H", &l.url, "-D", DN, "-w", password, "-e", "ppolicy",
        ],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openldap_clients_see_the_password_policy() {
    let l = server().await;
    // A weak new password: constraintViolation with the reason.
    let (rc, out) = run(
        "ldappasswd",
        &["-x", "-H", &l.url, "-D", DN, "-w", STRONG, "-s", "short-1"],
    )
    .await;
    assert_ne!(rc, 0, "{out}");
    assert!(out.contains("Constraint violation (19)"), "{out}");
    assert!(out.contains("at least 10 characters"), "{out}");
    // The current password again: used before.
    let (rc, out) = run(
        "ldappasswd",
        &["-x", "-H", &l.url, "-D", DN, "-w", STRONG, "-s", STRONG],
    )
    .await;
    assert_ne!(rc, 0, "{out}");
    assert!(out.contains("used before"), "{out}");

    // A fresh password: no warning.
    let (rc, out) = whoami(&l, STRONG).await;
    assert_eq!(rc, 0, "{out}");
    assert!(!out.contains("expire"), "{out}");
    // Within the warning period: how long it has left.
    age_password(&l, 27).await;
    let (rc, out) = whoami(&l, STRONG).await;
    assert_eq!(rc, 0, "{out}");
    assert!(out.contains("Password expires in"), "{out}");
    // Expired: one grace login, then refused as expired.
    age_password(&l, 31).await;
    let (rc, out) = whoami(&l, STRONG).await;
    assert_eq!(rc, 0, "{out}");
    assert!(out.contains("grace"), "{out}");
    let (rc, out) = whoami(&l, STRONG).await;
    assert_eq!(rc, 49, "{out}");
    assert!(out.contains("Password expired"), "{out}");
    // Changed with the old password, without a bind.
    let new = "Fresh-Start-77";
    let (rc, out) = run(
        "ldappasswd",
        &["-x", "-H", &l.url, "-a", STRONG, "-s", new, DN],
    )
    .await;
    assert_eq!(rc, 0, "{out}");
    let (rc, out) = whoami(&l, new).await;
    assert_eq!(rc, 0, "{out}");
    assert!(!out.contains("expire"), "{out}");
    // pwdChangedTime is what slapd's ppolicy shows.
    let (_, entry) = run(
        "ldapsearch",
        &[
            "-x",
            "-LLL",
            "-H",
            &l.url,
            "-D",
            DN,
            "-w",
            new,
            "-b",
            DN,
            "-s",
            "base",
            "pwdChangedTime",
        ],
    )
    .await;
    assert!(entry.contains("pwdChangedTime: "), "{entry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_api_and_scim_refuse_a_weak_password_with_the_reason() {
    let l = server().await;
    let api = Api::new(l.server.http_addr);
    let sys = Auth::basic(&l.admin_dn, &l.admin_pw);
    let weak = json!({"login": "bo@example.com", "organization": "Acme",
                      "state": "active", "password": "bo"});
    let a = api.post("/users", &sys, weak).await;
    assert_eq!(a.status, 400, "{a:?}");
    assert_eq!(a.body["error"], "weak_password", "{a:?}");
    assert!(
        a.body["message"].as_str().unwrap().contains("at least 10"),
        "{a:?}"
    );
    // An organization's own policy, over the admin API.
    let patched = api
        .patch(
            "/organizations/Acme",
            &sys,
            json!({"passwordPolicy": {"minLength": 20}}),
        )
        .await;
    assert_eq!(patched.status, 200, "{patched:?}");
    assert_eq!(patched.body["passwordPolicy"]["minLength"], 20);
    let a = api
        .post(
            "/users",
            &sys,
            json!({"login": "di@example.com", "organization": "Acme",
                   "state": "active", "password": "Long-Enough-1"}),
        )
        .await;
    assert_eq!(a.status, 400, "{a:?}");
    assert!(
        a.body["message"].as_str().unwrap().contains("at least 20"),
        "{a:?}"
    );
    let token = api
        .post(
            "/tokens",
            &sys,
            json!({"kind": "scim", "organization": null}),
        )
        .await;
    let secret = token.body["secret"].as_str().unwrap().to_owned();
    let scim = common::http::Api::with_base(l.server.http_addr, "/scim/v2");
    let user = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "cy@example.com", "password": "cy"
    });
    let a = scim.post("/Users", &Auth::Bearer(secret), user).await;
    assert_eq!(a.status, 400, "{a:?}");
    assert_eq!(a.body["scimType"], "invalidValue", "{a:?}");
}

/// What SSSD's shadow policy (`ldap_pwd_policy = shadow`) reads, day numbers
/// since 1970: the password's change day, the policy's maximum age and
/// warning, the account's expiry; written by an administrator, they change
/// what dirgate's own binds enforce; the user cannot change them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sssd_reads_the_shadow_attributes_and_they_are_the_policy() {
    let l = server().await;
    let today = now() / DAY;
    let attrs = [
        "objectClass",
        "shadowLastChange",
        "shadowMax",
        "shadowWarning",
        "shadowExpire",
    ];
    let entry = read(&l, DN, &attrs).await;
    assert!(entry.contains("objectClass: shadowAccount"), "{entry}");
    assert!(
        entry.contains(&format!("shadowLastChange: {today}")),
        "{entry}"
    );
    assert!(entry.contains("shadowMax: 30\n"), "{entry}");
    assert!(entry.contains("shadowWarning: 5\n"), "{entry}");
    assert!(!entry.contains("shadowExpire"), "{entry}");
    // SSSD's own user search finds it by class.
    assert_eq!(
        find(&l, "(&(objectClass=shadowAccount)(shadowMax=30))").await,
        [DN]
    );

    // The user may not move its own password's age or its expiry.
    let own = format!(
        "dn: {DN}\nchangetype: modify\nreplace: shadowLastChange\nshadowLastChange: 99999\n"
    );
    let (rc, out) = write_as(&l, DN, STRONG, "ldapmodify", &own).await;
    assert_eq!(rc, 50, "{out}");
    let own = format!("dn: {DN}\nchangetype: modify\nreplace: shadowExpire\nshadowExpire: -1\n");
    let (rc, out) = write_as(&l, DN, STRONG, "ldapmodify", &own).await;
    assert_eq!(rc, 50, "{out}");

    // An administrator expires the account yesterday: binds fail.
    let expire = format!(
        "dn: {DN}\nchangetype: modify\nreplace: shadowExpire\nshadowExpire: {}\n",
        today - 1
    );
    let (rc, out) = admin(&l, "ldapmodify", &expire).await;
    assert_eq!(rc, 0, "{out}");
    assert!(
        read(&l, DN, &["shadowExpire"])
            .await
            .contains(&format!("shadowExpire: {}", today - 1))
    );
    assert_eq!(whoami(&l, STRONG).await.0, 49);
    // -1 is "never", as in shadow(5).
    let never = format!("dn: {DN}\nchangetype: modify\nreplace: shadowExpire\nshadowExpire: -1\n");
    let (rc, out) = admin(&l, "ldapmodify", &never).await;
    assert_eq!(rc, 0, "{out}");
    assert!(
        !read(&l, DN, &["shadowExpire"])
            .await
            .contains("shadowExpire")
    );
    assert_eq!(whoami(&l, STRONG).await.0, 0);

    // A change day 31 days ago: the password has expired (a grace login).
    let aged = format!(
        "dn: {DN}\nchangetype: modify\nreplace: shadowLastChange\nshadowLastChange: {}\n",
        today - 31
    );
    let (rc, out) = admin(&l, "ldapmodify", &aged).await;
    assert_eq!(rc, 0, "{out}");
    let (rc, out) = whoami(&l, STRONG).await;
    assert_eq!(rc, 0, "{out}");
    assert!(out.contains("grace"), "{out}");

    // A maximum age written for this user is kept as written (its client
    // enforces it, as with slapd); a bad day number is refused.
    let own_max = format!("dn: {DN}\nchangetype: modify\nreplace: shadowMax\nshadowMax: 90\n");
    let (rc, out) = admin(&l, "ldapmodify", &own_max).await;
    assert_eq!(rc, 0, "{out}");
    assert!(
        read(&l, DN, &["shadowMax"])
            .await
            .contains("shadowMax: 90\n")
    );
    let bad = format!("dn: {DN}\nchangetype: modify\nreplace: shadowExpire\nshadowExpire: -7\n");
    let (rc, out) = admin(&l, "ldapmodify", &bad).await;
    assert_eq!(rc, 19, "{out}");

    // An entry added with them (a move from slapd) keeps them.
    let add = format!(
        "dn: uid=bo@example.com,ou=Acme,dc=example,dc=com\nobjectClass: inetOrgPerson\n\
         objectClass: posixAccount\nobjectClass: shadowAccount\ncn: Bo\nsn: Bo\n\
         uid: bo@example.com\nuidNumber: 5001\ngidNumber: 5001\nhomeDirectory: /home/bo\n\
         userPassword: {STRONG}\nshadowLastChange: {}\nshadowExpire: {}\n",
        today - 3,
        today + 10
    );
    let (rc, out) = admin(&l, "ldapadd", &add).await;
    assert_eq!(rc, 0, "{out}");
    let bo = read(&l, "uid=bo@example.com,ou=Acme,dc=example,dc=com", &attrs).await;
    assert!(
        bo.contains(&format!("shadowLastChange: {}", today - 3)),
        "{bo}"
    );
    assert!(
        bo.contains(&format!("shadowExpire: {}", today + 10)),
        "{bo}"
    );
}
