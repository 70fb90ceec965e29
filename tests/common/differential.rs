//! The slapd side of the differential tests (`tests/ldap_differential*.rs`):
//! a real slapd in the foreground on a free loopback port, the multi-tenant
//! dataset both servers load with `ldapadd`, ldapsearch answers normalized
//! for comparison (dirgate's own attributes and classes left out), and the
//! description of a case that differs.
#![allow(dead_code)]

use super::server::{BASE, Ldap, run};
pub use super::slapd_tools::{OPENSSH_LPK, sbin};
use dirgate::ldap::dn::Dn;
use dirgate::ldap::ldif::parse;
use dirgate::ldap::schema;
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SLAPD_ADMIN: &str = "cn=admin,dc=example,dc=com";
pub const SLAPD_PW: &str = "differential";

/// A slapd in the foreground; killed when dropped.
pub struct Slapd {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

pub fn start_slapd() -> Slapd {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    std::fs::create_dir_all(&db).unwrap();
    let lpk = dir.path().join("openssh-lpk.schema");
    std::fs::write(&lpk, OPENSSH_LPK).unwrap();
    let mut conf = String::new();
    for name in ["core", "cosine", "inetorgperson", "nis"] {
        conf.push_str(&format!("include /etc/ldap/schema/{name}.schema\n"));
    }
    conf.push_str(&format!(
        "include {}\nmodulepath /usr/lib/ldap\nmoduleload back_mdb\nmoduleload refint\n\
         database mdb\nsuffix \"{BASE}\"\nrootdn \"{SLAPD_ADMIN}\"\nrootpw {SLAPD_PW}\n\
         directory {}\noverlay refint\nrefint_attributes member uniqueMember manager\n",
        lpk.display(),
        db.display()
    ));
    let conf_path = dir.path().join("slapd.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let port = free_port();
    let url = format!("ldap://127.0.0.1:{port}");
    // -d 0: stay in the foreground (a child this test can kill), log nothing.
    let child = Command::new(sbin("slapd"))
        .arg("-f")
        .arg(&conf_path)
        .args(["-h", &format!("{url}/"), "-d", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut slapd = Slapd {
        child,
        url,
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = slapd.child.try_wait().unwrap() {
            let mut why = String::new();
            if let Some(mut e) = slapd.child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut why);
            }
            panic!("slapd exited ({status}): {why}");
        }
        assert!(Instant::now() < deadline, "slapd did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    slapd
}

/// One server as ldapsearch reaches it.
pub struct Target<'a> {
    pub url: &'a str,
    pub dn: &'a str,
    pub pw: &'a str,
}

impl Target<'_> {
    pub async fn ldap(&self, cmd: &str, extra: &[&str]) -> (i32, String) {
        let mut args = vec!["-x", "-H", self.url, "-D", self.dn, "-w", self.pw];
        args.extend_from_slice(extra);
        run(cmd, &args).await
    }

    pub async fn add(&self, ldif: &str) -> (i32, String) {
        self.write("ldapadd", ldif).await
    }

    /// `cmd` (ldapadd, ldapmodify, ldapdelete, ldapmodrdn) with `input`
    /// as its file.
    pub async fn write(&self, cmd: &str, input: &str) -> (i32, String) {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), input).unwrap();
        self.ldap(cmd, &["-f", file.path().to_str().unwrap()]).await
    }

    pub async fn search(&self, base: &str, scope: &str, filter: &str, attrs: &[&str]) -> Answer {
        let mut args = vec![
            "-LLL",
            "-o",
            "ldif-wrap=no",
            "-b",
            base,
            "-s",
            scope,
            filter,
        ];
        args.extend_from_slice(attrs);
        let (rc, out) = self.ldap("ldapsearch", &args).await;
        Answer::of(rc, &out)
    }
}

/// slapd and dirgate, both loaded with the dataset. dirgate takes bare
/// logins, as OpenLDAP directories have them (`uid=acme00`), and shows no
/// login shell nobody wrote.
pub async fn loaded() -> (Slapd, Ldap) {
    let slapd = start_slapd();
    let config = "[logins]\nrequire_suffix = false\n[posix]\nlogin_shell = \"\"";
    let l = super::server::start_empty(config).await;
    load(&dirgate_target(&l), &slapd_target(&slapd)).await;
    (slapd, l)
}

pub fn dirgate_target(l: &Ldap) -> Target<'_> {
    Target {
        url: &l.url,
        dn: &l.admin_dn,
        pw: &l.admin_pw,
    }
}

pub fn slapd_target(s: &Slapd) -> Target<'_> {
    Target {
        url: &s.url,
        dn: SLAPD_ADMIN,
        pw: SLAPD_PW,
    }
}

/// Entries by normalized DN: attribute (lower case) → values.
pub type Entries = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

/// What one ldapsearch answered, normalized for comparison.
#[derive(Debug, PartialEq)]
pub struct Answer {
    pub rc: i32,
    /// `Matched DN:` of an error, normalized.
    pub matched: Option<String>,
    pub entries: Entries,
}

pub fn normalized_dn(dn: &str) -> String {
    Dn::parse(dn)
        .unwrap_or_else(|e| panic!("{dn}: {e}"))
        .normalized_str()
        .to_owned()
}

/// Whether an attribute or object class is dirgate's own.
pub fn dirgates(name: &str) -> bool {
    name.to_ascii_lowercase().starts_with("dirgate")
}

/// An LDIF line (`name: value`, `name:: base64`), not one of ldapsearch's
/// messages (`No such object (32)`, `Additional information: …`).
pub fn is_ldif(line: &str) -> bool {
    line.split_once(':').is_some_and(|(name, _)| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b';' || b == b'.')
    })
}

impl Answer {
    pub fn of(rc: i32, out: &str) -> Answer {
        let mut ldif = String::new();
        let mut matched = None;
        for line in out.lines() {
            if let Some(dn) = line.strip_prefix("Matched DN: ") {
                matched = Some(normalized_dn(dn));
            } else if line.is_empty() || is_ldif(line) {
                ldif.push_str(line);
                ldif.push('\n');
            }
        }
        let records = parse(&ldif).unwrap_or_else(|e| panic!("{e}:\n{out}"));
        let mut entries = Entries::new();
        for r in records {
            let mut attrs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for (name, bytes) in &r.attrs {
                // Binary values compare as their bytes, shown lossily.
                let value = &String::from_utf8_lossy(bytes).into_owned();
                let own =
                    dirgates(name) || (name.eq_ignore_ascii_case("objectClass") && dirgates(value));
                if own {
                    continue;
                }
                let is_dn =
                    schema::attribute(name).is_some_and(|t| t.syntax == schema::syntax_oids::DN);
                let value = if is_dn {
                    normalized_dn(value)
                } else {
                    value.clone()
                };
                attrs.entry(name.to_lowercase()).or_default().insert(value);
            }
            entries.insert(normalized_dn(&r.dn), attrs);
        }
        Answer {
            rc,
            matched,
            entries,
        }
    }
}

// ----------------------------------------------------------------- data --

pub const ORGS: [&str; 3] = ["Acme", "Globex", "Initech"];
pub const GIVEN: [&str; 10] = [
    "Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy",
];
pub const FAMILY: [&str; 10] = [
    "Smith", "Jones", "White", "Brown", "Zoë", "Miller", "Hopper", "Klum", "Petrov", "Lee",
];
pub const TITLES: [&str; 4] = ["Engineer", "Senior Engineer", "Manager", "Director"];
pub const SHELLS: [&str; 3] = ["/bin/bash", "/bin/zsh", "/usr/bin/fish"];

pub fn org_dn(org: &str) -> String {
    format!("ou={org},{BASE}")
}

/// Where user `i` of `org` sits: the organization itself, its People unit
/// or a department under it.
pub fn user_dn(org: &str, i: usize) -> String {
    let uid = uid(org, i);
    match i % 3 {
        0 => format!("uid={uid},{}", org_dn(org)),
        1 => format!("uid={uid},ou=People,{}", org_dn(org)),
        _ => format!("uid={uid},ou=Berlin,ou=People,{}", org_dn(org)),
    }
}

pub fn uid(org: &str, i: usize) -> String {
    format!("{}{i:02}", org.to_lowercase())
}

pub fn user(o: usize, org: &str, i: usize) -> String {
    let (given, family) = (GIVEN[i], FAMILY[(i + o) % 10]);
    let uid = uid(org, i);
    let mut e = format!("dn: {}\n", user_dn(org, i));
    if i.is_multiple_of(2) {
        e.push_str("objectClass: top\n");
    }
    e.push_str("objectClass: inetOrgPerson\n");
    let posix = i.is_multiple_of(2);
    if posix {
        e.push_str("objectClass: posixAccount\nobjectClass: shadowAccount\n");
    }
    if i.is_multiple_of(4) {
        e.push_str("objectClass: ldapPublicKey\n");
    }
    e.push_str(&format!("uid: {uid}\ncn: {given} {family}\nsn: {family}\n"));
    if i.is_multiple_of(3) {
        e.push_str(&format!("cn: {given} of {org}\n"));
    }
    if i != 9 {
        e.push_str(&format!("givenName: {given}\n"));
    }
    if i % 2 == 1 {
        e.push_str(&format!("displayName: {given} {family} ({org})\n"));
    }
    let domain = format!("{}.example", org.to_lowercase());
    e.push_str(&format!("mail: {uid}@{domain}\n"));
    if i.is_multiple_of(2) {
        e.push_str(&format!("mail: {}.{}@{domain}\n", given.to_lowercase(), i));
    }
    if i.is_multiple_of(5) {
        e.push_str(&format!("mail: {uid}@alias.example\n"));
    }
    e.push_str(&format!("title: {}\n", TITLES[(i + o) % 4]));
    let phone = match i % 3 {
        0 => format!("+1 555 01{o}{i}"),
        1 => format!("+1-555-01{o}{i}"),
        _ => format!("+15550{o}{i}"),
    };
    e.push_str(&format!("telephoneNumber: {phone}\n"));
    if i % 4 == 1 {
        e.push_str(&format!(
            "telephoneNumber: +49 30 {o}{i}\nmobile: +49 170 {i}{o}\n"
        ));
    }
    e.push_str(&format!(
        "employeeNumber: {}\ndepartmentNumber: {}\n",
        1000 + o * 100 + i,
        10 + i % 3
    ));
    if i % 3 != 2 {
        e.push_str(&format!("description: {given} works at {org}\n"));
    }
    if i % 4 == 2 {
        e.push_str("employeeType: contractor\nemployeeType: remote\n");
    }
    if i % 3 == 2 {
        e.push_str("l: Berlin\npostalCode: 10115\nstreet: Unter den Linden 1\n");
    }
    if i > 0 {
        e.push_str(&format!("manager: {}\n", user_dn(org, 0)));
    }
    if posix {
        e.push_str(&format!(
            "uidNumber: {}\ngidNumber: {}\nhomeDirectory: /home/{uid}\nloginShell: {}\ngecos: {given} {uid}\nshadowLastChange: {}\n",
            10_000 + o * 100 + i,
            5000 + o,
            SHELLS[i % 3],
            19_000 + i
        ));
    }
    if i.is_multiple_of(4) {
        e.push_str(&format!(
            "sshPublicKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{uid} {uid}@laptop\n"
        ));
    }
    e
}

pub fn unit(dn: &str, ou: &str, desc: &str) -> String {
    format!(
        "dn: {dn}\nobjectClass: top\nobjectClass: organizationalUnit\nou: {ou}\ndescription: {desc}\n"
    )
}

/// Every entry of the battery's directory, parents first (the suffix and
/// dirgate's fixed entries are not among them).
pub fn dataset() -> Vec<String> {
    let mut out = Vec::new();
    for (o, org) in ORGS.iter().enumerate() {
        let mut tenant = unit(&org_dn(org), org, &format!("Tenant {org}"));
        if o == 1 {
            // A tenant OU as slapd holds one: more than a name.
            tenant.push_str("description: Since 1989\nl: Springfield\ntelephoneNumber: +1 555 0199\nbusinessCategory: Manufacturing\n");
        }
        out.push(tenant);
        let people = format!("ou=People,{}", org_dn(org));
        out.push(unit(&people, "People", &format!("Everyone at {org}")));
        out.push(unit(
            &format!("ou=Berlin,{people}"),
            "Berlin",
            "Berlin office",
        ));
        out.push(unit(
            &format!("ou=Groups,{}", org_dn(org)),
            "Groups",
            "Groups",
        ));
        for i in 0..10 {
            out.push(user(o, org, i));
        }
        let groups = format!("ou=Groups,{}", org_dn(org));
        let members = |range: std::ops::Range<usize>, attr: &str| -> String {
            range
                .map(|i| format!("{attr}: {}\n", user_dn(org, i)))
                .collect()
        };
        out.push(format!(
            "dn: cn=staff,{groups}\nobjectClass: groupOfNames\ncn: staff\ndescription: All staff of {org}\n{}",
            members(0..6, "member")
        ));
        out.push(format!(
            "dn: cn=leads,{groups}\nobjectClass: groupOfUniqueNames\ncn: leads\ncn: team leads\n{}",
            members(0..2, "uniqueMember")
        ));
        let uids: String = (0..10)
            .step_by(2)
            .map(|i| format!("memberUid: {}\n", uid(org, i)))
            .collect();
        out.push(format!(
            "dn: cn=devs,{groups}\nobjectClass: posixGroup\ncn: devs\ngidNumber: {}\n{uids}",
            5000 + o
        ));
        out.push(format!(
            "dn: cn=everyone,{groups}\nobjectClass: groupOfNames\ncn: everyone\nmember: cn=staff,{groups}\nmember: cn=leads,{groups}\n"
        ));
    }
    for (i, name) in ["root", "backup"].iter().enumerate() {
        out.push(format!(
            "dn: uid={name},ou=people,{BASE}\nobjectClass: inetOrgPerson\nuid: {name}\ncn: {name}\nsn: Operator\nmail: {name}@example.com\ntitle: Operator\nemployeeNumber: {}\n",
            9000 + i
        ));
    }
    out.push(format!(
        "dn: cn=admins,ou=groups,{BASE}\nobjectClass: groupOfNames\ncn: admins\nmember: {}\nmember: {}\nmember: uid=root,ou=people,{BASE}\n",
        user_dn("Acme", 0),
        user_dn("Globex", 0)
    ));
    out
}

/// Loads the dataset into dirgate, copies dirgate's suffix and fixed
/// entries into slapd as dirgate shows them, then loads the dataset there.
pub async fn load(dirgate: &Target<'_>, slapd: &Target<'_>) {
    let data = dataset();
    for entry in &data {
        let (rc, out) = dirgate.add(entry).await;
        assert_eq!(rc, 0, "dirgate refused\n{entry}\n{out}");
    }
    let ours: BTreeSet<String> = data
        .iter()
        .map(|e| normalized_dn(e.lines().next().unwrap().trim_start_matches("dn: ")))
        .collect();
    let (rc, all) = dirgate
        .ldap(
            "ldapsearch",
            &["-LLL", "-o", "ldif-wrap=no", "-b", BASE, "(objectClass=*)"],
        )
        .await;
    assert_eq!(rc, 0, "{all}");
    let mut fixed: Vec<(usize, String)> = Vec::new();
    for block in all.split("\n\n").filter(|b| b.starts_with("dn: ")) {
        let dn = block.lines().next().unwrap().trim_start_matches("dn: ");
        if ours.contains(&normalized_dn(dn)) {
            continue;
        }
        let kept: String = block
            .lines()
            .filter(|l| {
                let (name, value) = l.split_once(": ").unwrap_or((l, ""));
                let class = name.eq_ignore_ascii_case("objectClass");
                !(dirgates(name) || class && dirgates(value))
            })
            .map(|l| format!("{l}\n"))
            .collect();
        fixed.push((dn.matches(',').count(), kept));
    }
    assert!(fixed.len() >= 4, "fixed entries: {fixed:?}");
    // Parents first: by depth, the dataset's own order within a depth.
    let depth = |e: &str| e.lines().next().unwrap_or("").matches(',').count();
    fixed.extend(data.into_iter().map(|e| (depth(&e), e)));
    fixed.sort_by_key(|(d, _)| *d);
    for (_, entry) in fixed {
        let (rc, out) = slapd.add(&entry).await;
        assert_eq!(rc, 0, "slapd refused\n{entry}\n{out}");
    }
}

/// One differing case, entry by entry.
pub fn describe(
    base: &str,
    scope: &str,
    filter: &str,
    attrs: &[&str],
    ours: &Answer,
    theirs: &Answer,
) -> String {
    let mut out = format!("-s {scope} -b '{base}' '{filter}' {attrs:?}:\n");
    if (ours.rc, &ours.matched) != (theirs.rc, &theirs.matched) {
        out.push_str(&format!(
            "  exit dirgate {} {:?}, slapd {} {:?}\n",
            ours.rc, ours.matched, theirs.rc, theirs.matched
        ));
    }
    let dns: BTreeSet<&String> = ours.entries.keys().chain(theirs.entries.keys()).collect();
    for dn in dns {
        match (ours.entries.get(dn), theirs.entries.get(dn)) {
            (Some(a), Some(b)) if a == b => {}
            (Some(_), None) => out.push_str(&format!("  only dirgate: {dn}\n")),
            (None, Some(_)) => out.push_str(&format!("  only slapd:   {dn}\n")),
            (Some(a), Some(b)) => {
                let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                for n in names {
                    if a.get(n) != b.get(n) {
                        out.push_str(&format!(
                            "  {dn} {n}: dirgate {:?} slapd {:?}\n",
                            a.get(n),
                            b.get(n)
                        ));
                    }
                }
            }
            (None, None) => {}
        }
    }
    out
}
