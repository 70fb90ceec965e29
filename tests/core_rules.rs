//! The directory's rules, each checked through the core's use cases on a real
//! store: one organization per user and moves, rights stripped by a move,
//! non-empty organizations, seats, removal without deletion, the Organization
//! Administrator's delegates and recovery code, uniqueness, and the audit trail.

mod common;

use common::*;
use dirgate::directory::Error;
use dirgate::directory::audit::Outcome;
use dirgate::directory::auth::Principal;
use dirgate::directory::model::{AccountFlags, Lifecycle, Member, Right, Scope, TokenKind};
use dirgate::directory::orgs::NewOrg;
use dirgate::directory::roles::NewRole;
use dirgate::directory::users::{NewPassword, NewUser, OrgRef, UserChanges};

fn org_id(f: &Fixture, name: &str) -> uuid::Uuid {
    f.dir.get_org(&system(&f.dir), name).unwrap().id
}

#[test]
fn a_user_is_in_one_organization_and_assigning_it_elsewhere_moves_it() {
    let f = fixture();
    let sys = system(&f.dir);
    let u = active_user(&f.dir, "alice@example.com", Some("Acme-A"));
    let (a, b) = (org_id(&f, "Acme-A"), org_id(&f, "Acme-B"));
    let moved = f
        .dir
        .move_user(&sys, u.id, Some(OrgRef::Name("acme-b".into())))
        .unwrap();
    assert_eq!(moved.org, Some(b));
    assert_eq!(moved.id, u.id);
    let (in_a, in_b) = f
        .dir
        .store()
        .read(|tx| Ok::<_, Error>((tx.users_in(Some(a))?, tx.users_in(Some(b))?)))
        .unwrap();
    assert!(in_a.is_empty());
    assert_eq!(in_b, vec![u.id]);
}

#[test]
fn a_move_strips_every_right_held_in_the_old_organization() {
    let f = fixture();
    let sys = system(&f.dir);
    let u = active_user(&f.dir, "boss@example.com", Some("Acme-A"));
    f.dir.appoint_org_admin(&sys, "Acme-A", u.id).unwrap();
    f.dir.set_delegate(&sys, u.id, true).unwrap();
    let role = f
        .dir
        .create_role(
            &sys,
            NewRole {
                name: "Managers".into(),
                org: Some(OrgRef::Name("Acme-A".into())),
                rights: vec![Right::UserManagement],
                ..NewRole::default()
            },
        )
        .unwrap();
    f.dir.add_member(&sys, role.id, Member::User(u.id)).unwrap();
    let before = login(&f.dir, "boss@example.com");
    let target_a = dirgate::directory::acl::Target::org(Some(org_id(&f, "Acme-A")));
    let policy = f.dir.policy().clone();
    use dirgate::directory::acl::Action;
    assert!(
        policy
            .authorize(&before.actor, Action::CreateUser, &target_a)
            .is_ok()
    );

    let moved = f
        .dir
        .move_user(&sys, u.id, Some(OrgRef::Name("Acme-B".into())))
        .unwrap();
    assert!(!moved.flags.delegate);
    assert!(moved.recovery.is_none());
    assert_eq!(f.dir.get_org(&sys, "Acme-A").unwrap().admin, None);
    let member_of = f.dir.store().read(|tx| tx.member_of(u.id)).unwrap();
    assert!(member_of.is_empty(), "still in {member_of:?}");
    let after = login(&f.dir, "boss@example.com");
    for action in [Action::CreateUser, Action::Read, Action::AppointDelegate] {
        assert!(
            policy.authorize(&after.actor, action, &target_a).is_err(),
            "{action:?}"
        );
    }
}

#[test]
fn deleting_an_organization_is_refused_while_it_has_members_or_roles() {
    let f = fixture();
    let sys = system(&f.dir);
    let u = active_user(&f.dir, "carol@example.com", Some("Acme-A"));
    let err = f.dir.delete_org(&sys, "Acme-A").unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err}");
    assert!(err.to_string().contains("1 user(s) and 0 role(s)"), "{err}");
    f.dir.move_user(&sys, u.id, None).unwrap();
    let role = f
        .dir
        .create_role(
            &sys,
            NewRole {
                name: "Staff".into(),
                org: Some(OrgRef::Name("Acme-A".into())),
                ..NewRole::default()
            },
        )
        .unwrap();
    let err = f.dir.delete_org(&sys, "Acme-A").unwrap_err();
    assert!(err.to_string().contains("0 user(s) and 1 role(s)"), "{err}");
    f.dir.delete_role(&sys, role.id).unwrap();
    f.dir.delete_org(&sys, "Acme-A").unwrap();
    assert!(matches!(
        f.dir.get_org(&sys, "Acme-A"),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn seats_cap_non_disabled_users_and_disabling_frees_one() {
    let f = fixture();
    let sys = system(&f.dir);
    let users: Vec<_> = (1..=3)
        .map(|i| active_user(&f.dir, &format!("u{i}@example.com"), Some("Acme-A")))
        .collect();
    let fourth = NewUser {
        org: Some(OrgRef::Name("Acme-A".into())),
        ..NewUser::new("u4@example.com")
    };
    let err = f.dir.create_user(&sys, fourth.clone()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::SeatsExhausted {
                used: 3,
                seats: 3,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("no free seat"), "{err}");
    assert!(f.dir.get_user_by_login(&sys, "u4@example.com").is_err());

    let disable = UserChanges {
        state: Some(Lifecycle::Disabled),
        ..UserChanges::default()
    };
    f.dir.update_user(&sys, users[0].id, disable).unwrap();
    f.dir.create_user(&sys, fourth).unwrap();
    // The disabled user keeps its record and history.
    let kept = f.dir.get_user(&sys, users[0].id).unwrap();
    assert_eq!(kept.state, Lifecycle::Disabled);
    assert_eq!(kept.org, Some(org_id(&f, "Acme-A")));
    // Re-enabling needs a seat again; moving into a full organization too.
    let enable = UserChanges {
        state: Some(Lifecycle::Active),
        ..UserChanges::default()
    };
    assert!(matches!(
        f.dir.update_user(&sys, users[0].id, enable),
        Err(Error::SeatsExhausted { .. })
    ));
    let outsider = active_user(&f.dir, "out@example.com", None);
    assert!(matches!(
        f.dir
            .move_user(&sys, outsider.id, Some(OrgRef::Name("Acme-A".into()))),
        Err(Error::SeatsExhausted { .. })
    ));
    let used = f
        .dir
        .store()
        .read(|tx| tx.seats_used(org_id(&f, "Acme-A")))
        .unwrap();
    assert_eq!(used, 3);
}

#[test]
fn removing_a_user_from_its_organization_does_not_delete_it() {
    let f = fixture();
    let sys = system(&f.dir);
    let u = active_user(&f.dir, "dave@example.com", Some("Acme-A"));
    let out = f.dir.move_user(&sys, u.id, None).unwrap();
    assert_eq!(out.org, None);
    let again = f.dir.get_user_by_login(&sys, "DAVE@example.com").unwrap();
    assert_eq!(again.id, u.id);
    assert_eq!(
        f.dir.store().read(|tx| tx.users_in(None)).unwrap(),
        vec![u.id]
    );
    login(&f.dir, "dave@example.com");
}

#[test]
fn the_organization_administrator_appoints_and_removes_delegates() {
    let f = fixture();
    let sys = system(&f.dir);
    let boss = active_user(&f.dir, "boss@example.com", Some("Acme-A"));
    let staff = active_user(&f.dir, "staff@example.com", Some("Acme-A"));
    let other = active_user(&f.dir, "other@example.com", Some("Acme-B"));
    f.dir.appoint_org_admin(&sys, "Acme-A", boss.id).unwrap();
    let boss_req = login(&f.dir, "boss@example.com");
    assert!(
        f.dir
            .set_delegate(&boss_req, staff.id, true)
            .unwrap()
            .flags
            .delegate
    );
    // The delegate cannot appoint further delegates, nor act on its administrator.
    let staff_req = login(&f.dir, "staff@example.com");
    let plain = active_user(&f.dir, "plain@example.com", Some("Acme-A"));
    assert!(matches!(
        f.dir.set_delegate(&staff_req, plain.id, true),
        Err(Error::Denied(_))
    ));
    let rename = UserChanges {
        display_name: Some(Some("Boss".into())),
        ..UserChanges::default()
    };
    assert!(matches!(
        f.dir.update_user(&staff_req, boss.id, rename),
        Err(Error::Denied(_))
    ));
    // Nor can the Organization Administrator appoint in another organization.
    assert!(matches!(
        f.dir.set_delegate(&boss_req, other.id, true),
        Err(Error::Hidden { .. })
    ));
    assert!(
        !f.dir
            .set_delegate(&boss_req, staff.id, false)
            .unwrap()
            .flags
            .delegate
    );
    // A plain user cannot become Organization Administrator of an organization it is not in.
    assert!(matches!(
        f.dir.appoint_org_admin(&sys, "Acme-B", staff.id),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        f.dir.appoint_org_admin(&boss_req, "Acme-A", staff.id),
        Err(Error::Denied(_))
    ));
}

#[test]
fn the_recovery_code_is_shown_once_stored_hashed_and_resets_the_password_once() {
    let f = fixture();
    let sys = system(&f.dir);
    let boss = active_user(&f.dir, "boss@example.com", Some("Acme-A"));
    let code = f.dir.appoint_org_admin(&sys, "Acme-A", boss.id).unwrap();
    let stored = f.dir.get_user(&sys, boss.id).unwrap().recovery.unwrap();
    assert!(!stored.0.contains(&code.0));
    assert!(stored.0.starts_with("$argon2id$"));
    let anon = as_actor(dirgate::directory::acl::Actor::anonymous());
    let next = f
        .dir
        .reset_with_recovery_code(&anon, "boss@example.com", &code.0, "new-pass")
        .unwrap();
    assert_ne!(next.0, code.0);
    f.dir
        .authenticate(
            &anon,
            &Principal::Login("boss@example.com".into()),
            "new-pass",
        )
        .unwrap();
    assert!(matches!(
        f.dir
            .reset_with_recovery_code(&anon, "boss@example.com", &code.0, "again"),
        Err(Error::InvalidCredentials)
    ));
    assert!(matches!(
        f.dir
            .reset_with_recovery_code(&anon, "staff@example.com", "x", "again"),
        Err(Error::InvalidCredentials)
    ));
}

#[test]
fn names_are_unique_ignoring_case_and_follow_their_rules() {
    let f = fixture();
    let sys = system(&f.dir);
    active_user(&f.dir, "Erin@Example.com", Some("Acme-A"));
    let dup = f
        .dir
        .create_user(&sys, NewUser::new("erin@EXAMPLE.COM"))
        .unwrap_err();
    assert!(matches!(dup, Error::Exists(_)), "{dup}");
    let no_suffix = f
        .dir
        .create_user(&sys, NewUser::new("erin@nowhere.org"))
        .unwrap_err();
    assert!(
        no_suffix.to_string().contains("does not exist"),
        "{no_suffix}"
    );
    let bare = f.dir.create_user(&sys, NewUser::new("erin")).unwrap_err();
    assert!(bare.to_string().contains("name@suffix"), "{bare}");
    let org = |name: &str| NewOrg {
        name: name.into(),
        seats: 1,
        description: None,
        id: None,
    };
    assert!(matches!(
        f.dir.create_org(&sys, org("acme-a")),
        Err(Error::Exists(_))
    ));
    assert!(matches!(
        f.dir.create_org(&sys, org("Acme Sales")),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        f.dir.create_org(&sys, org("services")),
        Err(Error::Invalid(_))
    ));
    let shown = f.dir.create_org(&sys, org("MiXed.Case_1")).unwrap();
    assert_eq!(shown.name, "MiXed.Case_1");
    let bad_mail = NewUser {
        email: Some("N/A".into()),
        ..NewUser::new("x@example.com")
    };
    assert!(matches!(
        f.dir.create_user(&sys, bad_mail),
        Err(Error::Invalid(_))
    ));
}

#[test]
fn bare_logins_pass_only_when_the_setting_allows_them() {
    let tmp = tempfile::tempdir().unwrap();
    let store = dirgate::store::Store::open(&tmp.path().join("s.redb"), 500).unwrap();
    let settings = dirgate::directory::Settings {
        require_suffix: false,
        ..cheap_settings()
    };
    let dir = dirgate::directory::Directory::new(store, settings).unwrap();
    dir.bootstrap().unwrap();
    let u = dir
        .create_user(&system(&dir), NewUser::new("bjensen"))
        .unwrap();
    assert_eq!(u.uid_number, 500);
}

#[test]
fn uid_and_gid_numbers_are_allocated_and_unique() {
    let f = fixture();
    let a = active_user(&f.dir, "n1@example.com", None);
    let b = active_user(&f.dir, "n2@example.com", None);
    let role = f
        .dir
        .create_role(
            &system(&f.dir),
            NewRole {
                name: "g".into(),
                ..NewRole::default()
            },
        )
        .unwrap();
    assert_eq!(a.uid_number, 10_000);
    assert_eq!(a.gid_number, a.uid_number);
    assert_eq!(b.uid_number, 10_001);
    assert_eq!(role.gid_number, 10_002);
    assert_eq!(
        f.dir
            .store()
            .read(|tx| tx.user_by_uid_number(10_001))
            .unwrap(),
        Some(b.id)
    );
}

#[test]
fn imported_ssha_passwords_verify_and_are_rehashed_to_argon2id() {
    let f = fixture();
    let sys = system(&f.dir);
    let hash = dirgate::directory::password::ssha("secret", b"12345678");
    let new = NewUser {
        state: Lifecycle::Active,
        password: Some(NewPassword::Hashed(hash.clone())),
        ..NewUser::new("legacy@example.com")
    };
    let u = f.dir.create_user(&sys, new).unwrap();
    let anon = as_actor(dirgate::directory::acl::Actor::anonymous());
    let who = Principal::Login("legacy@example.com".into());
    assert!(matches!(
        f.dir.authenticate(&anon, &who, "wrong"),
        Err(Error::InvalidCredentials)
    ));
    f.dir.authenticate(&anon, &who, "secret").unwrap();
    let stored = f.dir.get_user(&sys, u.id).unwrap().password.unwrap();
    assert!(stored.0.starts_with("$argon2id$"), "not rehashed");
    f.dir.authenticate(&anon, &who, "secret").unwrap();
    // Bind by email works too when the address names one account.
    let by_mail = NewUser {
        email: Some("m@example.com".into()),
        state: Lifecycle::Active,
        password: Some(NewPassword::Plain("pw".into())),
        ..NewUser::new("mail@example.com")
    };
    f.dir.create_user(&sys, by_mail).unwrap();
    f.dir
        .authenticate(&anon, &Principal::Email("M@EXAMPLE.COM".into()), "pw")
        .unwrap();
}

#[test]
fn only_active_accounts_authenticate_and_failures_look_alike() {
    let f = fixture();
    let sys = system(&f.dir);
    let new = NewUser {
        password: Some(NewPassword::Plain("pw".into())),
        ..NewUser::new("pending@example.com")
    };
    f.dir.create_user(&sys, new).unwrap();
    let anon = as_actor(dirgate::directory::acl::Actor::anonymous());
    for (who, pw) in [
        (Principal::Login("pending@example.com".into()), "pw"),
        (Principal::Login("nobody@example.com".into()), "pw"),
        (Principal::Login("pending@example.com".into()), ""),
    ] {
        let err = f.dir.authenticate(&anon, &who, pw).unwrap_err();
        assert_eq!(err.to_string(), "invalid credentials");
    }
}

#[test]
fn tokens_are_stored_hashed_shown_once_and_revocable() {
    let f = fixture();
    let sys = system(&f.dir);
    let a = org_id(&f, "Acme-A");
    let issued = f
        .dir
        .issue_token(&sys, TokenKind::Scim, Scope::Org(a), None)
        .unwrap();
    let stored = f
        .dir
        .store()
        .read(|tx| tx.token(issued.record.id))
        .unwrap()
        .unwrap();
    // The whole random part after the `dgt_` prefix (base64url may itself
    // hold `_`: the last `_`-separated piece can be a letter or two, which
    // any record may contain by chance).
    let random = issued.secret.split_once('_').unwrap().1;
    assert!(random.len() >= 16, "{}", issued.secret);
    assert!(!format!("{stored:?}").contains(random));
    let actor = f.dir.authenticate_token(&issued.secret).unwrap();
    assert_eq!(
        actor.kind,
        dirgate::directory::acl::ActorKind::Token {
            scope: Scope::Org(a)
        }
    );
    let mut wrong = issued.secret.clone();
    wrong.push('x');
    assert!(f.dir.authenticate_token(&wrong).is_err());
    assert!(f.dir.authenticate_token("dgt_garbage").is_err());
    // An organization token creates users in its own organization only.
    let token_req = as_actor(actor);
    let u = f
        .dir
        .create_user(&token_req, NewUser::new("idp@example.com"))
        .unwrap();
    assert_eq!(u.org, Some(a));
    let elsewhere = NewUser {
        org: Some(OrgRef::Name("Acme-B".into())),
        ..NewUser::new("idp2@example.com")
    };
    assert!(matches!(
        f.dir.create_user(&token_req, elsewhere),
        Err(Error::Hidden { .. })
    ));
    f.dir.revoke_token(&sys, issued.record.id).unwrap();
    assert!(f.dir.authenticate_token(&issued.secret).is_err());
}

#[test]
fn rights_cannot_be_escalated_and_roles_do_not_nest_in_cycles() {
    let f = fixture();
    let sys = system(&f.dir);
    let rm = active_user(&f.dir, "rm@example.com", Some("Acme-A"));
    let admins = f
        .dir
        .create_role(
            &sys,
            NewRole {
                name: "RoleAdmins".into(),
                org: Some(OrgRef::Name("Acme-A".into())),
                rights: vec![Right::RoleManagement],
                ..NewRole::default()
            },
        )
        .unwrap();
    f.dir
        .add_member(&sys, admins.id, Member::User(rm.id))
        .unwrap();
    let rm_req = login(&f.dir, "rm@example.com");
    let grab = NewRole {
        name: "Power".into(),
        rights: vec![Right::UserManagement],
        ..NewRole::default()
    };
    assert!(matches!(
        f.dir.create_role(&rm_req, grab),
        Err(Error::Denied(_))
    ));
    let plain = f
        .dir
        .create_role(
            &rm_req,
            NewRole {
                name: "Plain".into(),
                ..NewRole::default()
            },
        )
        .unwrap();
    assert_eq!(plain.org, Some(org_id(&f, "Acme-A")));
    // Nest Plain inside RoleAdmins, then refuse the cycle back.
    f.dir
        .add_member(&rm_req, admins.id, Member::Role(plain.id))
        .unwrap();
    let cycle = f
        .dir
        .add_member(&sys, plain.id, Member::Role(admins.id))
        .unwrap_err();
    assert!(cycle.to_string().contains("cycle"), "{cycle}");
    // Members of Plain now inherit role-management, so only its holders may add them.
    let nested = active_user(&f.dir, "nested@example.com", Some("Acme-A"));
    f.dir
        .add_member(&rm_req, plain.id, Member::User(nested.id))
        .unwrap();
    let closure = f
        .dir
        .store()
        .read(|tx| dirgate::directory::roles::member_of_closure(tx, nested.id, 16))
        .unwrap();
    assert_eq!(closure.len(), 2);
    // An organization's role holds only its own users.
    let foreigner = active_user(&f.dir, "far@example.com", Some("Acme-B"));
    assert!(matches!(
        f.dir.add_member(&sys, plain.id, Member::User(foreigner.id)),
        Err(Error::Invalid(_))
    ));
}

#[test]
fn every_refusal_and_every_password_check_is_audited() {
    let f = fixture();
    let staff = active_user(&f.dir, "staff@example.com", Some("Acme-A"));
    let staff_req = login(&f.dir, "staff@example.com");
    let anon = as_actor(dirgate::directory::acl::Actor::anonymous());
    let _ = f
        .dir
        .authenticate(&anon, &Principal::Login("staff@example.com".into()), "bad");
    let sneaky = NewOrg {
        name: "Mine".into(),
        seats: 1,
        description: None,
        id: None,
    };
    assert!(matches!(
        f.dir.create_org(&staff_req, sneaky),
        Err(Error::Denied(_))
    ));
    // Bind events are written by the journal thread; wait for it.
    f.dir.flush_journal();
    let events = f.dir.store().read(|tx| tx.changes(0, 1000)).unwrap();
    let find = |action: &str, outcome: Outcome| {
        events
            .iter()
            .any(|e| e.action == action && e.outcome == outcome)
    };
    assert!(find("bind", Outcome::Success));
    assert!(find("bind", Outcome::Failure));
    assert!(find("denied", Outcome::Denied));
    let denied = events
        .iter()
        .find(|e| e.outcome == Outcome::Denied)
        .unwrap();
    assert_eq!(denied.actor, "staff@example.com");
    assert_eq!(denied.actor_id, Some(staff.id));
    assert_eq!(denied.source.as_deref(), Some("127.0.0.1:5000"));
    assert!(
        events
            .iter()
            .any(|e| e.action == "user.create" && e.target == "staff@example.com")
    );
    assert!(events.windows(2).all(|w| w[0].seq < w[1].seq));
    assert!(f.dir.get_org(&system(&f.dir), "Mine").is_err());
}

#[test]
fn flags_are_stored_and_the_delegate_flag_is_an_appointment() {
    let f = fixture();
    let sys = system(&f.dir);
    let u = active_user(&f.dir, "flags@example.com", Some("Acme-A"));
    let flags = AccountFlags {
        cloud_recovery: true,
        storage_quota: Some(5 << 30),
        ..AccountFlags::default()
    };
    let changes = UserChanges {
        flags: Some(flags.clone()),
        ..UserChanges::default()
    };
    let changed = f.dir.update_user(&sys, u.id, changes).unwrap();
    assert_eq!(changed.flags, flags);
    assert!(changed.version > u.version);
    let outsider = active_user(&f.dir, "nobody-org@example.com", None);
    assert!(matches!(
        f.dir.set_delegate(&sys, outsider.id, true),
        Err(Error::Invalid(_))
    ));
}

#[test]
fn failed_password_checks_lock_the_account_until_someone_with_the_right_unlocks_it() {
    let tmp = tempfile::tempdir().unwrap();
    let store = dirgate::store::Store::open(&tmp.path().join("s.redb"), 100).unwrap();
    let settings = dirgate::directory::Settings {
        lockout: dirgate::directory::LockoutPolicy {
            threshold: 3,
            window: 60_000,
            duration: 0,
        },
        ..cheap_settings()
    };
    let dir = dirgate::directory::Directory::new(store, settings).unwrap();
    dir.bootstrap().unwrap();
    let sys = system(&dir);
    dir.add_suffix(&sys, "example.com").unwrap();
    for name in ["Acme-A", "Acme-B"] {
        let new = NewOrg {
            name: name.into(),
            seats: 5,
            description: None,
            id: None,
        };
        dir.create_org(&sys, new).unwrap();
    }
    let victim = active_user(&dir, "victim@example.com", Some("Acme-A"));
    let helper_a = active_user(&dir, "help-a@example.com", Some("Acme-A"));
    let helper_b = active_user(&dir, "help-b@example.com", Some("Acme-B"));
    for (helper, org) in [(&helper_a, "Acme-A"), (&helper_b, "Acme-B")] {
        let role = NewRole {
            name: "Helpdesk".into(),
            org: Some(OrgRef::Name(org.into())),
            rights: vec![Right::AccountUnlock],
            ..NewRole::default()
        };
        let role = dir.create_role(&sys, role).unwrap();
        dir.add_member(&sys, role.id, Member::User(helper.id))
            .unwrap();
    }
    let anon = as_actor(dirgate::directory::acl::Actor::anonymous());
    let who = Principal::Login("victim@example.com".into());
    for _ in 0..3 {
        assert!(dir.authenticate(&anon, &who, "wrong").is_err());
    }
    dir.flush_journal();
    let locked = dir.get_user(&sys, victim.id).unwrap();
    assert!(locked.lockout.locked_at.is_some());
    assert_eq!(locked.lockout.failures.len(), 3);
    // The right password no longer works while locked.
    assert!(matches!(
        dir.authenticate(&anon, &who, "pw"),
        Err(Error::InvalidCredentials)
    ));
    // The helpdesk of another organization may not unlock it; its own may.
    let b = login(&dir, "help-b@example.com");
    assert!(matches!(
        dir.unlock_user(&b, victim.id),
        Err(Error::Hidden { .. })
    ));
    let a = login(&dir, "help-a@example.com");
    assert!(
        dir.unlock_user(&a, victim.id)
            .unwrap()
            .lockout
            .locked_at
            .is_none()
    );
    dir.authenticate(&anon, &who, "pw").unwrap();
    dir.flush_journal();
    let events = dir.store().read(|tx| tx.changes(0, 10_000)).unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.action == "user.locked" && e.target == "victim@example.com")
    );
    assert!(
        events
            .iter()
            .any(|e| e.action == "user.unlock" && e.actor == "help-a@example.com")
    );
}

#[test]
fn locks_expire_and_old_failures_fall_out_of_the_window() {
    use dirgate::directory::LockoutPolicy;
    use dirgate::directory::model::Lockout;
    let policy = LockoutPolicy {
        threshold: 2,
        window: 1_000,
        duration: 5_000,
    };
    let mut l = Lockout::default();
    assert!(!policy.record_failure(&mut l, 0));
    assert!(
        !policy.record_failure(&mut l, 2_000),
        "the first failure left the window"
    );
    assert!(policy.record_failure(&mut l, 2_500));
    assert!(policy.is_locked(&l, 7_499));
    assert!(!policy.is_locked(&l, 7_500));
    assert!(
        !policy.record_failure(&mut l, 8_000),
        "an expired lock starts afresh"
    );
    assert_eq!(l.failures, vec![8_000]);
    let off = LockoutPolicy {
        threshold: 0,
        ..policy
    };
    let mut l = Lockout::default();
    for t in 0..10 {
        assert!(!off.record_failure(&mut l, t));
    }
}
