//! SSSD against dirgate, as a Linux host of a tenant uses it: `getent`
//! (passwd and group, by name and by number), `id` and PAM authentication
//! (pamtester through pam_sss) for users migrated with their own
//! uidNumber, gidNumber, home directory, shell and gecos, over plain LDAP,
//! StartTLS and LDAPS (the server's certificate checked against a CA file).
//! SSSD binds as a service account and searches one organization, as each
//! tenant's hosts would. User private groups are on: a user whose gidNumber
//! is its uidNumber has a primary group of its own.
//!
//! The real sssd runs in the foreground with a configuration of its own;
//! the system's NSS (libnss-sss) and PAM (a service file of this test's in
//! /etc/pam.d) reach it. So the test needs root and Debian's sssd-ldap,
//! libnss-sss, libpam-sss and pamtester, which scripts/test installs; sssd
//! keeps its sockets and caches in fixed places, so one sssd runs at a time
//! and its caches are emptied between transports.

mod common;

use common::differential::{dataset, dirgate_target, org_dn, user_dn};
use common::server::{BASE, Ldap, start_empty_in};
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const PAM_SERVICE: &str = "dirgate-sssd-test";
const SERVICE_PW: &str = "sssd-reader-secret";

fn write_cert(dir: &Path) {
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "dirgate sssd test");
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
}

fn require_tools() {
    let root = Command::new("id").arg("-u").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&root.stdout).trim(),
        "0",
        "SSSD runs as root: run this test as root (scripts/test does in CI)"
    );
    for tool in ["/usr/sbin/sssd", "/usr/bin/pamtester"] {
        assert!(
            Path::new(tool).exists(),
            "{tool} missing: scripts/test installs sssd-ldap, libnss-sss, libpam-sss and pamtester"
        );
    }
}

/// A running sssd; stopped, and its caches emptied, when dropped.
struct Sssd {
    child: Child,
    _dir: tempfile::TempDir,
}

/// sssd's sockets and caches are in fixed places: the tests of this file
/// take turns.
static ONE_SSSD: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

impl Drop for Sssd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        empty_caches();
    }
}

/// SSSD's own caches: its database and the memory-mapped cache the NSS
/// module reads without asking the daemon.
fn empty_caches() {
    for dir in ["/var/lib/sss/db", "/var/lib/sss/mc"] {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

enum Transport {
    Plain,
    StartTls,
    Ldaps,
}

/// How the host's SSSD judges accounts: every one permitted, or by the
/// shadow attributes (password age and account expiry), as a host that
/// follows the directory's password policy does.
const PERMIT: &str = "access_provider = permit\n";
const SHADOW: &str = "access_provider = ldap\nldap_access_order = expire\n\
     ldap_account_expire_policy = shadow\nldap_pwd_policy = shadow\n";

fn start_sssd(l: &Ldap, ca: &Path, transport: &Transport, policy: &str) -> Sssd {
    empty_caches();
    let dir = tempfile::tempdir().unwrap();
    let (uri, start_tls, plain_auth) = match transport {
        Transport::Plain => (l.url.clone(), false, true),
        Transport::StartTls => (l.url.clone(), true, false),
        Transport::Ldaps => (
            format!("ldaps://{}", l.server.ldaps_addr.unwrap()),
            false,
            false,
        ),
    };
    let mut conf = format!(
        "[sssd]\nservices = nss, pam\ndomains = acme\n\n[nss]\n\n[pam]\n\n\
         [domain/acme]\nid_provider = ldap\nauth_provider = ldap\n{policy}\
         ldap_uri = {uri}\nldap_search_base = {}\nldap_schema = rfc2307\n\
         ldap_default_bind_dn = cn=sssd,ou=services,{BASE}\nldap_default_authtok = {SERVICE_PW}\n\
         ldap_tls_reqcert = demand\nldap_tls_cacert = {}\nldap_id_use_start_tls = {start_tls}\n\
         cache_credentials = false\nentry_cache_timeout = 600\n",
        org_dn("Acme"),
        ca.display()
    );
    if plain_auth {
        // SSSD refuses to send a password over plain LDAP unless told to.
        conf.push_str("ldap_auth_disable_tls_never_use_in_production = true\n");
    }
    let path = dir.path().join("sssd.conf");
    std::fs::write(&path, conf).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let child = Command::new("/usr/sbin/sssd")
        .arg("-i")
        .arg("-c")
        .arg(&path)
        .args(["--logger=stderr", "-d", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut sssd = Sssd { child, _dir: dir };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = sssd.child.try_wait().unwrap() {
            panic!("sssd exited: {status}");
        }
        if getent(&["passwd", "acme00"]).status.success() {
            return sssd;
        }
        assert!(
            Instant::now() < deadline,
            "sssd did not answer for acme00 within 30 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `getent -s sss …`: SSSD's NSS module only, whatever nsswitch.conf says.
fn getent(args: &[&str]) -> Output {
    Command::new("getent")
        .args(["-s", "sss"])
        .args(args)
        .output()
        .unwrap()
}

fn line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// pamtester through pam_sss: authenticate, then account management.
fn pam(user: &str, password: &str) -> bool {
    let mut child = Command::new("pamtester")
        .args([PAM_SERVICE, user, "authenticate", "acct_mgmt"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let _ = writeln!(stdin, "{password}");
    drop(stdin);
    child.wait().unwrap().success()
}

/// The PAM service this test authenticates through; removed when dropped.
struct PamService;

impl PamService {
    fn install() -> PamService {
        let text = "auth required pam_sss.so\naccount required pam_sss.so\n";
        std::fs::write(format!("/etc/pam.d/{PAM_SERVICE}"), text).unwrap();
        PamService
    }
}

impl Drop for PamService {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(format!("/etc/pam.d/{PAM_SERVICE}"));
    }
}

/// The directory: the differential dataset (users with their own numbers),
/// passwords for three Acme users, a disabled one, and SSSD's account.
async fn load(l: &Ldap) {
    let d = dirgate_target(l);
    for entry in dataset() {
        let (rc, out) = d.add(&entry).await;
        assert_eq!(rc, 0, "{entry}\n{out}");
    }
    for i in [0, 2, 4] {
        let change = format!(
            "dn: {}\nchangetype: modify\nreplace: userPassword\nuserPassword: pw-of-{i}\n",
            user_dn("Acme", i)
        );
        let (rc, out) = d.write("ldapmodify", &change).await;
        assert_eq!(rc, 0, "{out}");
    }
    let disable = format!(
        "dn: {}\nchangetype: modify\nreplace: dirgateLifecycleState\ndirgateLifecycleState: disabled\n",
        user_dn("Acme", 4)
    );
    let (rc, out) = d.write("ldapmodify", &disable).await;
    assert_eq!(rc, 0, "{out}");
    // A user with its own group number: its user private group resolves.
    // (Not 10010: the dataset's groups were given numbers from 10000 on, and
    // a real group holding the number takes the private group's place.)
    let own = format!(
        "dn: uid=acme10,{}\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\ncn: Ken\nsn: Ken\nuid: acme10\nuidNumber: 20010\ngidNumber: 20010\nhomeDirectory: /home/acme10\nloginShell: /bin/sh\n",
        org_dn("Acme")
    );
    let (rc, out) = d.add(&own).await;
    assert_eq!(rc, 0, "{out}");
    let service = format!(
        "dn: cn=sssd,ou=services,{BASE}\nobjectClass: applicationProcess\nobjectClass: simpleSecurityObject\nobjectClass: dirgateServiceAccount\ncn: sssd\ndirgateReadScope: {}\nuserPassword: {SERVICE_PW}\n",
        org_dn("Acme")
    );
    let (rc, out) = d.add(&service).await;
    assert_eq!(rc, 0, "{out}");
}

/// What a host sees, checked once per transport; the failures, if any.
fn checks(transport: &str) -> Vec<String> {
    let mut failed = Vec::new();
    let mut expect = |what: &str, got: String, want: &str| {
        if got != want {
            failed.push(format!("{transport} {what}: got {got:?}, want {want:?}"));
        }
    };
    // Users as migrated: their own numbers, home, shell and gecos.
    let passwd = |k: &str| line(&getent(&["passwd", k]));
    expect(
        "passwd acme00",
        passwd("acme00"),
        "acme00:*:10000:5000:Alice acme00:/home/acme00:/bin/bash",
    );
    expect(
        "passwd acme02",
        passwd("acme02"),
        "acme02:*:10002:5000:Carol acme02:/home/acme02:/usr/bin/fish",
    );
    expect(
        "passwd by number",
        passwd("10006"),
        "acme06:*:10006:5000:Grace acme06:/home/acme06:/bin/bash",
    );
    // Not a posixAccount, and another organization's user: no such user.
    expect("passwd acme01", passwd("acme01"), "");
    expect("passwd globex00", passwd("globex00"), "");
    // The primary group resolves, with its members.
    // Members in name order: SSSD lists them in an order of its own.
    let group = |k: &str| {
        let text = line(&getent(&["group", k]));
        let (head, members) = text.rsplit_once(':').unwrap_or((&text, ""));
        let mut members: Vec<&str> = members.split(',').collect();
        members.sort();
        format!("{head}:{}", members.join(","))
    };
    let devs = "devs:*:5000:acme00,acme02,acme04,acme06,acme08";
    expect("group devs", group("devs"), devs);
    expect("group by number", group("5000"), devs);
    let id = |who: &str| line(&Command::new("id").arg(who).output().unwrap());
    expect(
        "id acme04",
        id("acme04"),
        "uid=10004(acme04) gid=5000(devs) groups=5000(devs)",
    );
    // A user private group: the user's own number, no members.
    expect("group acme10", group("acme10"), "acme10:*:20010:");
    expect(
        "id acme10",
        id("acme10"),
        "uid=20010(acme10) gid=20010(acme10) groups=20010(acme10)",
    );
    // PAM: the right password, a wrong one, a disabled account.
    let pam_case = |who: &str, pw: &str| pam(who, pw).to_string();
    expect("pam acme00 right", pam_case("acme00", "pw-of-0"), "true");
    expect("pam acme00 wrong", pam_case("acme00", "pw-of-2"), "false");
    expect("pam acme02 right", pam_case("acme02", "pw-of-2"), "true");
    expect(
        "pam acme04 disabled",
        pam_case("acme04", "pw-of-4"),
        "false",
    );
    expect("pam nobody", pam_case("nobody", "x"), "false");
    failed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sssd_resolves_and_authenticates_migrated_users() {
    require_tools();
    let _turn = ONE_SSSD.lock().await;
    let tmp = tempfile::tempdir().unwrap();
    write_cert(tmp.path());
    let ca = tmp.path().join("cert.pem");
    let ca_copy = tempfile::NamedTempFile::new().unwrap();
    std::fs::copy(&ca, ca_copy.path()).unwrap();
    let extra = format!(
        "[logins]\nrequire_suffix = false\n[posix]\nuser_private_groups = true\n[ldap]\ntls_cert = \"{}\"\ntls_key = \"{}\"\nldaps_listen = \"127.0.0.1:0\"\n",
        ca.display(),
        tmp.path().join("key.pem").display()
    );
    let l = start_empty_in(tmp, &extra).await;
    load(&l).await;
    let _pam = PamService::install();
    let mut failed = Vec::new();
    for (name, transport) in [
        ("ldap", Transport::Plain),
        ("starttls", Transport::StartTls),
        ("ldaps", Transport::Ldaps),
    ] {
        let ca = ca_copy.path().to_owned();
        let sssd = tokio::task::block_in_place(|| start_sssd(&l, &ca, &transport, PERMIT));
        failed.extend(tokio::task::block_in_place(|| checks(name)));
        drop(sssd);
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// SSSD's shadow policy (`ldap_pwd_policy = shadow`, and the shadow
/// account expiry check) over dirgate's password policy. SSSD takes the
/// server's own verdict when a bind answers with the password policy
/// control, so where dirgate and the shadow attributes agree (the policy's
/// `shadowMax`) both refuse; a maximum age written for one user, which
/// dirgate keeps as written and leaves to the client as slapd does, is
/// SSSD's alone to enforce, and it does from the values dirgate shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sssd_follows_the_password_policy_through_the_shadow_attributes() {
    require_tools();
    let _turn = ONE_SSSD.lock().await;
    let tmp = tempfile::tempdir().unwrap();
    write_cert(tmp.path());
    let ca = tmp.path().join("cert.pem");
    let ca_copy = tempfile::NamedTempFile::new().unwrap();
    std::fs::copy(&ca, ca_copy.path()).unwrap();
    let extra = format!(
        "[logins]\nrequire_suffix = false\n[password_policy]\nmin_length = 1\n\
         reject_names = false\nmax_age_days = 30\nwarn_days = 7\n\
         [ldap]\ntls_cert = \"{}\"\ntls_key = \"{}\"\n",
        ca.display(),
        tmp.path().join("key.pem").display()
    );
    let l = start_empty_in(tmp, &extra).await;
    load(&l).await;
    let today = dirgate::directory::model::now() / (24 * 3600 * 1000);
    let d = dirgate_target(&l);
    // acme00: changed 10 days ago, with a maximum age of 5 days of its own;
    // acme02: changed 40 days ago, past the policy's 30.
    let changes = [
        (0, "shadowLastChange", today - 10),
        (0, "shadowMax", 5),
        (2, "shadowLastChange", today - 40),
    ];
    for (i, attr, value) in changes {
        let change = format!(
            "dn: {}\nchangetype: modify\nreplace: {attr}\n{attr}: {value}\n",
            user_dn("Acme", i)
        );
        let (rc, out) = d.write("ldapmodify", &change).await;
        assert_eq!(rc, 0, "{out}");
    }
    let whoami = |i: usize, pw: &'static str| {
        let (url, who) = (l.url.clone(), user_dn("Acme", i));
        async move {
            let args = ["-x", "-H", &url, "-D", &who, "-w", pw, "-e", "ppolicy"];
            common::server::run("ldapwhoami", &args).await
        }
    };
    // dirgate's own verdicts: acme00 binds without a warning, acme02 not.
    let (rc, out) = whoami(0, "pw-of-0").await;
    assert!(rc == 0 && !out.contains("xpire"), "{out}");
    let (rc, out) = whoami(2, "pw-of-2").await;
    assert!(rc == 49 && out.contains("expired"), "{out}");
    let _pam = PamService::install();
    let ca = ca_copy.path().to_owned();
    let mut failed = Vec::new();
    let mut expect = |what: &str, got: bool, want: bool| {
        if got != want {
            failed.push(format!("{what}: got {got}, want {want}"));
        }
    };
    let pam_case = |who: &str, pw: &str| tokio::task::block_in_place(|| pam(who, pw));
    let sssd = tokio::task::block_in_place(|| start_sssd(&l, &ca, &Transport::StartTls, SHADOW));
    expect(
        "acme00 (its own 5 days)",
        pam_case("acme00", "pw-of-0"),
        false,
    );
    expect(
        "acme02 (the policy's 30 days)",
        pam_case("acme02", "pw-of-2"),
        false,
    );
    drop(sssd);
    // A fresh password for acme00 (its own maximum removed) lets it in,
    // until its account's expiry day has passed.
    let fresh = format!(
        "dn: {}\nchangetype: modify\nreplace: shadowLastChange\nshadowLastChange: {today}\n-\n\
         delete: shadowMax\n",
        user_dn("Acme", 0)
    );
    let (rc, out) = d.write("ldapmodify", &fresh).await;
    assert_eq!(rc, 0, "{out}");
    let sssd = tokio::task::block_in_place(|| start_sssd(&l, &ca, &Transport::StartTls, SHADOW));
    expect("acme00 (fresh)", pam_case("acme00", "pw-of-0"), true);
    drop(sssd);
    let expire = format!(
        "dn: {}\nchangetype: modify\nreplace: shadowExpire\nshadowExpire: {}\n",
        user_dn("Acme", 0),
        today - 1
    );
    let (rc, out) = d.write("ldapmodify", &expire).await;
    assert_eq!(rc, 0, "{out}");
    let sssd = tokio::task::block_in_place(|| start_sssd(&l, &ca, &Transport::StartTls, SHADOW));
    expect(
        "acme00 (expired yesterday)",
        pam_case("acme00", "pw-of-0"),
        false,
    );
    drop(sssd);
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
