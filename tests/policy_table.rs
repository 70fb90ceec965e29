//! The access policy as a table: every actor kind × action × target organization
//! (the actor's own, another, none) with the expected verdict. The core's
//! `Policy::authorize` is the only decision maker, so this table is the access
//! model of every protocol.

use dirgate::directory::acl::{Action, Actor, ActorKind, Policy, Rank, Target, UserPowers};
use dirgate::directory::model::{Right, Rights, Scope};
use uuid::Uuid;

const A: Uuid = Uuid::from_u128(0xA);
const B: Uuid = Uuid::from_u128(0xB);
const ME: Uuid = Uuid::from_u128(0x1);

/// The actions of the table, in column order.
const ACTIONS: [(Action, &str); 15] = [
    (Action::Read, "read"),
    (Action::CreateUser, "create user"),
    (Action::ModifyUser, "modify user"),
    (Action::DeleteUser, "delete user"),
    (Action::CreateRole, "create role"),
    (Action::ModifyRole, "modify role"),
    (Action::DeleteRole, "delete role"),
    (Action::MoveUser, "move"),
    (Action::UnlockUser, "unlock"),
    (Action::ValidateUser, "validate"),
    (Action::CreateOrganization, "create org"),
    (Action::DeleteOrganization, "delete org"),
    (Action::AppointDelegate, "appoint delegate"),
    (Action::IssueToken, "issue token"),
    (Action::ReadReports, "read reports"),
];

/// Each cell is three verdicts: target in the actor's own organization (A),
/// in another organization (B), in no organization. `Y` allow, `n` deny.
#[rustfmt::skip]
const TABLE: [(&str, [&str; 15]); 11] = [
    //                   read   cUser  mUser  dUser  cRole  mRole  dRole  move   unlock valid  cOrg   dOrg   deleg  token  report
    ("anonymous",       ["nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn"]),
    ("user",            ["nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn"]),
    ("service account", ["Ynn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn"]),
    ("user-management", ["Ynn", "Ynn", "Ynn", "Ynn", "nnn", "nnn", "nnn", "Ynn", "nnn", "Ynn", "nnn", "nnn", "nnn", "nnn", "nnn"]),
    ("role-management", ["Ynn", "nnn", "nnn", "nnn", "Ynn", "Ynn", "Ynn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn"]),
    ("account-unlock",  ["Ynn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "Ynn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn"]),
    ("delegate",        ["Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "nnn", "nnn", "nnn", "nnn", "Ynn"]),
    ("org admin",       ["Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "nnn", "nnn", "Ynn", "Ynn", "Ynn"]),
    ("system admin",    ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY"]),
    ("org token",       ["Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn"]),
    ("server token",    ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn"]),
];

fn user(powers: UserPowers) -> Actor {
    Actor {
        kind: ActorKind::User(powers),
        id: Some(ME),
        name: "alice@example.com".into(),
    }
}

fn member_of_a() -> UserPowers {
    UserPowers {
        org: Some(A),
        ..UserPowers::default()
    }
}

fn actor(kind: &str) -> Actor {
    let holder = |right| {
        user(UserPowers {
            grants: vec![(Scope::Org(A), right)],
            ..member_of_a()
        })
    };
    let other = |kind| Actor {
        kind,
        id: Some(Uuid::from_u128(0x2)),
        name: "other".into(),
    };
    match kind {
        "anonymous" => Actor::anonymous(),
        "user" => user(member_of_a()),
        "service account" => other(ActorKind::Service {
            scope: Scope::Org(A),
        }),
        "user-management" => holder(Right::UserManagement),
        "role-management" => holder(Right::RoleManagement),
        "account-unlock" => holder(Right::AccountUnlock),
        "delegate" => user(UserPowers {
            delegate: true,
            ..member_of_a()
        }),
        "org admin" => user(UserPowers {
            org_admin: true,
            ..member_of_a()
        }),
        "system admin" => other(ActorKind::System),
        "org token" => other(ActorKind::Token {
            scope: Scope::Org(A),
        }),
        "server token" => other(ActorKind::Token {
            scope: Scope::Server,
        }),
        _ => panic!("unknown actor kind {kind}"),
    }
}

/// Targets for the three columns; account targets are another, plain member.
fn targets(action: Action) -> [Target; 3] {
    let someone = Uuid::from_u128(0x99);
    let per_account = matches!(
        action,
        Action::ModifyUser
            | Action::DeleteUser
            | Action::MoveUser
            | Action::UnlockUser
            | Action::ValidateUser
    );
    [Some(A), Some(B), None].map(|org| {
        if per_account {
            Target::subject(org, someone, Rank::Member)
        } else {
            Target::org(org)
        }
    })
}

#[test]
fn every_cell_of_the_policy_table() {
    let policy = Policy::default();
    let mut wrong = Vec::new();
    for (kind, row) in TABLE {
        let who = actor(kind);
        for ((action, name), cell) in ACTIONS.iter().zip(row) {
            for ((target, expected), column) in
                targets(*action)
                    .iter()
                    .zip(cell.chars())
                    .zip(["own org", "other org", "no org"])
            {
                let allowed = policy.authorize(&who, *action, target).is_ok();
                if allowed != (expected == 'Y') {
                    wrong.push(format!(
                        "{kind} / {name} / {column}: expected {}, got {}",
                        if expected == 'Y' { "allow" } else { "deny" },
                        if allowed { "allow" } else { "deny" }
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "policy table mismatches:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_table_covers_every_actor_kind_and_cell() {
    let cells: usize = TABLE
        .iter()
        .map(|(_, row)| row.iter().map(|c| c.len()).sum::<usize>())
        .sum();
    assert_eq!(cells, 11 * 15 * 3);
}

#[test]
fn users_read_themselves_and_change_their_own_password_only() {
    let policy = Policy::default();
    let me = user(member_of_a());
    let myself = Target::subject(Some(A), ME, Rank::Member);
    assert!(policy.authorize(&me, Action::Read, &myself).is_ok());
    assert!(
        policy
            .authorize(&me, Action::ChangeOwnPassword, &myself)
            .is_ok()
    );
    assert!(policy.authorize(&me, Action::ModifyUser, &myself).is_err());
    let neighbour = Target::subject(Some(A), Uuid::from_u128(0x42), Rank::Member);
    assert!(
        policy
            .authorize(&me, Action::ChangeOwnPassword, &neighbour)
            .is_err()
    );
    assert!(
        policy
            .authorize(&me, Action::ResetPassword, &neighbour)
            .is_err()
    );
}

#[test]
fn administrators_act_only_on_accounts_ranked_below_them() {
    let policy = Policy::default();
    let delegate = actor("delegate");
    let org_admin = actor("org admin");
    let manager = actor("user-management");
    let on = |rank| Target::subject(Some(A), Uuid::from_u128(0x77), rank);
    for action in [
        Action::ModifyUser,
        Action::DeleteUser,
        Action::MoveUser,
        Action::ResetPassword,
    ] {
        assert!(
            policy
                .authorize(&delegate, action, &on(Rank::Member))
                .is_ok()
        );
        assert!(
            policy
                .authorize(&delegate, action, &on(Rank::Delegate))
                .is_err()
        );
        assert!(
            policy
                .authorize(&delegate, action, &on(Rank::OrgAdmin))
                .is_err()
        );
        assert!(
            policy
                .authorize(&manager, action, &on(Rank::Delegate))
                .is_err()
        );
        assert!(
            policy
                .authorize(&org_admin, action, &on(Rank::Delegate))
                .is_ok()
        );
        assert!(
            policy
                .authorize(&org_admin, action, &on(Rank::OrgAdmin))
                .is_err()
        );
        assert!(
            policy
                .authorize(&actor("system admin"), action, &on(Rank::OrgAdmin))
                .is_ok()
        );
    }
}

#[test]
fn granting_a_right_needs_holding_it() {
    let policy = Policy::default();
    let own = Target::org(Some(A));
    let rm = actor("role-management");
    assert!(
        policy
            .authorize(&rm, Action::GrantRight(Right::RoleManagement), &own)
            .is_ok()
    );
    assert!(
        policy
            .authorize(&rm, Action::GrantRight(Right::UserManagement), &own)
            .is_err()
    );
    for right in Right::ALL {
        assert!(
            policy
                .authorize(&actor("delegate"), Action::GrantRight(right), &own)
                .is_ok()
        );
        assert!(
            policy
                .authorize(&actor("org token"), Action::GrantRight(right), &own)
                .is_err()
        );
        assert!(
            policy
                .authorize(
                    &actor("delegate"),
                    Action::GrantRight(right),
                    &Target::org(Some(B))
                )
                .is_err()
        );
    }
}

#[test]
fn server_wide_grants_apply_everywhere_and_anonymous_read_is_a_setting() {
    let helpdesk = user(UserPowers {
        grants: vec![(Scope::Server, Right::AccountUnlock)],
        ..member_of_a()
    });
    let policy = Policy::default();
    for org in [Some(A), Some(B), None] {
        let t = Target::subject(org, Uuid::from_u128(0x5), Rank::Member);
        assert!(policy.authorize(&helpdesk, Action::UnlockUser, &t).is_ok());
        assert!(policy.authorize(&helpdesk, Action::DeleteUser, &t).is_err());
    }
    let open = Policy {
        anonymous_read: Some(Scope::Org(A)),
    };
    assert!(
        open.authorize(&Actor::anonymous(), Action::Read, &Target::org(Some(A)))
            .is_ok()
    );
    assert!(
        open.authorize(&Actor::anonymous(), Action::Read, &Target::org(Some(B)))
            .is_err()
    );
    assert!(
        open.authorize(
            &Actor::anonymous(),
            Action::CreateUser,
            &Target::org(Some(A))
        )
        .is_err()
    );
}

#[test]
fn discovery_is_open_and_the_tree_skeleton_needs_a_bind() {
    let policy = Policy::default();
    for (kind, _) in TABLE {
        let who = actor(kind);
        assert!(
            policy
                .authorize(&who, Action::ReadSchema, &Target::default())
                .is_ok(),
            "{kind}"
        );
        let skeleton = policy
            .authorize(&who, Action::ReadTree, &Target::default())
            .is_ok();
        assert_eq!(skeleton, kind != "anonymous", "{kind}");
    }
    let open = Policy {
        anonymous_read: Some(Scope::Server),
    };
    assert!(
        open.authorize(&Actor::anonymous(), Action::ReadTree, &Target::default())
            .is_ok()
    );
}

#[test]
fn only_actors_who_could_apply_an_import_row_may_upload_a_file() {
    let policy = Policy::default();
    let importers = ["user-management", "delegate", "org admin", "system admin"];
    for (kind, _) in TABLE {
        let who = actor(kind);
        // Where the file's rows go is checked row by row; the upload itself
        // asks whether the actor could import anywhere.
        for target in [Target::default(), Target::org(Some(B))] {
            let allowed = policy.authorize(&who, Action::ImportFile, &target).is_ok();
            assert_eq!(allowed, importers.contains(&kind), "{kind}");
        }
    }
    let elsewhere = user(UserPowers {
        grants: vec![(Scope::Org(B), Right::UserManagement)],
        ..UserPowers::default()
    });
    assert!(
        policy
            .authorize(&elsewhere, Action::ImportFile, &Target::default())
            .is_ok()
    );
}

/// Right holders rank by the rights they hold in their organization: an
/// actor acts on one (password, state, name, move, deletion, unlock) only if
/// it holds every one of those rights there, or administers the organization.
/// Each row: the actor, then its verdict on a holder of {role-management},
/// {user-management}, {user-management, role-management}, {account-unlock}
/// in Acme-A, for the actions that need user management, then for unlocking.
#[rustfmt::skip]
const RIGHT_HOLDERS: [(&str, &str, &str); 7] = [
    //                        UM actions  unlock
    ("user-management",       "nYnn",     "nnnn"),
    ("role-management",       "nnnn",     "nnnn"),
    ("account-unlock",        "nnnn",     "nnnY"),
    ("user+role management",  "YYYn",     "nnnn"),
    ("delegate",              "YYYY",     "YYYY"),
    ("org admin",             "YYYY",     "YYYY"),
    ("system admin",          "YYYY",     "YYYY"),
];

fn holder_actor(kind: &str) -> Actor {
    match kind {
        "user+role management" => user(UserPowers {
            grants: vec![
                (Scope::Org(A), Right::UserManagement),
                (Scope::Server, Right::RoleManagement),
            ],
            ..member_of_a()
        }),
        _ => actor(kind),
    }
}

#[test]
fn right_holders_are_acted_on_only_by_whoever_holds_all_their_rights() {
    use Right::*;
    let policy = Policy::default();
    let holders = [
        Rights::of([RoleManagement]),
        Rights::of([UserManagement]),
        Rights::of([UserManagement, RoleManagement]),
        Rights::of([AccountUnlock]),
    ];
    let on = |rights| Target::subject(Some(A), Uuid::from_u128(0x77), Rank::holding(rights));
    let mut wrong = Vec::new();
    for (kind, managed, unlocked) in RIGHT_HOLDERS {
        let who = holder_actor(kind);
        for ((rights, m), u) in holders.iter().zip(managed.chars()).zip(unlocked.chars()) {
            let target = on(*rights);
            for action in [
                Action::ModifyUser,
                Action::DeleteUser,
                Action::MoveUser,
                Action::ResetPassword,
                Action::ValidateUser,
            ] {
                let allowed = policy.authorize(&who, action, &target).is_ok();
                if allowed != (m == 'Y') {
                    wrong.push(format!("{kind} / {action:?} / {rights:?}: {allowed}"));
                }
            }
            let allowed = policy.authorize(&who, Action::UnlockUser, &target).is_ok();
            if allowed != (u == 'Y') {
                wrong.push(format!("{kind} / unlock / {rights:?}: {allowed}"));
            }
        }
    }
    assert!(wrong.is_empty(), "mismatches:\n{}", wrong.join("\n"));
    // Rights held elsewhere do not count: a user-management holder of Acme-B
    // is a member in Acme-A's eyes, and vice versa.
    assert_eq!(Rank::holding(Rights::default()), Rank::Member);
    let in_b = Target::subject(Some(B), Uuid::from_u128(0x78), Rank::holding(holders[0]));
    assert!(
        policy
            .authorize(
                &holder_actor("user+role management"),
                Action::ModifyUser,
                &in_b
            )
            .is_err()
    );
}

#[test]
fn tokens_act_on_members_only() {
    let policy = Policy::default();
    let ranks = [
        Rank::holding(Rights::of([Right::AccountUnlock])),
        Rank::holding(Rights::of([Right::UserManagement])),
        Rank::Delegate,
        Rank::OrgAdmin,
    ];
    for kind in ["org token", "server token"] {
        let token = actor(kind);
        for rank in ranks {
            let target = Target::subject(Some(A), Uuid::from_u128(0x77), rank);
            assert!(policy.authorize(&token, Action::Read, &target).is_ok());
            for action in [
                Action::ModifyUser,
                Action::DeleteUser,
                Action::MoveUser,
                Action::ResetPassword,
            ] {
                let allowed = policy.authorize(&token, action, &target).is_ok();
                assert!(!allowed, "{kind} / {action:?} / {rank:?}");
            }
        }
        let member = Target::subject(Some(A), Uuid::from_u128(0x78), Rank::Member);
        assert!(
            policy
                .authorize(&token, Action::ResetPassword, &member)
                .is_ok()
        );
    }
}

/// Giving or taking a role's rights acts on each account whose rights
/// change: role management, and the rank rule on that account.
#[test]
fn role_memberships_carrying_rights_follow_the_rank() {
    let policy = Policy::default();
    let on = |rank| Target::subject(Some(A), Uuid::from_u128(0x77), rank);
    let um = Rank::holding(Rights::of([Right::UserManagement]));
    let rm = Rank::holding(Rights::of([Right::RoleManagement]));
    let cases = [
        ("role-management", Rank::Member, true),
        ("role-management", rm, true),
        ("role-management", um, false),
        ("role-management", Rank::Delegate, false),
        ("user-management", Rank::Member, false),
        ("delegate", um, true),
        ("delegate", Rank::Delegate, false),
        ("org admin", Rank::Delegate, true),
        ("org admin", Rank::OrgAdmin, false),
        ("org token", Rank::Member, true),
        ("org token", rm, false),
        ("system admin", Rank::OrgAdmin, true),
    ];
    for (kind, rank, expected) in cases {
        let allowed = policy
            .authorize(&actor(kind), Action::ChangeMembership, &on(rank))
            .is_ok();
        assert_eq!(allowed, expected, "{kind} / {rank:?}");
    }
}

#[test]
fn only_the_system_administrator_exports_hashes_and_keeps_identities() {
    let policy = Policy::default();
    for action in [Action::ExportSecrets, Action::KeepIdentity] {
        for (kind, _) in TABLE {
            for target in targets(action) {
                let allowed = policy.authorize(&actor(kind), action, &target).is_ok();
                assert_eq!(
                    allowed,
                    kind == "system admin",
                    "{action:?} {kind} {target:?}"
                );
            }
        }
        let internal = policy.authorize(&Actor::internal(), action, &Target::default());
        assert!(internal.is_ok(), "{action:?}");
    }
}

/// The actions on applications and access requests, in column order. For
/// the request actions the target is another member's request, or (where
/// the name says so) the actor's own, or one of an application whose
/// approvers the actor is named among.
const APP_ACTIONS: [(Action, &str); 8] = [
    (Action::ManageApplications, "manage apps"),
    (Action::SeeApplication, "see app"),
    (Action::DecideRequest, "decide"),
    (Action::DecideRequest, "decide as named approver"),
    (Action::ReadRequest, "read request"),
    (Action::ReadRequest, "read as named approver"),
    (Action::RequestApplication, "ask (own)"),
    (Action::WithdrawRequest, "withdraw (own)"),
];

#[rustfmt::skip]
const APP_TABLE: [(&str, [&str; 8]); 11] = [
    //                   manage see    decide named  read   rNamed ask    withdraw
    ("anonymous",       ["nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn"]),
    ("user",            ["nnn", "YnY", "nnn", "Ynn", "nnn", "Ynn", "Ynn", "YYY"]),
    ("service account", ["nnn", "YnY", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn"]),
    ("user-management", ["nnn", "YnY", "nnn", "Ynn", "nnn", "Ynn", "Ynn", "YYY"]),
    ("role-management", ["nnn", "YnY", "Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "YYY"]),
    ("account-unlock",  ["nnn", "YnY", "nnn", "Ynn", "nnn", "Ynn", "Ynn", "YYY"]),
    ("delegate",        ["Ynn", "YnY", "Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "YYY"]),
    ("org admin",       ["Ynn", "YnY", "Ynn", "Ynn", "Ynn", "Ynn", "Ynn", "YYY"]),
    ("system admin",    ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY"]),
    ("org token",       ["nnn", "YnY", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn"]),
    ("server token",    ["nnn", "YYY", "nnn", "nnn", "nnn", "nnn", "nnn", "nnn"]),
];

/// The three targets of an application column (own organization, another,
/// none).
fn app_targets(column: &str) -> [Target; 3] {
    let someone = Uuid::from_u128(0x99);
    [Some(A), Some(B), None].map(|org| match column {
        "ask (own)" | "withdraw (own)" => Target::subject(org, ME, Rank::Member),
        "decide as named approver" | "read as named approver" => Target {
            named: true,
            ..Target::subject(org, someone, Rank::Member)
        },
        "decide" | "read request" => Target::subject(org, someone, Rank::Member),
        _ => Target::org(org),
    })
}

#[test]
fn every_cell_of_the_applications_table() {
    let policy = Policy::default();
    let mut wrong = Vec::new();
    for (kind, row) in APP_TABLE {
        let who = actor(kind);
        for ((action, name), cell) in APP_ACTIONS.iter().zip(row) {
            let columns = ["own org", "other org", "no org"];
            for ((target, expected), column) in
                app_targets(name).iter().zip(cell.chars()).zip(columns)
            {
                let allowed = policy.authorize(&who, *action, target).is_ok();
                if allowed != (expected == 'Y') {
                    wrong.push(format!("{kind} / {name} / {column}: expected {expected}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "mismatches:\n{}", wrong.join("\n"));
    // Nobody decides its own request, whatever it administers.
    let own = Target::subject(Some(A), ME, Rank::Member);
    for kind in ["delegate", "org admin", "role-management"] {
        let refused = policy.authorize(&actor(kind), Action::DecideRequest, &own);
        assert!(refused.is_err(), "{kind} decided its own request");
    }
}

/// A mailbox proves less than an administrator's standing deserves: only
/// an account without standing or rights sets its own forgotten password
/// with a mailed code, and never another's. (The system administrator is
/// no user record: it resets nothing by mail, and may do anything anyway.)
#[test]
fn only_plain_users_reset_their_own_password_by_mail() {
    let policy = Policy::default();
    let myself = Target::subject(Some(A), ME, Rank::Member);
    let neighbour = Target::subject(Some(A), Uuid::from_u128(0x42), Rank::Member);
    for (name, _) in TABLE.iter().filter(|(n, _)| *n != "system admin") {
        let a = actor(name);
        let own = policy.authorize(&a, Action::ResetByMail, &myself).is_ok();
        assert_eq!(own, *name == "user", "{name}");
        let other = policy.authorize(&a, Action::ResetByMail, &neighbour);
        assert!(other.is_err(), "{name}");
    }
}

/// A second factor is its owner's to manage, and another's to remove only
/// for whoever may reset that account's password (what the factor guards),
/// tokens excepted.
#[test]
fn second_factors_are_their_owners_and_reset_like_passwords() {
    let policy = Policy::default();
    let myself = Target::subject(Some(A), ME, Rank::Member);
    let neighbour = Target::subject(Some(A), Uuid::from_u128(0x42), Rank::Member);
    for (name, _) in TABLE.iter().filter(|(n, _)| *n != "system admin") {
        let a = actor(name);
        let own = policy.authorize(&a, Action::ManageOwnSecondFactor, &myself);
        let is_user = !matches!(
            *name,
            "anonymous" | "service account" | "org token" | "server token"
        );
        assert_eq!(own.is_ok(), is_user, "{name}");
        let others = policy.authorize(&a, Action::ManageOwnSecondFactor, &neighbour);
        assert!(others.is_err(), "{name}");
        // Tokens sync passwords (SCIM) but never take a factor away.
        let token = name.ends_with("token");
        for rank in [Rank::Member, Rank::Delegate] {
            let target = Target::subject(Some(A), Uuid::from_u128(0x42), rank);
            let reset = policy.authorize(&a, Action::ResetPassword, &target);
            assert_eq!(
                policy
                    .authorize(&a, Action::ResetSecondFactor, &target)
                    .is_ok(),
                reset.is_ok() && !token,
                "{name} {rank:?}"
            );
        }
    }
}
