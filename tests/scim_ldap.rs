//! SCIM and LDAP are one directory: every SCIM attribute with an LDAP
//! counterpart is one stored value that both protocols read and write —
//! title, phone numbers by type, every email address, employee number,
//! department, organization, preferred language and user type, the profile
//! URL (`labeledURI`), and the texts with no standard LDAP name under
//! dirgate's (`dirgateNickName`, …). Checked with the SCIM API on one side
//! and OpenLDAP's clients on the other.

mod common;

use common::scim::start_scim;
use common::server::{BASE, admin, find, read};
use reqwest::StatusCode;
use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

fn kim() -> Value {
    json!({
        "schemas": [USER, ENTERPRISE],
        "userName": "kim@example.com",
        "name": {"givenName": "Kim", "familyName": "Park"},
        "title": "Engineer",
        "preferredLanguage": "ko-KR",
        "userType": "Contractor",
        "emails": [
            {"value": "kim@work.example.com", "type": "work", "primary": true},
            {"value": "kim@home.example.com", "type": "home"}
        ],
        "phoneNumbers": [
            {"value": "+1 555 0100", "type": "work", "display": "desk"},
            {"value": "+1 555 0101", "type": "mobile"},
            {"value": "+1 555 0102", "type": "home"},
            {"value": "+1 555 0103", "type": "fax"},
            {"value": "+1 555 0104", "type": "pager"}
        ],
        ENTERPRISE: {
            "employeeNumber": "E-7",
            "department": "R&D",
            "organization": "Kim's Employer"
        }
    })
}

fn phones(u: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = u["phoneNumbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["type"].as_str().unwrap_or("").to_owned(),
                p["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scim_and_ldap_read_and_write_the_same_values() {
    let s = start_scim("").await;
    let r = s.post(&s.token_a, "/Users", kim()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let path = format!("/Users/{}", r.body["id"].as_str().unwrap());
    let dn = format!("uid=kim@example.com,ou=Acme-A,{BASE}");

    // What SCIM wrote, LDAP reads under the standard names.
    let entry = read(&s.env, &dn, &["*"]).await;
    for line in [
        "title: Engineer",
        "preferredLanguage: ko-KR",
        "employeeType: Contractor",
        "mail: kim@work.example.com",
        "mail: kim@home.example.com",
        "telephoneNumber: +1 555 0100",
        "mobile: +1 555 0101",
        "homePhone: +1 555 0102",
        "facsimileTelephoneNumber: +1 555 0103",
        "pager: +1 555 0104",
        "employeeNumber: E-7",
        "departmentNumber: R&D",
        "o: Kim's Employer",
    ] {
        assert!(
            entry.contains(&format!("{line}\n")),
            "{line} missing in\n{entry}"
        );
    }

    // What LDAP writes, SCIM reads; untouched numbers keep their labels.
    let change = format!(
        "dn: {dn}\nchangetype: modify\nreplace: title\ntitle: Lead\n-\nadd: mobile\nmobile: +1 555 0199\n-\nreplace: employeeNumber\nemployeeNumber: E-8\n-\ndelete: o\n-\nadd: mail\nmail: kim@alias.example.com\n-\n"
    );
    let (rc, out) = admin(&s.env, "ldapmodify", &change).await;
    assert_eq!(rc, 0, "{out}");
    let u = s.get(&s.token_a, &path).await.body;
    assert_eq!(u["title"], "Lead");
    assert_eq!(u[ENTERPRISE]["employeeNumber"], "E-8");
    assert!(u[ENTERPRISE]["organization"].is_null(), "{u}");
    assert_eq!(u[ENTERPRISE]["department"], "R&D");
    assert_eq!(
        phones(&u),
        vec![
            ("fax".into(), "+1 555 0103".into()),
            ("home".into(), "+1 555 0102".into()),
            ("mobile".into(), "+1 555 0101".into()),
            ("mobile".into(), "+1 555 0199".into()),
            ("pager".into(), "+1 555 0104".into()),
            ("work".into(), "+1 555 0100".into()),
        ]
    );
    let desk = u["phoneNumbers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["value"] == "+1 555 0100")
        .unwrap();
    assert_eq!(desk["display"], "desk", "{u}");
    let emails: Vec<&str> = u["emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        [
            "kim@work.example.com",
            "kim@home.example.com",
            "kim@alias.example.com"
        ]
    );

    // A SCIM change shows in LDAP at once.
    let ops = common::scim::patch_ops(&[("replace", Some("title"), json!("Director"))]);
    assert_eq!(s.patch(&s.token_a, &path, ops).await.status, StatusCode::OK);
    let entry = read(&s.env, &dn, &["title"]).await;
    assert!(entry.contains("title: Director\n"), "{entry}");

    // SCIM has one title, LDAP several: SCIM's is the first, a second
    // LDAP value is kept beside it, and a SCIM change leaves it there.
    let second = format!("dn: {dn}\nchangetype: modify\nadd: title\ntitle: Chief\n-\n");
    let (rc, out) = admin(&s.env, "ldapmodify", &second).await;
    assert_eq!(rc, 0, "{out}");
    assert_eq!(s.get(&s.token_a, &path).await.body["title"], "Director");
    let ops = common::scim::patch_ops(&[("replace", Some("title"), json!("CEO"))]);
    assert_eq!(s.patch(&s.token_a, &path, ops).await.status, StatusCode::OK);
    let entry = read(&s.env, &dn, &["title"]).await;
    assert!(entry.contains("title: CEO\ntitle: Chief\n"), "{entry}");
}

const POSIX: &str = "urn:dirgate:params:scim:schemas:extension:posix:2.0:User";

/// The POSIX identity over SCIM (dirgate's POSIX extension) is what LDAP shows:
/// numbers given on create are kept, home, shell and SSH keys are the
/// posixAccount and ldapPublicKey values, both ways; a number another user
/// holds is refused and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_posix_identity_is_one_value_over_scim_and_ldap() {
    let s = start_scim("").await;
    let body = json!({
        "schemas": [USER, POSIX],
        "userName": "pat@example.com",
        POSIX: {
            "uidNumber": 4242,
            "gidNumber": 4300,
            "loginShell": "/bin/zsh",
            "sshPublicKeys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB pat@laptop"]
        }
    });
    let r = s.post(&s.token_a, "/Users", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body[POSIX]["uidNumber"], 4242, "{}", r.body);
    let path = format!("/Users/{}", r.body["id"].as_str().unwrap());
    let dn = format!("uid=pat@example.com,ou=Acme-A,{BASE}");
    let entry = read(&s.env, &dn, &["*"]).await;
    for line in [
        "objectClass: ldapPublicKey",
        "uidNumber: 4242",
        "gidNumber: 4300",
        "loginShell: /bin/zsh",
        "homeDirectory: /home/pat@example.com",
        "sshPublicKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB pat@laptop",
    ] {
        assert!(
            entry.contains(&format!("{line}\n")),
            "{line} missing in\n{entry}"
        );
    }

    // LDAP writes, SCIM reads.
    let change = format!(
        "dn: {dn}\nchangetype: modify\nreplace: homeDirectory\nhomeDirectory: /srv/pat\n-\nadd: sshPublicKey\nsshPublicKey: ssh-rsa AAAAB3 pat@desk\n-\n"
    );
    let (rc, out) = admin(&s.env, "ldapmodify", &change).await;
    assert_eq!(rc, 0, "{out}");
    let u = s.get(&s.token_a, &path).await.body;
    assert_eq!(u[POSIX]["homeDirectory"], "/srv/pat", "{u}");
    assert_eq!(
        u[POSIX]["sshPublicKeys"].as_array().unwrap().len(),
        2,
        "{u}"
    );

    // A uidNumber another user holds: refused, nothing changes.
    let other = json!({
        "schemas": [USER, POSIX],
        "userName": "quinn@example.com",
        POSIX: {"uidNumber": 4242}
    });
    let r = s.post(&s.token_a, "/Users", other).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.body["scimType"], "uniqueness", "{}", r.body);
    let ops = common::scim::patch_ops(&[
        ("replace", Some(&format!("{POSIX}:uidNumber")), json!(4243)),
        (
            "replace",
            Some(&format!("{POSIX}:loginShell")),
            json!("/bin/fish"),
        ),
    ]);
    let r = s.patch(&s.token_a, &path, ops).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let entry = read(&s.env, &dn, &["uidNumber", "loginShell"]).await;
    assert!(entry.contains("uidNumber: 4243\n"), "{entry}");
    assert!(entry.contains("loginShell: /bin/fish\n"), "{entry}");
    let bad =
        common::scim::patch_ops(&[("replace", Some(&format!("{POSIX}:uidNumber")), json!(-5))]);
    let r = s.patch(&s.token_a, &path, bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let entry = read(&s.env, &dn, &["uidNumber"]).await;
    assert!(entry.contains("uidNumber: 4243\n"), "{entry}");
}

/// SCIM's enterprise `manager` (an id) and LDAP's `manager` (a DN) are one
/// value: each protocol reads what the other wrote. A DN that names no
/// user of dirgate is kept as written beside it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manager_is_an_id_in_scim_and_a_dn_in_ldap() {
    let s = start_scim("").await;
    let r = s.post(&s.token_a, "/Users", kim()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let path = format!("/Users/{}", r.body["id"].as_str().unwrap());
    let mut ids = Vec::new();
    for login in ["alice@example.com", "bob@example.com"] {
        let q = format!("/Users?filter=userName%20eq%20%22{login}%22");
        let found = s.get(&s.token_a, &q).await.body;
        ids.push(found["Resources"][0]["id"].as_str().unwrap().to_owned());
    }
    let (alice, bob) = (ids[0].clone(), ids[1].clone());
    let kim = format!("uid=kim@example.com,ou=Acme-A,{BASE}");
    let manager = format!("{ENTERPRISE}:manager");
    let ops = common::scim::patch_ops(&[("replace", Some(&manager), json!({"value": alice}))]);
    let r = s.patch(&s.token_a, &path, ops).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let entry = read(&s.env, &kim, &["manager"]).await;
    assert!(
        entry.contains(&format!(
            "manager: uid=alice@example.com,ou=Acme-A,{BASE}\n"
        )),
        "{entry}"
    );

    // LDAP writes a DN: SCIM reads the id; an outside DN is kept beside it.
    let change = format!(
        "dn: {kim}\nchangetype: modify\nreplace: manager\nmanager: uid=bob@example.com,ou=Acme-A,{BASE}\nmanager: cn=Boss,o=Elsewhere\n-\n"
    );
    let (rc, out) = admin(&s.env, "ldapmodify", &change).await;
    assert_eq!(rc, 0, "{out}");
    let u = s.get(&s.token_a, &path).await.body;
    assert_eq!(u[ENTERPRISE]["manager"]["value"], bob.as_str(), "{u}");
    let entry = read(&s.env, &kim, &["manager"]).await;
    assert!(entry.contains("manager: cn=Boss,o=Elsewhere\n"), "{entry}");
    assert!(entry.contains("manager: uid=bob@example.com"), "{entry}");
    // A change to another attribute leaves both as they are.
    let change = format!("dn: {kim}\nchangetype: modify\nreplace: title\ntitle: Lead\n-\n");
    assert_eq!(admin(&s.env, "ldapmodify", &change).await.0, 0);
    let again = read(&s.env, &kim, &["manager"]).await;
    assert_eq!(again, entry);
    // Deleting the DN over LDAP clears the manager SCIM sees.
    let change = format!(
        "dn: {kim}\nchangetype: modify\ndelete: manager\nmanager: uid=bob@example.com,ou=Acme-A,{BASE}\n-\n"
    );
    let (rc, out) = admin(&s.env, "ldapmodify", &change).await;
    assert_eq!(rc, 0, "{out}");
    let u = s.get(&s.token_a, &path).await.body;
    assert!(u[ENTERPRISE]["manager"].is_null(), "{u}");
}

/// SCIM's addresses and LDAP's postal attributes are one value: the work
/// address as street, l, st, postalCode and postalAddress, the home one as
/// homePostalAddress; what LDAP changes keeps SCIM's country and type, and a
/// second street value is kept as written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addresses_are_postal_attributes() {
    let s = start_scim("").await;
    let mut body = kim();
    body["addresses"] = json!([
        {"type": "work", "streetAddress": "1 Main St", "locality": "Springfield",
         "region": "IL", "postalCode": "62701", "country": "US",
         "formatted": "1 Main St\nSpringfield, IL 62701", "primary": true},
        {"type": "home", "formatted": "2 Elm St\nShelbyville"}
    ]);
    let r = s.post(&s.token_a, "/Users", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let path = format!("/Users/{}", r.body["id"].as_str().unwrap());
    let dn = format!("uid=kim@example.com,ou=Acme-A,{BASE}");
    let entry = read(&s.env, &dn, &["*"]).await;
    for line in [
        "street: 1 Main St",
        "l: Springfield",
        "st: IL",
        "postalCode: 62701",
        "postalAddress: 1 Main St$Springfield, IL 62701",
        "homePostalAddress: 2 Elm St$Shelbyville",
    ] {
        assert!(
            entry.contains(&format!("{line}\n")),
            "{line} missing in\n{entry}"
        );
    }
    let change = format!(
        "dn: {dn}\nchangetype: modify\nreplace: l\nl: Capital City\n-\nadd: street\nstreet: Building 7\n-\ndelete: homePostalAddress\n-\n"
    );
    let (rc, out) = admin(&s.env, "ldapmodify", &change).await;
    assert_eq!(rc, 0, "{out}");
    let u = s.get(&s.token_a, &path).await.body;
    let list = u["addresses"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{u}");
    assert_eq!(list[0]["locality"], "Capital City");
    assert_eq!(list[0]["country"], "US");
    assert_eq!(list[0]["type"], "work");
    assert_eq!(list[0]["streetAddress"], "1 Main St");
    let entry = read(&s.env, &dn, &["street", "l"]).await;
    assert!(
        entry.contains("street: 1 Main St\nstreet: Building 7\n"),
        "{entry}"
    );
    assert!(entry.contains("l: Capital City\n"), "{entry}");
}

/// The SCIM texts no standard LDAP attribute carries (nickName, locale,
/// timezone, the enterprise costCenter and division) are dirgate's own
/// single-valued attributes: one stored value, found by filters on both
/// sides, written by either, and cleared by a SCIM PATCH `remove`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scim_texts_without_a_standard_name_are_dirgate_attributes() {
    let s = start_scim("").await;
    let mut body = kim();
    body["nickName"] = json!("Kimmy");
    body["locale"] = json!("ko-KR");
    body["timezone"] = json!("Asia/Seoul");
    body[ENTERPRISE]["costCenter"] = json!("CC-42");
    body[ENTERPRISE]["division"] = json!("Research");
    let r = s.post(&s.token_a, "/Users", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let path = format!("/Users/{}", r.body["id"].as_str().unwrap());
    let dn = format!("uid=kim@example.com,ou=Acme-A,{BASE}");
    let written = [
        ("dirgateNickName", "Kimmy"),
        ("dirgateLocale", "ko-KR"),
        ("dirgateTimezone", "Asia/Seoul"),
        ("dirgateCostCenter", "CC-42"),
        ("dirgateDivision", "Research"),
    ];
    let entry = read(&s.env, &dn, &["*"]).await;
    assert!(entry.contains("objectClass: dirgateAccount\n"), "{entry}");
    for (attr, value) in written {
        assert!(entry.contains(&format!("{attr}: {value}\n")), "{entry}");
        // Equality ignores case, as for other directory strings.
        let filter = format!("({attr}={})", value.to_lowercase());
        assert_eq!(find(&s.env, &filter).await, [dn.as_str()], "{filter}");
    }

    // LDAP writes, SCIM reads and filters; one value each (a second is 19).
    let change = format!(
        "dn: {dn}\nchangetype: modify\nreplace: dirgateCostCenter\ndirgateCostCenter: CC-7\n-\nreplace: dirgateNickName\ndirgateNickName: KP\n-\ndelete: dirgateDivision\n-\n"
    );
    let (rc, out) = admin(&s.env, "ldapmodify", &change).await;
    assert_eq!(rc, 0, "{out}");
    let u = s.get(&s.token_a, &path).await.body;
    assert_eq!(u["nickName"], "KP", "{u}");
    assert_eq!(u[ENTERPRISE]["costCenter"], "CC-7", "{u}");
    assert!(u[ENTERPRISE]["division"].is_null(), "{u}");
    assert_eq!(
        (u["locale"].as_str(), u["timezone"].as_str()),
        (Some("ko-KR"), Some("Asia/Seoul"))
    );
    for filter in [
        format!("{ENTERPRISE}:costCenter eq \"CC-7\""),
        "costCenter eq \"CC-7\"".to_owned(),
        "nickName eq \"KP\" and timezone sw \"Asia/\"".to_owned(),
    ] {
        let search = json!({"schemas": [SEARCH], "filter": filter});
        let found = s.post(&s.token_a, "/Users/.search", search).await.body;
        assert_eq!(found["totalResults"], 1, "{filter}: {found}");
        assert_eq!(found["Resources"][0]["userName"], "kim@example.com");
    }
    let second =
        format!("dn: {dn}\nchangetype: modify\nadd: dirgateLocale\ndirgateLocale: fr-FR\n-\n");
    assert_eq!(admin(&s.env, "ldapmodify", &second).await.0, 19);

    // A SCIM PATCH remove clears the LDAP attribute.
    let ops = common::scim::patch_ops(&[
        (
            "remove",
            Some(&format!("{ENTERPRISE}:costCenter")),
            Value::Null,
        ),
        ("remove", Some("timezone"), Value::Null),
    ]);
    let r = s.patch(&s.token_a, &path, ops).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let entry = read(&s.env, &dn, &["*"]).await;
    assert!(!entry.contains("dirgateCostCenter"), "{entry}");
    assert!(!entry.contains("dirgateTimezone"), "{entry}");
    assert!(entry.contains("dirgateLocale: ko-KR\n"), "{entry}");
    assert!(find(&s.env, "(dirgateCostCenter=*)").await.is_empty());
}

/// SCIM's profileUrl is the URL of LDAP's first labeledURI value (RFC 2079,
/// "URL label"): a label LDAP wrote stays across SCIM changes that leave the
/// URL alone, and further values stay as written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_profile_url_is_the_first_labeled_uri() {
    let s = start_scim("").await;
    let mut body = kim();
    body["profileUrl"] = json!("https://kim.example/");
    let r = s.post(&s.token_a, "/Users", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let path = format!("/Users/{}", r.body["id"].as_str().unwrap());
    let dn = format!("uid=kim@example.com,ou=Acme-A,{BASE}");
    let entry = read(&s.env, &dn, &["labeledURI"]).await;
    assert!(
        entry.contains("labeledURI: https://kim.example/\n"),
        "{entry}"
    );
    let found = find(&s.env, "(labeledURI=https://kim.example/)").await;
    assert_eq!(found, [dn.as_str()]);

    let change = format!(
        "dn: {dn}\nchangetype: modify\nreplace: labeledURI\nlabeledURI: https://kim.example/~k Kim's page\nlabeledURI: https://blog.example/k Blog\n-\n"
    );
    let (rc, out) = admin(&s.env, "ldapmodify", &change).await;
    assert_eq!(rc, 0, "{out}");
    assert_eq!(
        s.get(&s.token_a, &path).await.body["profileUrl"],
        "https://kim.example/~k"
    );
    let both =
        "labeledURI: https://kim.example/~k Kim's page\nlabeledURI: https://blog.example/k Blog\n";

    // An unrelated SCIM change (a whole PUT too) keeps the label.
    let ops = common::scim::patch_ops(&[("replace", Some("title"), json!("Lead"))]);
    assert_eq!(s.patch(&s.token_a, &path, ops).await.status, StatusCode::OK);
    let mut whole = s.get(&s.token_a, &path).await.body;
    whole["title"] = json!("Chief");
    assert_eq!(s.put(&s.token_a, &path, whole).await.status, StatusCode::OK);
    let entry = read(&s.env, &dn, &["labeledURI"]).await;
    assert!(entry.contains(both), "{entry}");

    // A new URL over SCIM replaces the first value, label and all.
    let ops =
        common::scim::patch_ops(&[("replace", Some("profileUrl"), json!("https://new.example/"))]);
    assert_eq!(s.patch(&s.token_a, &path, ops).await.status, StatusCode::OK);
    let entry = read(&s.env, &dn, &["labeledURI"]).await;
    let now = "labeledURI: https://new.example/\nlabeledURI: https://blog.example/k Blog\n";
    assert!(entry.contains(now), "{entry}");
}
