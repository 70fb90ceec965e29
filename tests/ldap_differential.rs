//! The differential battery: one multi-tenant directory (three tenant OUs
//! with nested units, inetOrgPerson users with several `cn` and `mail`
//! values, titles, phones, managers, POSIX numbers and SSH keys, users in
//! no organization, groupOfNames, groupOfUniqueNames and posixGroup groups,
//! a nested group and a server-wide one) is loaded with `ldapadd` into a
//! real slapd and into dirgate, and a few hundred `ldapsearch` runs (filters
//! × bases × scopes × attribute lists) must answer the same, case by case:
//! the same exit code, the same entries with the same values.
//!
//! What dirgate shows that slapd cannot hold is left out of the comparison,
//! and only that: dirgate's own attributes and object classes (`dirgate*`,
//! its account state and flags) and the fixed entries dirgate keeps in every
//! tree (`ou=people`, `ou=groups`, `ou=services` under the suffix and
//! `ou=roles` under each organization), which are copied into slapd as
//! dirgate shows them, so that they answer the same as well.
//!
//! slapd runs in the foreground on a free loopback port with a database
//! of its own in a temporary directory (scripts/test installs the Debian
//! package `slapd`): OpenLDAP's stock schemas plus openssh-lpk, and the
//! refint overlay on member, uniqueMember and manager, because dirgate's
//! references follow a renamed or deleted entry as refint makes them.

mod common;

use common::differential::*;
use common::server::BASE;

// -------------------------------------------------------------- battery --

/// Filters every base and scope is searched with.
const FILTERS: &[&str] = &[
    "(objectClass=*)",
    "(objectClass=inetOrgPerson)",
    "(objectClass=person)",
    "(objectClass=organizationalPerson)",
    "(objectClass=posixAccount)",
    "(objectClass=shadowAccount)",
    "(objectClass=ldapPublicKey)",
    "(objectClass=organizationalUnit)",
    "(objectClass=groupOfNames)",
    "(objectClass=groupOfUniqueNames)",
    "(objectClass=posixGroup)",
    "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))",
    "(uid=acme00)",
    "(uid=ACME01)",
    "(uid=globex0*)",
    "(uid=*1)",
    "(uid=*t*0*)",
    "(cn=alice smith)",
    "(cn=Alice of Acme)",
    "(cn=*of*)",
    "(cn=team leads)",
    "(sn=zoë)",
    "(sn=ZOË)",
    "(givenName=*)",
    "(!(givenName=*))",
    "(displayName=*)",
    "(displayName=*(Globex))",
    "(mail=acme02@acme.example)",
    "(mail=*@alias.example)",
    "(mail=ALICE.0@ACME.EXAMPLE)",
    "(title=engineer)",
    "(title=*engineer)",
    "(title=senior*)",
    "(telephoneNumber=+15550100)",
    "(telephoneNumber=+1 555 0111)",
    "(telephoneNumber=*555*)",
    "(telephoneNumber=+49*)",
    "(mobile=*)",
    "(employeeNumber=1105)",
    "(employeeNumber>=1200)",
    "(employeeNumber<=1003)",
    "(departmentNumber=11)",
    "(employeeType=remote)",
    "(description=*works at*)",
    "(description=Everyone*)",
    "(l=berlin)",
    "(postalCode=10115)",
    "(street=unter den linden 1)",
    "(manager=uid=acme00,ou=Acme,dc=example,dc=com)",
    "(manager=UID=GLOBEX00, OU=GLOBEX, DC=EXAMPLE, DC=COM)",
    "(manager=*)",
    "(!(manager=*))",
    "(uidNumber=10004)",
    "(uidNumber>=10200)",
    "(uidNumber<=10102)",
    "(&(uidNumber>=10100)(uidNumber<=10199))",
    "(gidNumber=5001)",
    "(gidNumber>=5001)",
    "(homeDirectory=/home/initech04)",
    "(loginShell=/bin/zsh)",
    "(gecos=*Hopper*)",
    "(shadowLastChange>=19005)",
    "(sshPublicKey=*)",
    "(member=uid=acme03,ou=Acme,dc=example,dc=com)",
    "(member=cn=staff,ou=Groups,ou=Acme,dc=example,dc=com)",
    "(uniqueMember=*)",
    "(memberUid=globex02)",
    "(ou=People)",
    "(ou=berlin)",
    "(ou=*)",
    "(&(objectClass=inetOrgPerson)(|(title=Manager)(title=Director)))",
    "(&(objectClass=posixAccount)(!(loginShell=/bin/bash)))",
    "(|(uid=acme00)(uid=globex00)(uid=initech00)(uid=nobody))",
    "(&(mail=*)(!(objectClass=posixAccount)))",
    "(!(objectClass=inetOrgPerson))",
    "(&)",
    "(|)",
    "(cn:caseExactMatch:=Alice Smith)",
    "(cn:caseExactMatch:=alice smith)",
    "(ou:dn:=People)",
    "(ou:dn:=Acme)",
    "(:dn:2.5.13.2:=globex)",
    "(uidNumber:2.5.13.14:=10002)",
    "(description:caseIgnoreSubstringsMatch:=*WORKS*)",
    "(nosuchattribute=x)",
    "(!(nosuchattribute=x))",
    "(uidNumber=notanumber)",
    "(employeeNumber=*0*)",
    "(objectClass=top)",
];

/// Bases and scopes every filter is searched with.
fn bases() -> Vec<(String, &'static str)> {
    vec![
        (BASE.to_owned(), "sub"),
        (BASE.to_owned(), "one"),
        (org_dn("Acme"), "sub"),
        (org_dn("Globex"), "one"),
        (format!("ou=People,{}", org_dn("Initech")), "sub"),
        (format!("ou=Groups,{}", org_dn("Acme")), "children"),
        (user_dn("Acme", 4), "base"),
    ]
}

/// Searches whose shape, not filter, is the point: attribute lists, types
/// only, size limits, bases that do not exist.
fn shaped() -> Vec<(String, &'static str, &'static str, Vec<&'static str>)> {
    let acme = org_dn("Acme");
    vec![
        (
            BASE.into(),
            "sub",
            "(uid=acme0*)",
            vec!["cn", "mail", "uidNumber"],
        ),
        (BASE.into(), "sub", "(uid=globex0*)", vec!["1.1"]),
        (
            BASE.into(),
            "sub",
            "(objectClass=posixGroup)",
            vec!["memberUid", "gidNumber"],
        ),
        (
            BASE.into(),
            "sub",
            "(objectClass=groupOfNames)",
            vec!["member"],
        ),
        (
            BASE.into(),
            "sub",
            "(uid=initech*)",
            vec!["*", "nosuchattribute"],
        ),
        (
            BASE.into(),
            "sub",
            "(uid=initech*)",
            vec!["CN", "Mail", "SURNAME", "gn"],
        ),
        (BASE.into(), "sub", "(uid=acme0*)", vec!["name"]),
        (BASE.into(), "sub", "(uid=acme0*)", vec!["objectClass"]),
        (acme.clone(), "sub", "(uid=*)", vec!["-A"]),
        (
            format!("ou=Nowhere,{acme}"),
            "sub",
            "(objectClass=*)",
            vec![],
        ),
        (
            format!("uid=nobody,ou=People,{acme}"),
            "base",
            "(objectClass=*)",
            vec![],
        ),
        (
            format!("ou=Deeper,ou=Nowhere,ou=Berlin,ou=People,{acme}"),
            "one",
            "(objectClass=*)",
            vec![],
        ),
        ("dc=other,dc=com".into(), "sub", "(objectClass=*)", vec![]),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_answer_as_slapd_answers() {
    let (slapd, l) = loaded().await;
    let (d, s) = (dirgate_target(&l), slapd_target(&slapd));

    let mut cases = Vec::new();
    for (base, scope) in bases() {
        for filter in FILTERS {
            cases.push((base.clone(), scope, *filter, vec![]));
        }
    }
    cases.extend(shaped());
    let mut differ = Vec::new();
    let mut found = 0;
    for (base, scope, filter, attrs) in &cases {
        let (args, attrs): (Vec<&str>, Vec<&str>) = attrs.iter().partition(|a| a.starts_with('-'));
        let mut list = args.clone();
        list.extend(attrs);
        let ours = d.search(base, scope, filter, &list).await;
        let theirs = s.search(base, scope, filter, &list).await;
        found += theirs.entries.len();
        if ours != theirs {
            differ.push(describe(base, scope, filter, &list, &ours, &theirs));
        }
    }
    assert!(found > 1500, "the battery found only {found} entries");
    // The comparison sees values: one changed in slapd alone shows.
    let grace = user_dn("Acme", 6);
    let change = format!("dn: {grace}\nchangetype: modify\nreplace: title\ntitle: Astronaut\n");
    let (rc, out) = s.write("ldapmodify", &change).await;
    assert_eq!(rc, 0, "{out}");
    let ours = d.search(&grace, "base", "(objectClass=*)", &[]).await;
    let theirs = s.search(&grace, "base", "(objectClass=*)", &[]).await;
    assert_ne!(ours, theirs);
    assert!(describe(&grace, "base", "", &[], &ours, &theirs).contains("Astronaut"));
    assert!(
        differ.is_empty(),
        "{} of {} searches differ from slapd:\n{}",
        differ.len(),
        cases.len(),
        differ.join("\n")
    );
}
