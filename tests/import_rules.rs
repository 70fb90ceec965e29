//! The rules a confirmed import keeps, through the core on a real store: a
//! delegated administrator imports only into its own organization; only the
//! previewer and the system administrator see or confirm a preview; seats are
//! checked per organization for the file as a whole; a failure in the middle
//! of the apply leaves nothing; a change since the preview refuses the confirm.

mod common;
#[path = "common/imports.rs"]
mod imports_helpers;

use common::*;
use dirgate::directory::Error;
use dirgate::directory::imports::RowAction;
use dirgate::directory::users::NewUser;
use dirgate::import::ImportError;
use dirgate::store::StoreError;
use imports_helpers::*;

#[test]
fn a_delegate_imports_only_into_its_own_organization() {
    let f = fixture();
    let sys = system(&f.dir);
    f.dir.set_seats(&sys, "Acme-A", 10).unwrap();
    let del = active_user(&f.dir, "del@example.com", Some("Acme-A"));
    f.dir.set_delegate(&sys, del.id, true).unwrap();
    active_user(&f.dir, "bea@example.com", Some("Acme-B"));
    let req = login(&f.dir, "del@example.com");
    let i = imports(&f);
    let before = last_seq(&f);
    let p = preview(
        &i,
        &req,
        &[
            "nia@example.com,Acme-A,False,nia@example.com", // 2: fine
            "oli@example.com,Acme-B,False,oli@example.com", // 3: other org
            "bea@example.com,Acme-A,False,bea@example.com", // 4: steals from B
            "pat@example.com,Acme-A,True,pat@example.com",  // 5: appoints a delegate
        ],
    );
    has_error(
        &p,
        3,
        "Organization Unit",
        // Out of the delegate's reach: as if it did not exist.
        "organization 'Acme-B' does not exist",
    );
    has_error(
        &p,
        4,
        "Organization Unit",
        "login bea@example.com already exists",
    );
    has_error(&p, 5, "OU Admin", "may not appoint");
    assert_eq!(p.counts.creates, 1);
    assert!(i.confirm(&req, p.id).is_err());
    only_refusal_logged(&f, before, "3 invalid row(s)");
    assert_eq!(last_event(&f).actor, "del@example.com");
    assert!(user(&f, "nia@example.com").is_none());

    // Its own organization's rows alone go through.
    let p = preview(&i, &req, &["nia@example.com,Acme-A,False,nia@example.com"]);
    i.confirm(&req, p.id).unwrap();
    assert_eq!(
        user(&f, "nia@example.com").unwrap().org,
        Some(org_id(&f, "Acme-A"))
    );
    let events = f.dir.store().read(|tx| tx.changes(0, 10_000)).unwrap();
    assert_eq!(events.last().unwrap().actor, "del@example.com");

    // The system administrator may name any organization.
    let p = preview(&i, &sys, &["oli@example.com,Acme-B,False,oli@example.com"]);
    assert!(p.errors.is_empty(), "{:?}", errors(&p));
}

#[test]
fn only_the_previewer_and_the_system_administrator_see_and_confirm_a_preview() {
    let f = fixture();
    let sys = system(&f.dir);
    let del = active_user(&f.dir, "del@example.com", Some("Acme-A"));
    f.dir.set_delegate(&sys, del.id, true).unwrap();
    let other = active_user(&f.dir, "other@example.com", Some("Acme-A"));
    f.dir.set_delegate(&sys, other.id, true).unwrap();
    let (d, o) = (
        login(&f.dir, "del@example.com"),
        login(&f.dir, "other@example.com"),
    );
    let i = imports(&f);
    let p = preview(&i, &d, &["nia@example.com,Acme-A,False,nia@example.com"]);
    assert!(matches!(i.get(&o, p.id), Err(ImportError::NotFound(_))));
    assert!(matches!(i.confirm(&o, p.id), Err(ImportError::NotFound(_))));
    assert!(matches!(
        i.report_csv(&o, p.id),
        Err(ImportError::NotFound(_))
    ));
    assert!(user(&f, "nia@example.com").is_none());
    assert_eq!(i.get(&d, p.id).unwrap().id, p.id);
    i.confirm(&sys, p.id).unwrap();
    assert!(user(&f, "nia@example.com").is_some());
    let unknown = uuid::Uuid::new_v4();
    assert!(matches!(
        i.get(&sys, unknown),
        Err(ImportError::NotFound(_))
    ));
}

#[test]
fn seats_are_checked_per_organization_for_the_file_as_a_whole() {
    let f = fixture();
    let sys = system(&f.dir);
    // Acme-A: 3 seats, all used.
    for n in ["a1", "a2", "a3"] {
        active_user(&f.dir, &format!("{n}@example.com"), Some("Acme-A"));
    }
    let i = imports(&f);
    // A create in A before the row that frees a seat there: fine as a whole.
    let p = preview(
        &i,
        &sys,
        &[
            "new@example.com,Acme-A,False,new@example.com",
            "a1@example.com,Acme-B,False,a1@example.com",
        ],
    );
    assert!(p.errors.is_empty(), "{:?}", errors(&p));
    let a = p
        .plan
        .seats
        .iter()
        .find(|s| s.organization == "Acme-A")
        .unwrap();
    assert_eq!((a.used, a.after, a.ok), (3, 3, true));
    i.confirm(&sys, p.id).unwrap();
    assert_eq!(
        user(&f, "new@example.com").unwrap().org,
        Some(org_id(&f, "Acme-A"))
    );

    // Two more creates in the full A: both past its seats, both errors.
    let p = preview(
        &i,
        &sys,
        &[
            "x1@example.com,Acme-A,False,x1@example.com",
            "x2@example.com,Acme-B,False,x2@example.com",
            "x3@example.com,Acme-A,False,x3@example.com",
        ],
    );
    has_error(&p, 2, "Organization Unit", "no free seat");
    has_error(&p, 4, "Organization Unit", "no free seat");
    let a = p
        .plan
        .seats
        .iter()
        .find(|s| s.organization == "Acme-A")
        .unwrap();
    assert!(!a.ok);
    assert_eq!(p.counts.creates, 1);
    assert!(i.confirm(&sys, p.id).is_err());
    assert!(user(&f, "x2@example.com").is_none());
}

#[test]
fn a_failure_in_the_middle_of_the_apply_leaves_nothing() {
    // Numbers run out after four: the probe and two imported users take
    // them, so the third create fails inside the transaction, after two
    // succeeded. (Allocation skips numbers in use, so a clash cannot be
    // staged any more.)
    let f = fixture_numbered_from(u32::MAX - 3);
    let sys = system(&f.dir);
    f.dir.set_seats(&sys, "Acme-A", 10).unwrap();
    f.dir
        .create_user(&sys, NewUser::new("probe@example.com"))
        .unwrap();

    let i = imports(&f);
    let p = preview(
        &i,
        &sys,
        &[
            "r1@example.com,Acme-A,False,r1@example.com",
            "r2@example.com,Acme-A,False,r2@example.com",
            "r3@example.com,Acme-A,False,r3@example.com",
        ],
    );
    assert!(p.errors.is_empty(), "{:?}", errors(&p));
    let before = last_seq(&f);
    let err = i.confirm(&sys, p.id).unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::Directory(Error::Store(StoreError::Exhausted(_)))
        ),
        "{err}"
    );
    for n in ["r1", "r2", "r3"] {
        assert!(user(&f, &format!("{n}@example.com")).is_none(), "{n}");
    }
    only_refusal_logged(&f, before, "no id numbers left");
    let used = f
        .dir
        .store()
        .read(|tx| tx.seats_used(org_id(&f, "Acme-A")))
        .unwrap();
    assert_eq!(used, 0);
}

#[test]
fn a_change_between_preview_and_confirm_is_refused() {
    let f = fixture();
    let sys = system(&f.dir);
    let bob = active_user(&f.dir, "bob@example.com", Some("Acme-A"));
    let i = imports(&f);
    let p = preview(
        &i,
        &sys,
        &[
            "bob@example.com,Acme-A,False,bob@example.com",
            "carl@example.com,Acme-A,False,carl@example.com",
        ],
    );
    assert_eq!(p.plan.rows[0].action, RowAction::Update);
    // Meanwhile bob moves to B: the previewed update is now a move.
    f.dir
        .move_user(
            &sys,
            bob.id,
            Some(dirgate::directory::users::OrgRef::Name("Acme-B".into())),
        )
        .unwrap();
    let before = last_seq(&f);
    let err = i.confirm(&sys, p.id).unwrap_err();
    assert!(
        matches!(err, ImportError::Directory(Error::Conflict(_))),
        "{err}"
    );
    assert!(
        err.to_string().contains("changed since the preview"),
        "{err}"
    );
    assert!(err.to_string().contains("line 2"), "{err}");
    only_refusal_logged(&f, before, "changed since the preview");
    assert!(user(&f, "carl@example.com").is_none());
    assert_eq!(user(&f, "bob@example.com").unwrap().email, None);
}

#[test]
fn the_policy_lets_only_the_previewer_and_the_system_administrator_manage_an_import() {
    use dirgate::directory::acl::{Action, Actor, ActorKind, Policy, Target, UserPowers};
    use dirgate::directory::model::Scope;
    let me = uuid::Uuid::from_u128(1);
    let org = uuid::Uuid::from_u128(0xA);
    let mine = Target {
        subject: Some(me),
        ..Target::default()
    };
    let theirs = Target {
        subject: Some(uuid::Uuid::from_u128(2)),
        ..Target::default()
    };
    let delegate = Actor {
        kind: ActorKind::User(UserPowers {
            org: Some(org),
            delegate: true,
            ..UserPowers::default()
        }),
        id: Some(me),
        name: "me".into(),
    };
    let system = Actor {
        kind: ActorKind::System,
        id: Some(uuid::Uuid::from_u128(9)),
        name: "admin".into(),
    };
    let token = Actor {
        kind: ActorKind::Token {
            scope: Scope::Server,
        },
        id: Some(me),
        name: "token".into(),
    };
    let p = Policy::default();
    let may = |a: &Actor, t: &Target| p.authorize(a, Action::ManageImport, t).is_ok();
    assert!(may(&delegate, &mine));
    assert!(!may(&delegate, &theirs));
    assert!(!may(&delegate, &Target::default()), "no owner: system only");
    assert!(may(&system, &theirs));
    assert!(!may(&token, &mine));
    assert!(!may(&Actor::anonymous(), &Target::default()));
}

#[test]
fn an_expired_preview_is_gone_and_cannot_be_confirmed() {
    let f = fixture();
    let sys = system(&f.dir);
    let cfg = dirgate::import::ImportConfig {
        preview_ttl: std::time::Duration::ZERO,
        ..Default::default()
    };
    let i = dirgate::import::Imports::new(f.dir.clone(), cfg);
    let p = preview(&i, &sys, &["tom@example.com,Acme-A,False,tom@example.com"]);
    assert!(matches!(i.get(&sys, p.id), Err(ImportError::NotFound(_))));
    assert!(matches!(
        i.confirm(&sys, p.id),
        Err(ImportError::NotFound(_))
    ));
    assert!(user(&f, "tom@example.com").is_none());
}

#[test]
fn the_organization_administrator_appoints_and_removes_delegates_by_file() {
    let f = fixture();
    let sys = system(&f.dir);
    let boss = active_user(&f.dir, "boss@example.com", Some("Acme-A"));
    f.dir.appoint_org_admin(&sys, "Acme-A", boss.id).unwrap();
    let old = active_user(&f.dir, "old@example.com", Some("Acme-A"));
    f.dir.set_delegate(&sys, old.id, true).unwrap();
    let req = login(&f.dir, "boss@example.com");
    let i = imports(&f);
    let p = preview(
        &i,
        &req,
        &[
            "old@example.com,Acme-A,False,old@example.com",
            "new@example.com,Acme-A,True,new@example.com",
        ],
    );
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(
        (p.counts.delegate_grants, p.counts.delegate_revocations),
        (1, 1)
    );
    i.confirm(&req, p.id).unwrap();
    assert!(!user(&f, "old@example.com").unwrap().flags.delegate);
    assert!(user(&f, "new@example.com").unwrap().flags.delegate);
    // Its rights stop at its organization's edge.
    let p = preview(&i, &req, &["far@example.com,Acme-B,True,far@example.com"]);
    assert_eq!(p.counts.invalid, 1);
}
