//! Shared fixtures for the integration tests: a real store in a temporary
//! directory, a directory with cheap argon2 parameters (the tests check rules,
//! not hashing cost), and requests for the common actors.
#![allow(dead_code)]

pub mod admin;
pub mod differential;
pub mod etcd;
pub mod http;
pub mod receivers;
pub mod scim;
pub mod server;
pub mod slapd_tools;
pub mod web;

use dirgate::directory::acl::Actor;
use dirgate::directory::audit::{Origin, Protocol};
use dirgate::directory::auth::Principal;
use dirgate::directory::model::{Lifecycle, User};
use dirgate::directory::orgs::NewOrg;
use dirgate::directory::password::HashParams;
use dirgate::directory::users::{NewPassword, NewUser, OrgRef};
use dirgate::directory::{Directory, Request, Settings};
use dirgate::store::Store;

pub struct Fixture {
    pub dir: Directory,
    pub tmp: tempfile::TempDir,
}

pub fn cheap_settings() -> Settings {
    Settings {
        hash: HashParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        },
        // The tests' passwords are short (`pw`).
        password_policy: dirgate::directory::password::policy::PasswordPolicy {
            min_length: 1,
            reject_names: false,
            ..Default::default()
        },
        ..Settings::default()
    }
}

/// A directory on a fresh store with the system administrator, the suffix
/// `example.com`, and organizations `Acme-A` and `Acme-B` (3 seats each).
pub fn fixture() -> Fixture {
    fixture_numbered_from(10_000)
}

/// [`fixture`] on a store that hands out uid/gid numbers from `first`.
pub fn fixture_numbered_from(first: u32) -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("t.redb"), first).unwrap();
    let dir = Directory::new(store, cheap_settings()).unwrap();
    dir.bootstrap().unwrap().unwrap();
    let sys = system(&dir);
    dir.add_suffix(&sys, "example.com").unwrap();
    for name in ["Acme-A", "Acme-B"] {
        dir.create_org(
            &sys,
            NewOrg {
                name: name.into(),
                seats: 3,
                description: None,
                id: None,
            },
        )
        .unwrap();
    }
    Fixture { dir, tmp }
}

pub fn as_actor(actor: Actor) -> Request {
    Request {
        actor,
        origin: Origin {
            protocol: Protocol::Admin,
            source: Some("127.0.0.1:5000".into()),
        },
    }
}

/// A request from the system administrator (authenticated for real).
pub fn system(dir: &Directory) -> Request {
    let admin = dir.store().read(|tx| tx.system_admin()).unwrap().unwrap();
    let actor = Actor {
        kind: dirgate::directory::acl::ActorKind::System,
        id: Some(admin.id),
        name: admin.login,
    };
    as_actor(actor)
}

/// Creates an active user with password `pw` in `org` (as the system administrator).
pub fn active_user(dir: &Directory, login: &str, org: Option<&str>) -> User {
    let new = NewUser {
        org: org.map(|o| OrgRef::Name(o.into())),
        state: Lifecycle::Active,
        password: Some(NewPassword::Plain("pw".into())),
        ..NewUser::new(login)
    };
    dir.create_user(&system(dir), new).unwrap()
}

/// Logs in as `login` with password `pw` and returns its request.
pub fn login(dir: &Directory, login: &str) -> Request {
    let anon = as_actor(Actor::anonymous());
    let actor = dir
        .authenticate(&anon, &Principal::Login(login.into()), "pw")
        .unwrap_or_else(|e| panic!("login {login}: {e}"));
    // The bind's audit event goes through the journal: commit it now, so
    // tests that count events see it before what they do next.
    dir.flush_journal();
    as_actor(actor)
}
