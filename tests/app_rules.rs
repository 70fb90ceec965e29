//! The rules of applications and access requests, on the core with a real
//! store: who sees an organization's application, which roles may carry
//! one, who approves into which role, withdrawal, expiry, moves and
//! deletions closing what they leave behind.

mod common;

use common::{active_user, fixture, login, system};
use dirgate::directory::Error;
use dirgate::directory::apps::requests::{Decision, RequestQuery};
use dirgate::directory::apps::{NewApp, OrgSettingsChanges};
use dirgate::directory::model::{Member, RequestState, Right};
use dirgate::directory::roles::NewRole;
use dirgate::directory::users::OrgRef;
use dirgate::directory::{Directory, Request};
use uuid::Uuid;

fn app(dir: &Directory, req: &Request, name: &str, org: Option<&str>) -> Uuid {
    let new = NewApp {
        name: name.into(),
        org: org.map(|o| OrgRef::Name(o.into())),
        requestable: true,
        ..NewApp::default()
    };
    dir.create_app(req, new).unwrap().id
}

fn role(dir: &Directory, name: &str, org: &str, rights: Vec<Right>) -> Uuid {
    let new = NewRole {
        name: name.into(),
        org: Some(OrgRef::Name(org.into())),
        rights,
        ..NewRole::default()
    };
    dir.create_role(&system(dir), new).unwrap().id
}

fn org_id(dir: &Directory, name: &str) -> Uuid {
    dir.get_org(&system(dir), name).unwrap().id
}

#[test]
fn an_organizations_application_is_hidden_from_other_organizations() {
    let f = fixture();
    let sys = system(&f.dir);
    let a_admin = active_user(&f.dir, "ann@example.com", Some("Acme-A"));
    let b_admin = active_user(&f.dir, "ben@example.com", Some("Acme-B"));
    f.dir.set_delegate(&sys, a_admin.id, true).unwrap();
    f.dir.set_delegate(&sys, b_admin.id, true).unwrap();
    let ann = login(&f.dir, "ann@example.com");
    let ben = login(&f.dir, "ben@example.com");
    // A delegate's application lands in its own organization.
    let wiki = app(&f.dir, &ann, "wiki", None);
    assert_eq!(
        f.dir.get_app(&ann, wiki).unwrap().org,
        Some(org_id(&f.dir, "Acme-A"))
    );
    let hidden = f.dir.get_app(&ben, wiki).unwrap_err().to_string();
    let missing = Uuid::new_v4();
    let absent = f.dir.get_app(&ben, missing).unwrap_err().to_string();
    assert_eq!(
        hidden.replace(&wiki.to_string(), "X"),
        absent.replace(&missing.to_string(), "X")
    );
    assert!(f.dir.list_apps(&ben).unwrap().is_empty());
    // A server-wide application is everyone's to see, and only the system
    // administrator's to make.
    let denied = f.dir.create_app(
        &ann,
        NewApp {
            name: "mail".into(),
            org: Some(OrgRef::NoOrg),
            ..NewApp::default()
        },
    );
    assert!(matches!(denied, Err(Error::Denied(_))), "{denied:?}");
    app(&f.dir, &sys, "mail", None);
    assert_eq!(f.dir.list_apps(&ben).unwrap().len(), 1);
    // A role of B cannot carry A's application (B does not know it), and
    // the system administrator is told why.
    let b_role = role(&f.dir, "B-Team", "Acme-B", vec![]);
    let refused = f.dir.add_role_app(&ben, b_role, wiki).unwrap_err();
    assert!(refused.is_not_found(), "{refused:?}");
    let refused = f.dir.add_role_app(&sys, b_role, wiki).unwrap_err();
    assert!(matches!(refused, Error::Invalid(_)), "{refused:?}");
    // The same name may exist in another owner.
    app(&f.dir, &ben, "wiki", None);
}

#[test]
fn approvers_act_in_their_organization_and_never_grant_rights_they_lack() {
    let f = fixture();
    let sys = system(&f.dir);
    let ivy = active_user(&f.dir, "ivy@example.com", Some("Acme-A"));
    let _ = active_user(&f.dir, "jo@example.com", Some("Acme-A"));
    let kim = active_user(&f.dir, "kim@example.com", Some("Acme-B"));
    let gitea = app(&f.dir, &sys, "gitea", None);
    let a = OrgRef::Name("Acme-A".into());
    // An approver must belong to the organization it approves for.
    let foreign = OrgSettingsChanges {
        approvers: Some(vec![Member::User(kim.id)]),
        ..Default::default()
    };
    let refused = f.dir.set_app_in_org(&sys, gitea, &a, foreign).unwrap_err();
    assert!(matches!(refused, Error::Invalid(_)), "{refused:?}");
    // Its role carries an administrative right.
    let admins = role(&f.dir, "Git-Admins", "Acme-A", vec![Right::UserManagement]);
    f.dir.add_role_app(&sys, admins, gitea).unwrap();
    // A default role must carry the application.
    let plain = role(&f.dir, "Plain", "Acme-A", vec![]);
    let not_carried = OrgSettingsChanges {
        default_role: Some(Some(plain)),
        ..Default::default()
    };
    let refused = f
        .dir
        .set_app_in_org(&sys, gitea, &a, not_carried)
        .unwrap_err();
    assert!(matches!(refused, Error::Invalid(_)), "{refused:?}");
    let settings = OrgSettingsChanges {
        default_role: Some(Some(admins)),
        approvers: Some(vec![Member::User(ivy.id)]),
    };
    f.dir.set_app_in_org(&sys, gitea, &a, settings).unwrap();

    let jo = login(&f.dir, "jo@example.com");
    let r = f.dir.request_app(&jo, gitea, "deploys").unwrap();
    let ivy_req = login(&f.dir, "ivy@example.com");
    // A plain approver may not put anyone in a role that carries rights.
    let denied = f
        .dir
        .decide_request(&ivy_req, r.id, Decision::Approve { role: None }, None)
        .unwrap_err();
    assert!(matches!(denied, Error::Denied(_)), "{denied:?}");
    // It may approve into a role without rights that carries the application.
    f.dir.add_role_app(&sys, plain, gitea).unwrap();
    let approve = Decision::Approve { role: Some(plain) };
    let done = f.dir.decide_request(&ivy_req, r.id, approve, None).unwrap();
    assert_eq!(done.state, RequestState::Approved);
    assert_eq!(done.role, Some(plain));
    let has = f.dir.app_users(&sys, gitea).unwrap();
    assert!(has.contains(&done.user));
    // A decided request is not decided again.
    let again = f
        .dir
        .decide_request(&ivy_req, r.id, Decision::Reject, None)
        .unwrap_err();
    assert!(matches!(again, Error::Conflict(_)), "{again:?}");
    // Someone who has the application does not ask for it.
    let asked = f.dir.request_app(&jo, gitea, "again").unwrap_err();
    assert!(matches!(asked, Error::Conflict(_)), "{asked:?}");
}

#[test]
fn requests_are_withdrawn_expire_and_close_when_their_user_moves() {
    let tmp = tempfile::tempdir().unwrap();
    let store = dirgate::store::Store::open(&tmp.path().join("t.redb"), 10_000).unwrap();
    let settings = dirgate::directory::Settings {
        request_ttl: 300,
        ..common::cheap_settings()
    };
    let dir = Directory::new(store, settings).unwrap();
    dir.bootstrap().unwrap().unwrap();
    let sys = system(&dir);
    dir.add_suffix(&sys, "example.com").unwrap();
    for name in ["Acme-A", "Acme-B"] {
        let new = dirgate::directory::orgs::NewOrg {
            name: name.into(),
            seats: 3,
            description: None,
            id: None,
        };
        dir.create_org(&sys, new).unwrap();
    }
    let lee = active_user(&dir, "lee@example.com", Some("Acme-A"));
    let boss = active_user(&dir, "boss@example.com", Some("Acme-A"));
    dir.set_delegate(&sys, boss.id, true).unwrap();
    let gitea = app(&dir, &sys, "gitea", None);
    let lee_req = login(&dir, "lee@example.com");
    let boss_req = login(&dir, "boss@example.com");

    // Only the requester withdraws.
    let r = dir.request_app(&lee_req, gitea, "one").unwrap();
    let denied = dir.withdraw_request(&boss_req, r.id).unwrap_err();
    assert!(matches!(denied, Error::Denied(_)), "{denied:?}");
    let w = dir.withdraw_request(&lee_req, r.id).unwrap();
    assert_eq!(w.state, RequestState::Withdrawn);

    // Past its time a request reads as expired, cannot be decided, and the
    // sweep closes it.
    let r = dir.request_app(&lee_req, gitea, "two").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    assert_eq!(
        dir.get_request(&boss_req, r.id).unwrap().state,
        RequestState::Expired
    );
    let late = dir
        .decide_request(&boss_req, r.id, Decision::Reject, None)
        .unwrap_err();
    assert!(matches!(late, Error::Conflict(_)), "{late:?}");
    assert_eq!(dir.expire_requests().unwrap(), 1);
    assert_eq!(dir.expire_requests().unwrap(), 0);

    // A move to another organization closes what it asked there.
    let r = dir.request_app(&lee_req, gitea, "three");
    let r = r.unwrap();
    dir.move_user(&sys, lee.id, Some(OrgRef::Name("Acme-B".into())))
        .unwrap();
    let closed = dir.get_request(&sys, r.id).unwrap();
    assert_eq!(closed.state, RequestState::Withdrawn);
    let open = RequestQuery {
        state: Some(RequestState::Pending),
        ..Default::default()
    };
    assert!(dir.list_requests(&sys, &open).unwrap().is_empty());
}

#[test]
fn deleting_the_role_takes_access_away_and_an_application_goes_only_when_no_role_carries_it() {
    let f = fixture();
    let sys = system(&f.dir);
    let ada = active_user(&f.dir, "ada@example.com", Some("Acme-A"));
    let _ = active_user(&f.dir, "max@example.com", Some("Acme-A"));
    let gitea = app(&f.dir, &sys, "gitea", None);
    let inner = role(&f.dir, "Devs", "Acme-A", vec![]);
    let outer = role(&f.dir, "Git", "Acme-A", vec![]);
    f.dir.add_member(&sys, inner, Member::User(ada.id)).unwrap();
    f.dir.add_member(&sys, outer, Member::Role(inner)).unwrap();
    f.dir.add_role_app(&sys, outer, gitea).unwrap();
    // Nested roles give the application too.
    assert_eq!(f.dir.app_users(&sys, gitea).unwrap(), vec![ada.id]);
    let max = login(&f.dir, "max@example.com");
    let pending = f.dir.request_app(&max, gitea, "builds").unwrap();
    // Refused while a role carries it.
    let refused = f.dir.delete_app(&sys, gitea).unwrap_err();
    assert!(matches!(refused, Error::Conflict(_)), "{refused:?}");
    f.dir.delete_role(&sys, outer).unwrap();
    assert!(f.dir.app_users(&sys, gitea).unwrap().is_empty());
    f.dir.delete_app(&sys, gitea).unwrap();
    let closed = f.dir.get_request(&sys, pending.id).unwrap();
    assert_eq!(closed.state, RequestState::Withdrawn);
    assert!(f.dir.get_app(&sys, gitea).unwrap_err().is_not_found());
}
