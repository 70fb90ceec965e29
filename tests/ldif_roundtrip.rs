//! The round trip with OpenLDAP: a multi-tenant LDIF (nested units,
//! inetOrgPerson users with several `mail` and `cn` values, `title`,
//! `telephoneNumber`, `manager`, POSIX numbers and `{SSHA}` passwords,
//! SSH keys (openssh-lpk), a `jpegPhoto` and a `userCertificate;binary`,
//! groupOfNames, groupOfUniqueNames and posixGroup groups with members,
//! nested groups, values that need base64 and folding) is slapadd-ed into
//! a fresh slapd database and slapcat-ed; `dirgate load-ldif` loads that
//! output into a fresh dirgate, `dirgate export-ldif` exports it through
//! the running daemon, and the export is slapadd-ed into a second fresh
//! database. The two databases must hold the same entries (slapcat of
//! each, values compared as sets, DNs normalized), with entryUUID and the
//! timestamps kept through dirgate; only what slapd generates itself
//! (entryCSN, creatorsName, …, and the ids of dirgate's fixed entries,
//! which keep none) is not compared.
//!
//! Twice: once with OpenLDAP's stock schemas only, whose export must carry
//! nothing of dirgate's, and once with data that uses dirgate's own
//! attributes (rights, flags, seats, the profile texts SCIM shares, a
//! service account, a role in dirgate's default shape) and labeled URIs,
//! where both databases load `dirgate schema`'s output.
//!
//! slapadd and slapcat work offline on a database directory: no slapd
//! daemon runs. They are found in /usr/sbin (scripts/test installs the
//! Debian package `slapd` when they are missing).

#[path = "common/process.rs"]
mod process;
#[path = "common/slapd_tools.rs"]
mod slapd_tools;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use dirgate::ldap::dn::Dn;
use dirgate::ldap::ldif::parse;
use dirgate::ldap::schema;
use process::{Daemon, command, text};
use slapd_tools::{OPENSSH_LPK, sbin};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const BASE: &str = "dc=example,dc=com";

/// OpenLDAP's schemas every database loads.
const STOCK_SCHEMAS: [&str; 4] = ["core", "cosine", "inetorgperson", "nis"];

/// What slapd writes into every entry itself: never compared.
const GENERATED: [&str; 5] = [
    "structuralObjectClass",
    "entryCSN",
    "creatorsName",
    "modifiersName",
    "contextCSN",
];

/// What dirgate keeps of every entry but its fixed ones.
const IDENTITY: [&str; 3] = ["entryUUID", "createTimestamp", "modifyTimestamp"];

/// One offline slapd database in a directory of its own.
struct Database {
    conf: PathBuf,
}

impl Database {
    fn new(dir: &Path, extra_schema: Option<&Path>) -> Database {
        let db = dir.join("db");
        std::fs::create_dir_all(&db).unwrap();
        let mut conf = String::new();
        for name in STOCK_SCHEMAS {
            conf.push_str(&format!("include /etc/ldap/schema/{name}.schema\n"));
        }
        let lpk = dir.join("openssh-lpk.schema");
        std::fs::write(&lpk, OPENSSH_LPK).unwrap();
        conf.push_str(&format!("include {}\n", lpk.display()));
        if let Some(path) = extra_schema {
            conf.push_str(&format!("include {}\n", path.display()));
        }
        conf.push_str(&format!(
            "modulepath /usr/lib/ldap\nmoduleload back_mdb\ndatabase mdb\nsuffix \"{BASE}\"\ndirectory {}\n",
            db.display()
        ));
        let path = dir.join("slapd.conf");
        std::fs::write(&path, conf).unwrap();
        Database { conf: path }
    }

    fn add(&self, ldif: &Path) {
        let out = Command::new(sbin("slapadd"))
            .arg("-f")
            .arg(&self.conf)
            .arg("-l")
            .arg(ldif)
            .output()
            .unwrap();
        assert!(out.status.success(), "slapadd {}: {out:?}", ldif.display());
    }

    /// slapcat's output, as slapcat writes it (folded).
    fn dump(&self) -> String {
        let out = Command::new(sbin("slapcat"))
            .arg("-f")
            .arg(&self.conf)
            .output()
            .unwrap();
        assert!(out.status.success(), "slapcat: {out:?}");
        text(&out.stdout)
    }
}

/// Entries by normalized DN: attribute (lower case) → values, DN-valued
/// ones normalized.
type Entries = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn normalized_dn(dn: &str) -> String {
    Dn::parse(dn)
        .unwrap_or_else(|e| panic!("{dn}: {e}"))
        .normalized_str()
        .to_owned()
}

/// dirgate's fixed entries keep no id or times of their own.
fn fixed(dn: &str) -> bool {
    let base = normalized_dn(BASE);
    let fixed_branches = ["people", "groups", "services"].map(|b| format!("ou={b},{base}"));
    dn == base
        || fixed_branches.contains(&dn.to_owned())
        || dn.starts_with("ou=roles,")
        || dn.starts_with("ou=applications,")
}

fn entries(dump: &str) -> Entries {
    let mut out = Entries::new();
    for r in parse(dump).unwrap() {
        let dn = normalized_dn(&r.dn);
        let mut attrs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (name, value) in &r.attrs {
            let skip = GENERATED.iter().any(|g| g.eq_ignore_ascii_case(name))
                || (fixed(&dn) && IDENTITY.iter().any(|i| i.eq_ignore_ascii_case(name)));
            if skip {
                continue;
            }
            let is_dn =
                schema::attribute(name).is_some_and(|t| t.syntax == schema::syntax_oids::DN);
            // Binary values (a photo, a certificate) compare as their
            // bytes, shown in base64.
            let value = match std::str::from_utf8(value) {
                Ok(text) if is_dn => normalized_dn(text),
                Ok(text) => text.to_owned(),
                Err(_) => format!("base64:{}", STANDARD.encode(value)),
            };
            attrs.entry(name.to_lowercase()).or_default().insert(value);
        }
        assert!(out.insert(dn.clone(), attrs).is_none(), "{dn} twice");
    }
    out
}

/// Both sets of entries, entry by entry, with what differs.
fn assert_same(one: &Entries, two: &Entries) {
    let mut wrong = Vec::new();
    for dn in one.keys().chain(two.keys()).collect::<BTreeSet<_>>() {
        match (one.get(dn), two.get(dn)) {
            (Some(a), Some(b)) if a == b => {}
            (a, b) => wrong.push(format!("{dn}:\n  first:  {a:?}\n  second: {b:?}")),
        }
    }
    assert!(
        wrong.is_empty(),
        "the databases differ:\n{}",
        wrong.join("\n")
    );
}

/// Stops the daemon the way systemd does (SIGTERM to its pid) and waits.
fn stop(mut d: Daemon) {
    let pid = d.child.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    d.child.wait().unwrap();
}

/// slapd → slapcat → dirgate load-ldif → dirgate export-ldif → slapd, on
/// `input`; both slapcat outputs, and the export.
fn round_trip(input: &str, dirgate_schema: bool) -> (Entries, Entries, String) {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let schema_file = t.join("dirgate.schema");
    let printed = command(t, "").arg("schema").output().unwrap();
    assert!(printed.status.success(), "{printed:?}");
    std::fs::write(&schema_file, &printed.stdout).unwrap();
    let extra = dirgate_schema.then_some(schema_file.as_path());

    std::fs::write(t.join("input.ldif"), input).unwrap();
    let first = Database::new(&t.join("first"), extra);
    first.add(&t.join("input.ldif"));
    let dump = first.dump();
    std::fs::write(t.join("slapcat.ldif"), &dump).unwrap();

    // The load adds the login suffix its logins need (example.com).
    let loaded = command(t, "")
        .arg("load-ldif")
        .arg(t.join("slapcat.ldif"))
        .output()
        .unwrap();
    assert!(loaded.status.success(), "load-ldif: {loaded:?}");
    assert!(
        text(&loaded.stdout).contains("; 1 login suffixes added)"),
        "{loaded:?}"
    );

    let daemon = Daemon::start(t, "");
    let exported = t.join("export.ldif");
    daemon.ok(&["export-ldif", "--out", exported.to_str().unwrap()]);
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&exported).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "the export holds password hashes");
    let export = std::fs::read_to_string(&exported).unwrap();
    assert_eq!(
        daemon.ok(&["export-ldif"]),
        export,
        "stdout and --out differ"
    );
    stop(daemon);

    let second = Database::new(&t.join("second"), extra);
    second.add(&exported);
    (entries(&dump), entries(&second.dump()), export)
}

/// Two tenants as slapd holds them: see the file's header.
const TENANTS: &str = include_str!("fixtures/roundtrip-tenants.ldif");

/// Entries that use dirgate's own schema.
const DIRGATE_DATA: &str = include_str!("fixtures/roundtrip-dirgate.ldif");

fn users_and_groups(e: &Entries) -> usize {
    e.keys()
        .filter(|dn| dn.starts_with("uid=") || dn.starts_with("cn="))
        .count()
}

#[test]
fn slapd_data_goes_through_dirgate_and_back_unchanged() {
    let (one, two, export) = round_trip(TENANTS, false);
    assert_eq!(users_and_groups(&one), 11, "{one:?}");
    assert_same(&one, &two);
    // The photo and the certificate went through byte for byte (compared
    // above), written as slapcat writes them.
    let frank = &one[&normalized_dn(&format!("uid=frank@example.com,ou=People,ou=Acme,{BASE}"))];
    for binary in ["jpegphoto", "usercertificate;binary"] {
        let values = frank.get(binary);
        let bytes = values
            .and_then(|v| v.first())
            .map(|v| v.starts_with("base64:"));
        assert_eq!(bytes, Some(true), "{binary}: {frank:?}");
    }
    assert!(
        export.contains("\njpegPhoto:: /9j/4AAQSkZJRgAB"),
        "{export}"
    );
    assert!(export.contains("\nuserCertificate;binary:: MIIBpDCCAUugAwIBAgIU"));
    // The ids and times slapd gave the entries were compared: dirgate kept them.
    let alice = &one[&normalized_dn(&format!(
        "uid=alice@example.com,ou=Berlin,ou=People,ou=Acme,{BASE}"
    ))];
    for kept in [
        "entryuuid",
        "createtimestamp",
        "modifytimestamp",
        "userpassword",
    ] {
        assert!(alice.contains_key(kept), "{kept}: {alice:?}");
    }
    // Nothing of dirgate's: a stock slapd takes the export.
    assert!(!export.to_lowercase().contains("dirgate"), "{export}");
    // Values that need it are base64, long lines folded.
    assert!(export.contains("\ncn:: Wm/DqyDDhW5nc3Ryw7Zt\n"), "{export}");
    assert!(export.contains("\ndescription:: IHN0YXJ0cyB3aXRoIGEgc3BhY2U=\n"));
    assert!(export.lines().all(|l| l.len() <= 76));
    assert!(export.contains("\n "), "nothing folded");
}

#[test]
fn dirgate_attributes_go_through_slapd_with_dirgate_schema() {
    let input = format!("{TENANTS}\n{DIRGATE_DATA}");
    let (one, two, export) = round_trip(&input, true);
    assert_eq!(users_and_groups(&one), 18, "{one:?}");
    assert_same(&one, &two);
    for kept in [
        "dirgateSeats: 5",
        "dirgateLifecycleState: disabled",
        "dirgateNoSecondFactor: TRUE",
        "dirgateRight: user-management",
        "objectClass: dirgateGroup",
        "dirgateReadScope: ou=Initech",
        "dirgateCostCenter: CC-4200",
        "dirgateTimezone: America/Chicago",
        "labeledURI: https://initech.example/~milton  Milton's stapler",
        "dirgateCarriedBy: cn=Managers,ou=roles,ou=Initech,dc=example,dc=com",
        "dirgateRequestable: TRUE",
    ] {
        assert!(export.contains(kept), "{kept} not in the export");
    }
}
