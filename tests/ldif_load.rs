//! `dirgate load-ldif` (the library's `ldap::load::load`) on a multi-tenant
//! export like slapcat's: dirgate's fixed entries are taken as they are,
//! organizations, users with every attribute, groups whose members come
//! later in the file, nested groups and service accounts all load, `{SSHA}`
//! hashes verify, slapcat's operational attributes load as the ids and
//! times dirgate keeps (the rest left to dirgate), and a file with one bad
//! entry loads nothing and names that entry's line.

mod common;

use common::{fixture, system};
use dirgate::directory::auth::Principal;
use dirgate::directory::model::Member;
use dirgate::ldap::dn::Dn;
use dirgate::ldap::load::{Loaded, load};

const BASE: &str = "dc=example,dc=com";

/// {SSHA} of "secret" with salt "saltsalt".
const SSHA: &str = "{SSHA}1G904nLkTkGWjKNnQuB/hpWXC/hzYWx0c2FsdA==";

/// `openssl passwd -6 -salt saltsalt secret`, as /etc/shadow and directories
/// migrated from it hold SHA-512 crypt.
const CRYPT: &str = "{CRYPT}$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1";

fn export() -> String {
    format!(
        "version: 1

dn: {BASE}
objectClass: top
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=Tenant-X,{BASE}
objectClass: organizationalUnit
ou: Tenant-X
description: First tenant

dn: cn=Admins,ou=roles,ou=Tenant-X,{BASE}
objectClass: groupOfNames
cn: Admins
member: cn=Ops,ou=roles,ou=Tenant-X,{BASE}
member: uid=xena@example.com,ou=Tenant-X,{BASE}

dn: cn=Ops,ou=roles,ou=Tenant-X,{BASE}
objectClass: groupOfNames
objectClass: posixGroup
cn: Ops
gidNumber: 7000
member: uid=yuri@example.com,ou=Tenant-X,{BASE}

dn: uid=xena@example.com,ou=Tenant-X,{BASE}
objectClass: inetOrgPerson
objectClass: posixAccount
uid: xena@example.com
cn: Xena
cn: Warrior Princess
sn: X
title: Chief
mail: xena@example.com
mail: xena@alias.example.com
uidNumber: 7001
gidNumber: 7000
homeDirectory: /home/xena
loginShell: /bin/zsh
userPassword: {SSHA}

dn: uid=yuri@example.com,ou=Tenant-X,{BASE}
objectClass: inetOrgPerson
cn: Yuri
sn: Y
description: Loaded after the groups that name him
userPassword: {CRYPT}

dn: ou=People,ou=Tenant-X,{BASE}
objectClass: organizationalUnit
ou: People

dn: uid=zack@example.com,ou=People,ou=Tenant-X,{BASE}
objectClass: inetOrgPerson
cn: Zack
sn: Z

dn: cn=gitea,ou=services,{BASE}
objectClass: applicationProcess
objectClass: simpleSecurityObject
objectClass: dirgateServiceAccount
cn: gitea
userPassword: {SSHA}
dirgateReadScope: ou=Tenant-X,{BASE}
"
    )
}

#[test]
fn a_multi_tenant_export_loads_whole() {
    let f = fixture();
    let base = Dn::parse(BASE).unwrap();
    let loaded = load(&f.dir, &base, &export()).unwrap();
    assert_eq!(
        loaded,
        Loaded {
            organizations: 1,
            units: 1,
            users: 3,
            roles: 2,
            services: 1,
            applications: 0,
            fixed: 1,
            suffixes: 0,
        }
    );
    let sys = system(&f.dir);
    let xena = f.dir.get_user_by_login(&sys, "xena@example.com").unwrap();
    assert_eq!((xena.uid_number, xena.gid_number), (7001, 7000));
    assert_eq!(xena.attrs.get("cn"), ["Xena", "Warrior Princess"]);
    assert_eq!(xena.attrs.get("loginShell"), ["/bin/zsh"]);
    assert_eq!(xena.profile.title.as_deref(), Some("Chief"));
    assert_eq!(
        xena.mail_values(),
        ["xena@example.com", "xena@alias.example.com"]
    );
    let yuri = f.dir.get_user_by_login(&sys, "yuri@example.com").unwrap();
    let zack = f.dir.get_user_by_login(&sys, "zack@example.com").unwrap();
    assert!(zack.unit.is_some() && zack.org == xena.org, "{zack:?}");
    let (admins, ops) = f
        .dir
        .store()
        .read(|tx| {
            let org = tx.org_by_name("Tenant-X")?.unwrap().id;
            Ok::<_, dirgate::store::StoreError>((
                tx.role_by_name(Some(org), "Admins")?.unwrap(),
                tx.role_by_name(Some(org), "Ops")?.unwrap(),
            ))
        })
        .unwrap();
    assert_eq!(ops.gid_number, 7000);
    let members = |id| f.dir.store().read(|tx| tx.role_members(id)).unwrap();
    let mut want = vec![Member::Role(ops.id), Member::User(xena.id)];
    want.sort();
    let mut got = members(admins.id);
    got.sort();
    assert_eq!(got, want);
    assert_eq!(members(ops.id), vec![Member::User(yuri.id)]);
    // The imported hash verifies, for the user and the service account.
    let req = dirgate::directory::Request::internal();
    for who in [
        Principal::Login("xena@example.com".into()),
        Principal::Login("yuri@example.com".into()),
        Principal::Service("gitea".into()),
    ] {
        assert!(f.dir.authenticate(&req, &who, "secret").is_ok(), "{who:?}");
        assert!(f.dir.authenticate(&req, &who, "wrong").is_err(), "{who:?}");
    }
}

#[test]
fn one_bad_entry_loads_nothing_and_names_its_line() {
    let f = fixture();
    let base = Dn::parse(BASE).unwrap();
    let bad = export().replace("title: Chief\n", "title: Chief\nfavouriteColour: blue\n");
    let err = load(&f.dir, &base, &bad).unwrap_err();
    assert!(err.starts_with("line 28: uid=xena@example.com"), "{err}");
    assert!(err.contains("favouriteColour"), "{err}");
    let sys = system(&f.dir);
    assert!(f.dir.get_org(&sys, "Tenant-X").is_err());
    // A member naming nothing is refused too, after every entry was added.
    let dangling = export().replace(
        &format!("member: uid=yuri@example.com,ou=Tenant-X,{BASE}"),
        &format!("member: uid=nobody@example.com,ou=Tenant-X,{BASE}"),
    );
    let err = load(&f.dir, &base, &dangling).unwrap_err();
    assert!(err.starts_with("line 21: cn=Ops"), "{err}");
    assert!(f.dir.get_org(&sys, "Tenant-X").is_err());
}

/// What slapcat adds to every entry.
fn operational(uuid: &str) -> String {
    format!(
        "structuralObjectClass: inetOrgPerson
entryUUID: {uuid}
creatorsName: cn=manager,{BASE}
createTimestamp: 20200102030405Z
entryCSN: 20200102030405.000000Z#000000#000#000000
modifiersName:
modifyTimestamp: 20210102030405Z
"
    )
}

#[test]
fn slapcat_ids_and_times_are_kept() {
    let f = fixture();
    let base = Dn::parse(BASE).unwrap();
    let uuid = "2b4e8a6c-5f1d-4c3e-9a7b-0d1e2f3a4b5c";
    let text = format!(
        "dn: ou=Kept,{BASE}\nobjectClass: organizationalUnit\nou: Kept\n\n\
         dn: uid=kim@example.com,ou=Kept,{BASE}\nobjectClass: inetOrgPerson\ncn: Kim\nsn: K\n{}\n\
         dn: cn=K,ou=roles,ou=Kept,{BASE}\nobjectClass: groupOfNames\ncn: K\n\
         member: uid=kim@example.com,ou=Kept,{BASE}\nmodifyTimestamp: 20220102030405Z\n",
        operational(uuid)
    );
    load(&f.dir, &base, &text).unwrap();
    let sys = system(&f.dir);
    let kim = f.dir.get_user_by_login(&sys, "kim@example.com").unwrap();
    assert_eq!(kim.id.to_string(), uuid);
    assert_eq!(kim.created, 1_577_934_245_000);
    assert_eq!(kim.modified, 1_609_556_645_000);
    // Setting the group's members came before its times.
    let role = f
        .dir
        .store()
        .read(|tx| {
            let org = tx.org_by_name("Kept")?.unwrap().id;
            tx.role_by_name(Some(org), "K")
        })
        .unwrap()
        .unwrap();
    assert_eq!(role.modified, 1_641_092_645_000);
    // An id already held, or one that is not a UUID, stops the load.
    let again = text
        .replace("ou=Kept", "ou=Again")
        .replace("ou: Kept", "ou: Again")
        .replace("kim@", "kit@");
    let err = load(&f.dir, &base, &again).unwrap_err();
    assert!(err.contains(uuid), "{err}");
    let bad = again.replace(uuid, "not-a-uuid");
    let err = load(&f.dir, &base, &bad).unwrap_err();
    assert!(err.starts_with("line 5: uid=kit"), "{err}");
    assert!(err.contains("not a UUID"), "{err}");
    assert!(f.dir.get_org(&sys, "Again").is_err());
}

/// crypt(3) hashes as Debian's libxcrypt writes them (perl's `crypt()` of
/// "s3cret pass"): yescrypt, what /etc/shadow holds since Debian 11, and
/// bcrypt load and verify; MD5-crypt stops the load with its line.
#[test]
fn yescrypt_and_bcrypt_hashes_load_and_verify_md5_crypt_is_refused() {
    let f = fixture();
    let base = Dn::parse(BASE).unwrap();
    let user = |login: &str, hash: &str| {
        format!(
            "dn: uid={login},ou=Shadow,{BASE}\nobjectClass: inetOrgPerson\ncn: {login}\nsn: S\n\
             userPassword: {{CRYPT}}{hash}\n\n"
        )
    };
    let org = format!("dn: ou=Shadow,{BASE}\nobjectClass: organizationalUnit\nou: Shadow\n\n");
    let yes = "$y$j9T$LdJMENpBABJJ3hIHjB1Bi.$2zPj0tZ1z8mqvflX88A3xmsggLtOPQOx6WIVNZ7kNL7";
    let bf = "$2b$05$abcdefghijklmnopqrstuu1qdcFaS0PtqFUPzaCxLQ8/0lspH0ZEW";
    let md5 = "$1$saltsalt$5lF22gyv5RCQWSRkctJIT0";
    let bad = format!("{org}{}", user("old@example.com", md5));
    let err = load(&f.dir, &base, &bad).unwrap_err();
    assert!(err.starts_with("line 5: uid=old@example.com"), "{err}");
    assert!(err.contains("MD5-crypt"), "{err}");
    let good = format!(
        "{org}{}{}",
        user("yes@example.com", yes),
        user("bf@example.com", bf)
    );
    load(&f.dir, &base, &good).unwrap();
    let req = dirgate::directory::Request::internal();
    for login in ["yes@example.com", "bf@example.com"] {
        let who = Principal::Login(login.into());
        assert!(
            f.dir.authenticate(&req, &who, "s3cret pass").is_ok(),
            "{login}"
        );
        assert!(f.dir.authenticate(&req, &who, "s3cret").is_err(), "{login}");
    }
}
