//! An in-process dirgate on port 0 with a small directory, for tests that speak
//! LDAP (OpenLDAP's command-line clients and the ldap3 crate) to it.
#![allow(dead_code)]

use dirgate::config::Config;
use dirgate::directory::acl::Actor;
use dirgate::directory::model::{Lifecycle, Member, Right, Scope};
use dirgate::directory::orgs::NewOrg;
use dirgate::directory::roles::NewRole;
use dirgate::directory::users::{NewPassword, NewUser, OrgRef};
use dirgate::directory::{Directory, Request};
use std::net::SocketAddr;
use tokio_util::sync::CancellationToken;

pub const BASE: &str = "dc=example,dc=com";

pub struct Ldap {
    pub addr: SocketAddr,
    pub server: std::sync::Arc<dirgate::Server>,
    pub url: String,
    pub admin_dn: String,
    pub admin_pw: String,
    pub dir: Directory,
    pub svc_pw: String,
    shutdown: CancellationToken,
    _tmp: tempfile::TempDir,
}

impl Drop for Ldap {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Starts dirgate with `extra` TOML and loads the standard test directory:
/// organizations Acme-A and Acme-B; users alice, bob (A), carol (B), dave (no
/// organization); role Staff in A holding alice and bob; service account
/// `reader` scoped to A; bob is a delegate of A. Every password is `pw`.
pub async fn start(extra: &str) -> Ldap {
    start_in(tempfile::tempdir().unwrap(), extra).await
}

/// Like [`start`], in a directory the caller prepared (certificates, …).
pub async fn start_in(tmp: tempfile::TempDir, extra: &str) -> Ldap {
    start_costed(tmp, 64, extra).await
}

/// Like [`start_in`], with argon2id costing `memory_kib` (one pass). `extra`
/// starts inside `[passwords]`.
pub async fn start_costed(tmp: tempfile::TempDir, memory_kib: u32, extra: &str) -> Ldap {
    start_with(tmp, memory_kib, extra, populate).await
}

/// dirgate with the suffix `dc=example,dc=com` and nothing else in it: for
/// tests that load a whole directory themselves. `svc_pw` is empty.
pub async fn start_empty(extra: &str) -> Ldap {
    start_empty_in(tempfile::tempdir().unwrap(), extra).await
}

/// Like [`start_empty`], in a directory the caller prepared (certificates, …).
pub async fn start_empty_in(tmp: tempfile::TempDir, extra: &str) -> Ldap {
    let suffix_only = |dir: &Directory| {
        dir.add_suffix(&system(dir), "example.com").unwrap();
        String::new()
    };
    start_with(tmp, 64, extra, suffix_only).await
}

async fn start_with(
    tmp: tempfile::TempDir,
    memory_kib: u32,
    extra: &str,
    fill: fn(&Directory) -> String,
) -> Ldap {
    let data = tmp.path().join("data");
    let toml = format!(
        "data_dir = \"{}\"\n[passwords]\nargon2_memory_kib = {memory_kib}\nargon2_iterations = 1\n{extra}",
        data.display()
    );
    // The tests' passwords are short (`pw`): unless the test sets a
    // password policy, one that takes them.
    let lenient = !extra.contains("[password_policy]");
    let env = |k: &str| match k {
        "DIRGATE_LDAP_LISTEN" | "DIRGATE_HTTP_LISTEN" => Some("127.0.0.1:0".to_owned()),
        "DIRGATE_PASSWORD_POLICY_MIN_LENGTH" if lenient => Some("1".to_owned()),
        "DIRGATE_PASSWORD_POLICY_REJECT_NAMES" if lenient => Some("false".to_owned()),
        _ => None,
    };
    let config = Config::from_str_with_env(&toml, &env).unwrap();
    let shutdown = CancellationToken::new();
    let server = std::sync::Arc::new(dirgate::start(config, shutdown.clone()).await.unwrap());
    let creds = std::fs::read_to_string(data.join("bootstrap-admin")).unwrap();
    let admin_pw = creds
        .lines()
        .find_map(|l| l.strip_prefix("PASSWORD="))
        .unwrap()
        .to_owned();
    let dir = server.directory.clone();
    let addr = server.ldap_addr;
    let waiter = server.clone();
    tokio::spawn(async move { waiter.wait().await });
    let svc_pw = tokio::task::spawn_blocking({
        let dir = dir.clone();
        move || fill(&dir)
    })
    .await
    .unwrap();
    Ldap {
        addr,
        server,
        url: format!("ldap://{addr}"),
        admin_dn: format!("cn=admin,{BASE}"),
        admin_pw,
        dir,
        svc_pw,
        shutdown,
        _tmp: tmp,
    }
}

fn system(dir: &Directory) -> Request {
    let admin = dir.store().read(|tx| tx.system_admin()).unwrap().unwrap();
    Request {
        actor: Actor {
            kind: dirgate::directory::acl::ActorKind::System,
            id: Some(admin.id),
            name: admin.login,
        },
        origin: dirgate::directory::audit::Origin::internal(),
    }
}

fn populate(dir: &Directory) -> String {
    let sys = system(dir);
    dir.add_suffix(&sys, "example.com").unwrap();
    for name in ["Acme-A", "Acme-B"] {
        let new = NewOrg {
            name: name.into(),
            seats: 10,
            description: Some(format!("{name} team")),
            id: None,
        };
        dir.create_org(&sys, new).unwrap();
    }
    let mut ids = Vec::new();
    for (login, org, given, family) in [
        ("alice@example.com", Some("Acme-A"), "Alice", "Smith"),
        ("bob@example.com", Some("Acme-A"), "Bob", "Jones"),
        ("carol@example.com", Some("Acme-B"), "Carol", "White"),
        ("dave@example.com", None, "Dave", "Brown"),
    ] {
        let new = NewUser {
            org: org.map(|o| OrgRef::Name(o.into())),
            state: Lifecycle::Active,
            email: Some(login.replace("@example.com", "@mail.example.com")),
            given_name: Some(given.into()),
            family_name: Some(family.into()),
            password: Some(NewPassword::Plain("pw".into())),
            ..NewUser::new(login)
        };
        ids.push(dir.create_user(&sys, new).unwrap().id);
    }
    let role = NewRole {
        name: "Staff".into(),
        org: Some(OrgRef::Name("Acme-A".into())),
        rights: vec![Right::AccountUnlock],
        ..NewRole::default()
    };
    let staff = dir.create_role(&sys, role).unwrap();
    dir.add_member(&sys, staff.id, Member::User(ids[0]))
        .unwrap();
    dir.add_member(&sys, staff.id, Member::User(ids[1]))
        .unwrap();
    let outer = NewRole {
        name: "Everyone".into(),
        org: Some(OrgRef::Name("Acme-A".into())),
        ..NewRole::default()
    };
    let everyone = dir.create_role(&sys, outer).unwrap();
    dir.add_member(&sys, everyone.id, Member::Role(staff.id))
        .unwrap();
    dir.set_delegate(&sys, ids[1], true).unwrap();
    let a = dir.get_org(&sys, "Acme-A").unwrap().id;
    dir.create_service_account(&sys, "reader", Scope::Org(a), None)
        .unwrap()
        .secret
}

/// Runs an OpenLDAP client and returns (exit code, stdout + stderr).
pub async fn run(cmd: &str, args: &[&str]) -> (i32, String) {
    let out = tokio::process::Command::new(cmd)
        .args(args)
        .env("LDAPTLS_REQCERT", "never")
        .env("LDAPCONF", "/dev/null")
        .output()
        .await
        .unwrap_or_else(|e| panic!("{cmd} not runnable (scripts/test installs ldap-utils): {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// The `dn:` lines of ldapsearch output, in order.
pub fn dns(output: &str) -> Vec<String> {
    output
        .lines()
        .filter_map(|l| l.strip_prefix("dn: "))
        .map(str::to_owned)
        .collect()
}

/// Runs `cmd` (ldapadd, ldapmodify, …) bound as `who`/`pw` with `ldif` as input.
pub async fn write_as(l: &Ldap, who: &str, pw: &str, cmd: &str, ldif: &str) -> (i32, String) {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), ldif).unwrap();
    let path = file.path().to_str().unwrap().to_owned();
    run(cmd, &["-x", "-H", &l.url, "-D", who, "-w", pw, "-f", &path]).await
}

/// Runs `cmd` as the system administrator with `ldif` as input.
pub async fn admin(l: &Ldap, cmd: &str, ldif: &str) -> (i32, String) {
    write_as(l, &l.admin_dn, &l.admin_pw, cmd, ldif).await
}

/// The entry `dn` with attributes `attrs`, as the system administrator sees it.
pub async fn read(l: &Ldap, dn: &str, attrs: &[&str]) -> String {
    let mut args = vec![
        "-x",
        "-LLL",
        "-H",
        &l.url,
        "-D",
        &l.admin_dn,
        "-w",
        &l.admin_pw,
        "-b",
        dn,
        "-s",
        "base",
    ];
    args.extend_from_slice(attrs);
    run("ldapsearch", &args).await.1
}

/// The DNs an administrator's subtree search with `filter` finds.
pub async fn find(l: &Ldap, filter: &str) -> Vec<String> {
    let args = [
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
        filter,
        "1.1",
    ];
    let (rc, out) = run("ldapsearch", &args).await;
    assert_eq!(rc, 0, "{filter}: {out}");
    dns(&out)
}
