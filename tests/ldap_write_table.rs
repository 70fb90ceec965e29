//! The cross-organization table over LDAP: every (actor, write operation,
//! own/other organization) cell gets the verdict the policy gives (entries
//! of an organization out of the actor's reach as if they did not exist), on a fresh
//! server each, and a refused write leaves the whole tree exactly as it was.
//! Driven with OpenLDAP's ldapadd/ldapmodify/ldapdelete/ldapmodrdn.

mod common;

use common::server::{BASE, Ldap, run, start};
use dirgate::directory::acl::{Actor, ActorKind};
use dirgate::directory::roles::NewRole;
use dirgate::directory::users::{NewPassword, NewUser, OrgRef};
use dirgate::directory::{Directory, Request};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    System,
    /// bob: Delegated Administrator of Acme-A.
    Delegate,
    /// carol, made Organization Administrator of Acme-B.
    OrgAdmin,
    /// alice: a member of Acme-A holding account-unlock only.
    Member,
    /// The `reader` service account, scoped to Acme-A.
    Service,
    Anonymous,
}

impl Who {
    fn home(self) -> &'static str {
        match self {
            Who::OrgAdmin => "Acme-B",
            _ => "Acme-A",
        }
    }

    /// Whether the policy lets this actor administer `org`.
    fn administers(self, org: &str) -> bool {
        match self {
            Who::System => true,
            Who::Delegate | Who::OrgAdmin => org == self.home(),
            Who::Member | Who::Service | Who::Anonymous => false,
        }
    }

    /// Whether the actor may know that entries of `org` exist: the
    /// system administrator everywhere, the others in their own
    /// organization, anonymous nowhere (it may read nothing here).
    fn knows(self, org: &str) -> bool {
        match self {
            Who::System => true,
            Who::Anonymous => false,
            _ => org == self.home(),
        }
    }

    fn credentials(self, l: &Ldap) -> Vec<String> {
        let (dn, pw) = match self {
            Who::System => (l.admin_dn.clone(), l.admin_pw.clone()),
            Who::Delegate => (user_dn("bob", "Acme-A"), "pw".into()),
            Who::OrgAdmin => (user_dn("carol", "Acme-B"), "pw".into()),
            Who::Member => (user_dn("alice", "Acme-A"), "pw".into()),
            Who::Service => (format!("cn=reader,ou=services,{BASE}"), l.svc_pw.clone()),
            Who::Anonymous => return vec![],
        };
        vec!["-D".into(), dn, "-w".into(), pw]
    }
}

fn user_dn(name: &str, org: &str) -> String {
    format!("uid={name}@example.com,ou={org},{BASE}")
}

fn role_dn(org: &str) -> String {
    let name = if org == "Acme-A" { "Staff" } else { "Crew" };
    format!("cn={name},ou=roles,ou={org},{BASE}")
}

fn other(org: &str) -> &'static str {
    if org == "Acme-A" { "Acme-B" } else { "Acme-A" }
}

const OPS: [&str; 8] = [
    "add user",
    "modify user",
    "delete user",
    "rename user",
    "move user out",
    "add role",
    "add member",
    "delete role",
];

/// (command, arguments after the credentials, LDIF input) for one cell.
fn operation(op: &str, org: &str) -> (&'static str, Vec<String>, String) {
    let target = user_dn("target", org);
    let none = Vec::new();
    match op {
        "add user" => (
            "ldapadd",
            none,
            format!(
                "dn: {}\nobjectClass: inetOrgPerson\ncn: N\nsn: N\n",
                user_dn("new", org)
            ),
        ),
        "modify user" => (
            "ldapmodify",
            none,
            format!("dn: {target}\nchangetype: modify\nreplace: sn\nsn: Changed\n-\n"),
        ),
        "delete user" => ("ldapdelete", vec![target], String::new()),
        "rename user" => (
            "ldapmodrdn",
            vec!["-r".into(), target, "uid=renamed@example.com".into()],
            String::new(),
        ),
        "move user out" => (
            "ldapmodrdn",
            vec![
                "-r".into(),
                "-s".into(),
                format!("ou={},{BASE}", other(org)),
                target,
                "uid=target@example.com".into(),
            ],
            String::new(),
        ),
        "add role" => (
            "ldapadd",
            none,
            format!("dn: cn=New,ou=roles,ou={org},{BASE}\nobjectClass: groupOfNames\ncn: New\n"),
        ),
        "add member" => (
            "ldapmodify",
            none,
            format!(
                "dn: {}\nchangetype: modify\nadd: member\nmember: {target}\n-\n",
                role_dn(org)
            ),
        ),
        _ => ("ldapdelete", vec![role_dn(org)], String::new()),
    }
}

/// What the policy should answer: 0, insufficientAccessRights, or
/// noSuchObject for an organization out of the actor's reach, which it
/// cannot tell from a missing one (issue 13.5).
fn expected(who: Who, op: &str, org: &str) -> i32 {
    let (allowed, known) = match op {
        // A move needs standing at both ends, and both ends in sight.
        "move user out" => (
            who.administers(org) && who.administers(other(org)),
            who.knows(org) && who.knows(other(org)),
        ),
        _ => (who.administers(org), who.knows(org)),
    };
    match (allowed, known) {
        (true, _) => 0,
        (false, true) => 50,
        (false, false) => 32,
    }
}

fn system(dir: &Directory) -> Request {
    let admin = dir.store().read(|tx| tx.system_admin()).unwrap().unwrap();
    Request {
        actor: Actor {
            kind: ActorKind::System,
            id: Some(admin.id),
            name: admin.login,
        },
        origin: dirgate::directory::audit::Origin::internal(),
    }
}

/// Adds a plain member `target` to each organization, a role Crew to Acme-B,
/// and makes carol Acme-B's Organization Administrator.
fn prepare(dir: &Directory) {
    let sys = system(dir);
    for org in ["Acme-A", "Acme-B"] {
        let login = "target@example.com";
        let new = NewUser {
            org: Some(OrgRef::Name(org.into())),
            family_name: Some("Target".into()),
            password: Some(NewPassword::Plain("pw".into())),
            state: dirgate::directory::model::Lifecycle::Active,
            ..NewUser::new(login)
        };
        // Logins are unique server-wide: B's target has a login of its own.
        if org == "Acme-A" {
            dir.create_user(&sys, new).unwrap();
        } else {
            let mut b = new;
            b.login = "target-b@example.com".into();
            dir.create_user(&sys, b).unwrap();
        }
    }
    let crew = NewRole {
        name: "Crew".into(),
        org: Some(OrgRef::Name("Acme-B".into())),
        ..NewRole::default()
    };
    dir.create_role(&sys, crew).unwrap();
    let carol = dir.get_user_by_login(&sys, "carol@example.com").unwrap();
    dir.appoint_org_admin(&sys, "Acme-B", carol.id).unwrap();
}

/// Every entry with its user attributes and the ones a write could touch.
async fn snapshot(l: &Ldap) -> String {
    run(
        "ldapsearch",
        &[
            "-x",
            "-LLL",
            "-H",
            &l.url,
            "-D",
            &l.admin_dn,
            "-w",
            &l.admin_pw,
            "-b",
            BASE,
            "*",
            "entryUUID",
            "modifyTimestamp",
            "memberOf",
        ],
    )
    .await
    .1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_cell_of_the_ldap_write_table() {
    let actors = [
        Who::System,
        Who::Delegate,
        Who::OrgAdmin,
        Who::Member,
        Who::Service,
        Who::Anonymous,
    ];
    let mut failures = Vec::new();
    let mut cells = 0;
    for who in actors {
        for own in [true, false] {
            let org = if own { who.home() } else { other(who.home()) };
            for op in OPS {
                let l = start("").await;
                tokio::task::spawn_blocking({
                    let dir = l.dir.clone();
                    move || prepare(&dir)
                })
                .await
                .unwrap();
                let before = snapshot(&l).await;
                let (cmd, rest, ldif) = operation(op, org);
                let (cmd, rest) = target_fix(cmd, rest, org);
                let ldif =
                    ldif.replace(&user_dn("target", "Acme-B"), &user_dn("target-b", "Acme-B"));
                let file = tempfile::NamedTempFile::new().unwrap();
                std::fs::write(file.path(), &ldif).unwrap();
                let mut args: Vec<String> = vec!["-x".into(), "-H".into(), l.url.clone()];
                args.extend(who.credentials(&l));
                if !ldif.is_empty() {
                    args.extend(["-f".into(), file.path().display().to_string()]);
                }
                args.extend(rest);
                let argv: Vec<&str> = args.iter().map(String::as_str).collect();
                let (rc, out) = run(cmd, &argv).await;
                let want = expected(who, op, org);
                let after = snapshot(&l).await;
                cells += 1;
                if rc != want {
                    failures.push(format!(
                        "{who:?} {op} in {org}: got {rc}, want {want}: {out}"
                    ));
                } else if want != 0 && before != after {
                    failures.push(format!(
                        "{who:?} {op} in {org}: refused but the tree changed"
                    ));
                } else if want == 0 && before == after {
                    failures.push(format!(
                        "{who:?} {op} in {org}: allowed but nothing changed"
                    ));
                }
            }
        }
    }
    assert_eq!(cells, 96);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// B's target user is `target-b`: rewrite the DN arguments that name it.
fn target_fix(cmd: &'static str, rest: Vec<String>, org: &str) -> (&'static str, Vec<String>) {
    if org != "Acme-B" {
        return (cmd, rest);
    }
    let from = user_dn("target", "Acme-B");
    let to = user_dn("target-b", "Acme-B");
    let rest = rest
        .into_iter()
        .map(|a| {
            if a == from {
                to.clone()
            } else if a == "uid=target@example.com" {
                "uid=target-b@example.com".into()
            } else {
                a
            }
        })
        .collect();
    (cmd, rest)
}
