//! The differential battery for writes: the same `ldapmodify`, `ldapadd`,
//! `ldapdelete` and `ldapmodrdn` runs against slapd and dirgate, both
//! loaded with the same multi-tenant directory (see
//! `tests/common/differential.rs`), one after another. Each must end with
//! the same result code and leave the entries it names the same on both:
//! what slapd takes, dirgate takes; what slapd refuses, dirgate refuses
//! with the same code and leaves exactly as it was. The whole tree is
//! compared at the end.
//!
//! Left out on purpose, because dirgate means to differ (each is tested
//! where the feature is): a login, a uidNumber or a group's gidNumber
//! another entry holds (dirgate refuses them, as slapd's unique overlay
//! would; a stock slapd takes them), and a groupOfNames or
//! groupOfUniqueNames without members (dirgate's groups may be empty, as
//! lldap's and kanidm's may; slapd's schema requires a member).

mod common;

use common::differential::*;
use common::server::BASE;

/// One write: the client, its input, and the entries to compare after it.
struct Case {
    cmd: &'static str,
    input: String,
    check: Vec<String>,
}

fn modify(dn: &str, change: &str) -> Case {
    Case {
        cmd: "ldapmodify",
        input: format!("dn: {dn}\nchangetype: modify\n{change}\n"),
        check: vec![dn.to_owned()],
    }
}

fn add(dn: &str, body: &str) -> Case {
    Case {
        cmd: "ldapadd",
        input: format!("dn: {dn}\n{body}\n"),
        check: vec![dn.to_owned()],
    }
}

fn delete(dn: &str) -> Case {
    Case {
        cmd: "ldapdelete",
        input: format!("{dn}\n"),
        check: vec![dn.to_owned()],
    }
}

/// A modrdn of `dn` to `rdn` (under `superior` when given).
fn rename(dn: &str, rdn: &str, delete_old: bool, superior: Option<&str>) -> Case {
    let parent = superior.map_or_else(|| dn.split_once(',').unwrap().1.to_owned(), str::to_owned);
    let mut input = format!(
        "dn: {dn}\nchangetype: modrdn\nnewrdn: {rdn}\ndeleteoldrdn: {}\n",
        u8::from(delete_old)
    );
    if let Some(s) = superior {
        input.push_str(&format!("newsuperior: {s}\n"));
    }
    Case {
        cmd: "ldapmodify",
        input,
        check: vec![dn.to_owned(), format!("{rdn},{parent}")],
    }
}

fn cases() -> Vec<Case> {
    let u1 = user_dn("Acme", 1);
    let u2 = user_dn("Acme", 2);
    let u3 = user_dn("Acme", 3);
    let u4 = user_dn("Acme", 4);
    let u5 = user_dn("Acme", 5);
    let acme = org_dn("Acme");
    let people = format!("ou=People,{acme}");
    let groups = format!("ou=Groups,{acme}");
    let staff = format!("cn=staff,{groups}");
    let devs = format!("cn=devs,{groups}");
    let person = "objectClass: inetOrgPerson\nsn: New\ncn: New Person";
    vec![
        // Values of a user: added, refused, removed.
        modify(&u1, "add: title\ntitle: Second Title"),
        modify(&u1, "add: title\ntitle: second title"),
        modify(&u1, "delete: title\ntitle: No Such Title"),
        modify(&u1, "delete: title\ntitle: Second Title"),
        modify(
            &u1,
            "replace: employeeNumber\nemployeeNumber: 1\nemployeeNumber: 2",
        ),
        modify(&u1, "add: loginShell\nloginShell: /bin/sh"),
        modify(&u1, "add: fooBar\nfooBar: x"),
        modify(&u1, "delete: sn"),
        modify(&u1, "replace: cn\ncn: One\ncn: Two\ncn: Three"),
        modify(&u1, "delete: cn\ncn: Two"),
        modify(&u1, "delete: uid"),
        modify(&u1, "replace: manager\nmanager: not a dn"),
        modify(&u1, "replace: displayName\ndisplayName: A\ndisplayName: B"),
        modify(&u1, "delete: givenName"),
        modify(&u1, "add: givenName\ngivenName: Bobby\ngivenName: Robert"),
        modify(&u1, "replace: sn\nsn: Jones\nsn: Jones-Smith"),
        modify(&u1, "add: preferredLanguage\npreferredLanguage: de"),
        modify(&u1, "add: preferredLanguage\npreferredLanguage: fr"),
        modify(&u1, "replace: telephoneNumber"),
        modify(&u1, "delete: telephoneNumber"),
        modify(&u1, "replace: roomNumber"),
        modify(&u1, "add: description\ndescription:"),
        modify(
            &u1,
            "add: mail\nmail: extra@acme.example\n-\ndelete: mail\nmail: nosuch@x",
        ),
        modify(&u1, "replace: sn\nsn: Jones\n-\nadd: fooBar\nfooBar: x"),
        modify(&u1, "add: objectClass\nobjectClass: posixAccount"),
        modify(
            &u1,
            "add: objectClass\nobjectClass: posixAccount\n-\nadd: uidNumber\nuidNumber: 20001\n-\nadd: gidNumber\ngidNumber: 5000\n-\nadd: homeDirectory\nhomeDirectory: /home/acme01",
        ),
        modify(&u1, "increment: uidNumber\nuidNumber: 5"),
        modify(&u1, "increment: title\ntitle: 1"),
        modify(&u1, "add: o\no: Acme Corp\no: Acme Inc"),
        modify(&u1, "add: departmentNumber\ndepartmentNumber: 99"),
        modify(
            &u1,
            "replace: labeledURI\nlabeledURI: https://acme.example/~a01 Home",
        ),
        modify(&u1, "add: objectClass\nobjectClass: fooClass"),
        // POSIX and classes.
        modify(&u2, "replace: gecos\ngecos: Zoë"),
        modify(&u2, "delete: objectClass\nobjectClass: posixAccount"),
        modify(
            &u2,
            "delete: objectClass\nobjectClass: shadowAccount\n-\ndelete: shadowLastChange",
        ),
        modify(&u2, "delete: employeeType\nemployeeType: remote"),
        modify(&u2, "delete: employeeType\nemployeeType: contractor"),
        modify(
            &u2,
            "replace: loginShell\nloginShell: /bin/sh\nloginShell: /bin/ksh",
        ),
        modify(&u2, "delete: homeDirectory"),
        modify(
            &u4,
            "replace: sshPublicKey\nsshPublicKey: ssh-rsa AAAA one\nsshPublicKey: ssh-rsa AAAA two",
        ),
        modify(&u4, "delete: objectClass\nobjectClass: ldapPublicKey"),
        modify(&u4, "add: shadowLastChange\nshadowLastChange: 1"),
        modify(&u4, "replace: street\nstreet: Main St 1\nstreet: Back Door"),
        // Groups and units.
        modify(&staff, &format!("add: member\nmember: {u1}")),
        modify(&staff, &format!("add: member\nmember: {u1}")),
        modify(
            &staff,
            &format!("delete: member\nmember: uid=nobody,{people}"),
        ),
        modify(&staff, &format!("add: owner\nowner: {u2}")),
        modify(&staff, "add: cn\ncn: Staff Members"),
        modify(&devs, "add: memberUid\nmemberUid: acme01"),
        modify(&devs, "delete: gidNumber"),
        modify(&people, "replace: description\ndescription: All of Acme"),
        // The organization's own OU.
        modify(&acme, "add: l\nl: Paris"),
        modify(
            &acme,
            "replace: description\ndescription: One\ndescription: Two",
        ),
        modify(&acme, "delete: description\ndescription: One"),
        modify(&acme, "add: uid\nuid: x"),
        modify(&acme, "add: fooBar\nfooBar: x"),
        modify(
            &acme,
            "add: objectClass\nobjectClass: extensibleObject\n-\nadd: uid\nuid: acme",
        ),
        modify(&acme, "delete: ou\nou: Acme"),
        modify(&people, "add: l\nl: Berlin"),
        modify(&format!("uid=ghost,{people}"), "replace: title\ntitle: x"),
        // Adds.
        add(&u3, &format!("{person}\nuid: acme03")),
        add(
            &format!("uid=new1,ou=Nowhere,{acme}"),
            &format!("{person}\nuid: new1"),
        ),
        add(
            &format!("uid=new2,{people}"),
            "objectClass: inetOrgPerson\ncn: New\nuid: new2",
        ),
        add(
            &format!("uid=new3,{people}"),
            "objectClass: fooClass\ncn: New\nsn: New\nuid: new3",
        ),
        add(
            &format!("uid=new4,{people}"),
            &format!("{person}\nuid: new4\nloginShell: /bin/sh"),
        ),
        add(
            &format!("uid=new5,{people}"),
            &format!(
                "{person}\nobjectClass: posixAccount\nuid: new5\nuidNumber: 20005\ngidNumber: 5000\nhomeDirectory: /home/new5\nmail: new5@acme.example\nmail: n5@acme.example\ntitle: A\ntitle: B"
            ),
        ),
        add(
            &format!("uid=new6,{people}"),
            &format!("{person}\nuid: new6\nfooBar: x"),
        ),
        add(
            &format!("cn=reviewers,{groups}"),
            &format!("objectClass: groupOfNames\ncn: reviewers\nmember: {u4}\nmember: {staff}"),
        ),
        add(
            &format!("ou=Paris,{people}"),
            "objectClass: organizationalUnit\nou: Paris",
        ),
        add(
            &format!("uid=new7,ou=Paris,{people}"),
            &format!("{person}\nuid: new7"),
        ),
        // Deletes.
        delete(&people),
        delete(&u3),
        delete(&u3),
        delete(&format!("cn=reviewers,{groups}")),
        // Renames and moves inside one organization.
        rename(&u1, "uid=acme01x", true, None),
        rename(&u2, "uid=acme02", true, Some(&people)),
        rename(&u4, "uid=acme04b", true, None),
        rename(&format!("uid=acme04b,{people}"), "uid=acme04c", false, None),
        rename(
            &u5,
            "uid=acme05b",
            false,
            Some(&format!("ou=Paris,{people}")),
        ),
        rename(&format!("ou=Paris,{people}"), "ou=Lyon", true, None),
        rename(&format!("cn=leads,{groups}"), "cn=chiefs", true, None),
        rename(&format!("uid=ghost,{people}"), "uid=ghost2", true, None),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_answer_and_apply_as_slapd_does() {
    let (slapd, l) = loaded().await;
    let (d, s) = (dirgate_target(&l), slapd_target(&slapd));
    let cases = cases();
    let mut differ = Vec::new();
    let mut refused = 0;
    for case in &cases {
        let (ours, ours_out) = d.write(case.cmd, &case.input).await;
        let (theirs, theirs_out) = s.write(case.cmd, &case.input).await;
        refused += usize::from(theirs != 0);
        let mut why = String::new();
        if ours != theirs {
            why.push_str(&format!(
                "  result dirgate {ours}, slapd {theirs}\n  dirgate: {}\n  slapd: {}\n",
                ours_out.trim().replace('\n', " | "),
                theirs_out.trim().replace('\n', " | ")
            ));
        }
        for dn in &case.check {
            let a = d.search(dn, "base", "(objectClass=*)", &[]).await;
            let b = s.search(dn, "base", "(objectClass=*)", &[]).await;
            if a != b {
                why.push_str(&describe(dn, "base", "(objectClass=*)", &[], &a, &b));
            }
        }
        if !why.is_empty() {
            differ.push(format!(
                "{} {}{why}",
                case.cmd,
                case.input.trim().replace('\n', " | ")
            ));
        }
    }
    assert!(refused > 20, "slapd refused only {refused} of the writes");
    let mut a = d.search(BASE, "sub", "(objectClass=*)", &[]).await;
    let mut b = s.search(BASE, "sub", "(objectClass=*)", &[]).await;
    // A posixGroup's memberUid names its members by login in dirgate, so it
    // follows a renamed user; slapd keeps the text (refint follows DNs only).
    let devs = normalized_dn(&format!("cn=devs,ou=Groups,{}", org_dn("Acme")));
    let uids = a
        .entries
        .get_mut(&devs)
        .unwrap()
        .remove("memberuid")
        .unwrap();
    assert!(
        uids.contains("acme04c") && uids.contains("acme01x"),
        "{uids:?}"
    );
    b.entries.get_mut(&devs).unwrap().remove("memberuid");
    if a != b {
        differ.push(describe(BASE, "sub", "(objectClass=*)", &[], &a, &b));
    }
    assert!(
        differ.is_empty(),
        "{} of {} writes differ from slapd:\n{}",
        differ.len(),
        cases.len(),
        differ.join("\n")
    );
}
