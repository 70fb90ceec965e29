//! The password policy on the core with a real store: weak and reused
//! passwords are refused with the reason, wherever they are set; the
//! history is asked only once the caller may set the password; passwords
//! expire after the maximum age, with grace logins, and an expired one is
//! changed with the old one; an expired account logs in no more.

mod common;

use common::{as_actor, cheap_settings, system};
use dirgate::directory::acl::Actor;
use dirgate::directory::auth::Principal;
use dirgate::directory::model::Lifecycle;
use dirgate::directory::orgs::NewOrg;
use dirgate::directory::password::policy::{Age, PasswordPolicy};
use dirgate::directory::reports::{ReportKind, ReportQuery};
use dirgate::directory::users::{NewPassword, NewUser, OrgRef, UserChanges};
use dirgate::directory::{Directory, Error, Request, Settings};

const STRONG: &str = "Blue-Kettle-42";

fn directory(policy: PasswordPolicy) -> (Directory, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let store = dirgate::store::Store::open(&tmp.path().join("t.redb"), 10_000).unwrap();
    let settings = Settings {
        password_policy: policy,
        ..cheap_settings()
    };
    let dir = Directory::new(store, settings).unwrap();
    dir.bootstrap().unwrap().unwrap();
    let sys = system(&dir);
    dir.add_suffix(&sys, "example.com").unwrap();
    let org = NewOrg {
        name: "Acme".into(),
        seats: 10,
        description: None,
        id: None,
    };
    dir.create_org(&sys, org).unwrap();
    (dir, tmp)
}

fn create(dir: &Directory, login: &str, password: &str) -> Result<uuid::Uuid, Error> {
    let new = NewUser {
        org: Some(OrgRef::Name("Acme".into())),
        state: Lifecycle::Active,
        given_name: Some("Ann".into()),
        family_name: Some("Lee".into()),
        password: Some(NewPassword::Plain(password.into())),
        ..NewUser::new(login)
    };
    dir.create_user(&system(dir), new).map(|u| u.id)
}

fn log_in(dir: &Directory, login: &str, password: &str) -> Result<Actor, Error> {
    let anon = as_actor(Actor::anonymous());
    let out = dir.authenticate(&anon, &Principal::Login(login.into()), password);
    dir.flush_journal();
    out
}

fn set(dir: &Directory, req: &Request, id: uuid::Uuid, password: &str) -> Result<(), Error> {
    let changes = UserChanges {
        password: Some(NewPassword::Plain(password.into())),
        ..Default::default()
    };
    dir.update_user(req, id, changes).map(|_| ())
}

#[test]
fn weak_and_reused_passwords_are_refused_with_the_reason() {
    let (dir, _tmp) = directory(PasswordPolicy {
        min_length: 10,
        min_classes: 3,
        history: 2,
        ..PasswordPolicy::default()
    });
    let weak = |r: Result<uuid::Uuid, Error>| match r {
        Err(Error::WeakPassword(why)) => why,
        other => panic!("expected a weak password, got {other:?}"),
    };
    assert!(weak(create(&dir, "ann.lee@example.com", "Short-1")).contains("at least 10"));
    assert!(weak(create(&dir, "ann.lee@example.com", "alllowercase1")).contains("3 of"));
    assert!(weak(create(&dir, "ann.lee@example.com", "My-Ann.Lee-42")).contains("login"));
    let id = create(&dir, "ann.lee@example.com", STRONG).unwrap();
    let sys = system(&dir);
    // A reused password: the current one, and the two before it.
    for (next, refused) in [
        (STRONG, true),
        ("Green-Teapot-7", false),
        ("Red-Kettle-99", false),
        (STRONG, true),
        ("Green-Teapot-7", true),
        ("Gold-Kettle-11", false),
        (STRONG, false),
    ] {
        let out = set(&dir, &sys, id, next);
        assert_eq!(
            matches!(out, Err(Error::WeakPassword(_))),
            refused,
            "{next}: {out:?}"
        );
    }
    // The change time is kept, and LDAP's pwdChangedTime shows it.
    let user = dir.get_user(&sys, id).unwrap();
    assert!(user.password_changed.is_some());
    assert_eq!(user.password_history.len(), 2);
}

#[test]
fn only_who_may_set_a_password_learns_whether_it_was_used_before() {
    let (dir, _tmp) = directory(PasswordPolicy {
        history: 3,
        ..PasswordPolicy::default()
    });
    let ann = create(&dir, "ann@example.com", STRONG).unwrap();
    let bob = create(&dir, "bob@example.com", "Other-Secret-9").unwrap();
    let bob_req = as_actor(log_in(&dir, "bob@example.com", "Other-Secret-9").unwrap());
    // Bob guessing at Ann's password: refused as a change he may not make,
    // whether or not the guess is right.
    for guess in [STRONG, "Wrong-Guess-123"] {
        let out = set(&dir, &bob_req, ann, guess);
        assert!(matches!(out, Err(Error::Denied(_))), "{guess}: {out:?}");
    }
    // Ann herself is told.
    let ann_req = as_actor(log_in(&dir, "ann@example.com", STRONG).unwrap());
    let out = set(&dir, &ann_req, ann, STRONG);
    assert!(matches!(out, Err(Error::WeakPassword(_))), "{out:?}");
    let _ = bob;
}

#[test]
fn passwords_expire_with_grace_logins_and_are_changed_with_the_old_one() {
    let (dir, _tmp) = directory(PasswordPolicy {
        max_age: 400,
        warn: 300,
        grace_logins: 1,
        ..PasswordPolicy::default()
    });
    let id = create(&dir, "ann@example.com", STRONG).unwrap();
    assert!(matches!(
        dir.password_age(id).unwrap(),
        Age::Fresh | Age::Expiring(_)
    ));
    std::thread::sleep(std::time::Duration::from_millis(450));
    // One grace login, then refused as expired (not as a wrong password).
    log_in(&dir, "ann@example.com", STRONG).unwrap();
    assert_eq!(
        dir.password_age(id).unwrap(),
        Age::Expired { grace_left: 0 }
    );
    let out = log_in(&dir, "ann@example.com", STRONG);
    assert!(matches!(out, Err(Error::PasswordExpired)), "{out:?}");
    // A wrong password on an expired account is just a wrong password.
    let out = log_in(&dir, "ann@example.com", "Not-The-One-1");
    assert!(matches!(out, Err(Error::InvalidCredentials)), "{out:?}");
    // Changed with the old one, without a login.
    let anon = as_actor(Actor::anonymous());
    let wrong = dir.change_expired_password(&anon, Some(id), "Not-The-One-1", "Fresh-Start-77");
    assert!(matches!(wrong, Err(Error::InvalidCredentials)), "{wrong:?}");
    let weak = dir.change_expired_password(&anon, Some(id), STRONG, "short");
    assert!(matches!(weak, Err(Error::WeakPassword(_))), "{weak:?}");
    dir.change_expired_password(&anon, Some(id), STRONG, "Fresh-Start-77")
        .unwrap();
    log_in(&dir, "ann@example.com", "Fresh-Start-77").unwrap();
    assert!(matches!(
        dir.password_age(id).unwrap(),
        Age::Fresh | Age::Expiring(_)
    ));
}

#[test]
fn an_expired_account_logs_in_no_more() {
    let (dir, _tmp) = directory(PasswordPolicy::default());
    let id = create(&dir, "ann@example.com", STRONG).unwrap();
    let sys = system(&dir);
    let past = UserChanges {
        expires: Some(Some(dirgate::directory::model::now() - 1000)),
        ..Default::default()
    };
    dir.update_user(&sys, id, past).unwrap();
    let out = log_in(&dir, "ann@example.com", STRONG);
    assert!(matches!(out, Err(Error::InvalidCredentials)), "{out:?}");
    let never = UserChanges {
        expires: Some(None),
        ..Default::default()
    };
    dir.update_user(&sys, id, never).unwrap();
    log_in(&dir, "ann@example.com", STRONG).unwrap();
    // The report lists accounts that expire within its period.
    let report = |days| {
        let q = ReportQuery {
            kind: ReportKind::ExpiringPasswords,
            org: None,
            days: Some(days),
        };
        dir.report(&sys, &q).unwrap()
    };
    assert!(report(14).rows.is_empty());
    let soon = UserChanges {
        expires: Some(Some(
            dirgate::directory::model::now() + 3 * 24 * 3600 * 1000,
        )),
        ..Default::default()
    };
    dir.update_user(&sys, id, soon).unwrap();
    let rows = report(14).rows;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], "ann@example.com");
    assert!(!rows[0][3].is_empty(), "{rows:?}");
    assert!(report(2).rows.is_empty());
}

#[test]
fn an_organization_sets_its_own_policy() {
    let (dir, _tmp) = directory(PasswordPolicy::default());
    let sys = system(&dir);
    let stricter = dirgate::directory::password::policy::PolicyOverride {
        min_length: Some(16),
        max_age_days: Some(30),
        ..Default::default()
    };
    dir.set_org_password_policy(&sys, "Acme", stricter).unwrap();
    // Acme's accounts follow Acme's policy; others the server's.
    let out = create(&dir, "ann@example.com", STRONG);
    assert!(
        matches!(&out, Err(Error::WeakPassword(why)) if why.contains("16")),
        "{out:?}"
    );
    let elsewhere = NewUser {
        state: Lifecycle::Active,
        password: Some(NewPassword::Plain(STRONG.into())),
        ..NewUser::new("bo@example.com")
    };
    dir.create_user(&sys, elsewhere).unwrap();
    let id = create(&dir, "ann@example.com", "Blue-Kettle-42-Long").unwrap();
    // Its maximum age applies to them: the report sees the expiry.
    let q = dirgate::directory::reports::ReportQuery {
        kind: dirgate::directory::reports::ReportKind::ExpiringPasswords,
        org: None,
        days: Some(31),
    };
    let rows = dir.report(&sys, &q).unwrap().rows;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][0], "ann@example.com");
    assert!(matches!(dir.password_age(id).unwrap(), Age::Fresh));
    // A value no policy may have is refused.
    let wrong = dirgate::directory::password::policy::PolicyOverride {
        min_classes: Some(9),
        ..Default::default()
    };
    let out = dir.set_org_password_policy(&sys, "Acme", wrong);
    assert!(matches!(out, Err(Error::Invalid(_))), "{out:?}");
}
