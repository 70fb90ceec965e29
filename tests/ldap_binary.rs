//! Binary attribute values end to end, driven by OpenLDAP's own clients,
//! the ldap3 crate and SCIM: a JPEG-ish photo (a JPEG header and every
//! byte value) and a real DER certificate written with ldapmodify
//! (`jpegPhoto:<` and `userCertificate;binary:<` from files) read back byte
//! for byte with ldapsearch and ldap3, certificates under
//! `userCertificate;binary` as slapd names them; presence filters with and
//! without the option; compare and value deletes by the bytes; slapd's
//! refusals (no `;binary` on a certificate, `;binary` where it does not
//! belong) and the size cap leave the entry exactly as it was; SCIM shows
//! the certificate as `x509Certificates` and writes it back for LDAP to
//! read, and refuses what is not base64.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::scim::{patch_ops, sample_user, start_scim};
use common::server::{BASE, Ldap, admin, find, read, run, start};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::Path;

/// A self-signed P-256 certificate made once with
/// `openssl req -x509 -newkey ec -subj "/CN=alice/O=dirgate test" -outform DER`.
const CERTIFICATE: &str = "MIIBpDCCAUugAwIBAgIUX6+ikhPzN07tMnNyfzSyKzwse/kwCgYIKoZIzj0EAwIwJzEOMAwGA1UEAwwFYWxpY2UxFTATBgNVBAoMDGRpcmdhdGUgdGVzdDAgFw0yNjEyMDYyMDQzNDFaGA8yMTI2MTExMjIwNDM0MVowJzEOMAwGA1UEAwwFYWxpY2UxFTATBgNVBAoMDGRpcmdhdGUgdGVzdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABH1Qx65uoK4ZINZvJMwQV5amMyoOx6brK9DSMAUnfluiBGfU76lEewVhdL84Om71MJAqHw2DO/sOkmwbRKBtRcqjUzBRMB0GA1UdDgQWBBREgPwtPQcXyP6iWzu5zcjGDh8uWTAfBgNVHSMEGDAWgBREgPwtPQcXyP6iWzu5zcjGDh8uWTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIEfB+KOElv2cJElqD9x26y5HIh+DBXPZjLgPdOjA3DAcAiBXDEfZaFv52z2KiTaUsGlaxKJ6MUg/1lUW9yhF1taOsg==";

fn der() -> Vec<u8> {
    STANDARD.decode(CERTIFICATE).unwrap()
}

/// A JPEG start-of-image and APP0 marker, every byte value, end of image:
/// not UTF-8, and every byte an encoding could mangle.
fn photo() -> Vec<u8> {
    let mut bytes = vec![0xff, 0xd8, 0xff, 0xe0];
    bytes.extend(0..=255u8);
    bytes.extend([0xff, 0xd9]);
    bytes
}

fn alice() -> String {
    format!("uid=alice@example.com,ou=Acme-A,{BASE}")
}

/// Writes `bytes` to `name` in `dir` and returns its `file://` URL.
fn file(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    format!("file://{}", path.display())
}

/// Adds the photo and the certificate to `dn` with ldapmodify, from files.
async fn add_photo_and_certificate(l: &Ldap, dn: &str, dir: &Path) {
    let ldif = format!(
        "dn: {dn}\nchangetype: modify\nadd: jpegPhoto\njpegPhoto:< {}\n-\nadd: userCertificate;binary\nuserCertificate;binary:< {}\n-\n",
        file(dir, "photo.jpg", &photo()),
        file(dir, "cert.der", &der()),
    );
    let (rc, out) = admin(l, "ldapmodify", &ldif).await;
    assert_eq!(rc, 0, "{out}");
}

/// The values of `name` in ldapsearch's LDIF output, as bytes.
fn ldif_values(output: &str, name: &str) -> Vec<Vec<u8>> {
    let unwrapped = output.replace("\n ", "");
    let mut out = Vec::new();
    for line in unwrapped.lines() {
        if let Some(b64) = line.strip_prefix(&format!("{name}:: ")) {
            out.push(STANDARD.decode(b64).unwrap());
        } else if let Some(text) = line.strip_prefix(&format!("{name}: ")) {
            out.push(text.as_bytes().to_vec());
        }
    }
    out
}

/// ldap3's view of `dn`'s `attrs`: attribute description → values' bytes.
async fn ldap3_read(l: &Ldap, dn: &str, attrs: &[&str]) -> Vec<(String, Vec<Vec<u8>>)> {
    let (conn, mut ldap) = ldap3::LdapConnAsync::new(&l.url).await.unwrap();
    ldap3::drive!(conn);
    ldap.simple_bind(&l.admin_dn, &l.admin_pw)
        .await
        .unwrap()
        .success()
        .unwrap();
    let (entries, _) = ldap
        .search(dn, ldap3::Scope::Base, "(objectClass=*)", attrs.to_vec())
        .await
        .unwrap()
        .success()
        .unwrap();
    let entry = ldap3::SearchEntry::construct(entries.into_iter().next().unwrap());
    let text = entry
        .attrs
        .into_iter()
        .map(|(n, v)| (n, v.into_iter().map(String::into_bytes).collect()));
    let mut all: Vec<(String, Vec<Vec<u8>>)> = text.chain(entry.bin_attrs).collect();
    all.sort();
    ldap.unbind().await.unwrap();
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_and_a_certificate_read_back_byte_for_byte() {
    let l = start("").await;
    let tmp = tempfile::tempdir().unwrap();
    add_photo_and_certificate(&l, &alice(), tmp.path()).await;
    // Asked by either name, the certificate comes back as slapd names it.
    for asked in ["userCertificate", "userCertificate;binary"] {
        let out = read(&l, &alice(), &["-o", "ldif-wrap=no", "jpegPhoto", asked]).await;
        assert_eq!(ldif_values(&out, "jpegPhoto"), [photo()], "{out}");
        assert_eq!(
            ldif_values(&out, "userCertificate;binary"),
            [der()],
            "{out}"
        );
        assert!(!out.contains("\nuserCertificate:"), "{out}");
    }
    let seen = ldap3_read(&l, &alice(), &["jpegPhoto", "userCertificate"]).await;
    assert_eq!(
        seen,
        [
            ("jpegPhoto".to_owned(), vec![photo()]),
            ("userCertificate;binary".to_owned(), vec![der()]),
        ]
    );
    // typesOnly names the certificate the same way.
    let types = read(&l, &alice(), &["-A", "userCertificate"]).await;
    assert!(types.contains("\nuserCertificate;binary:"), "{types}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_filters_find_certificates_with_or_without_the_option() {
    let l = start("").await;
    let tmp = tempfile::tempdir().unwrap();
    add_photo_and_certificate(&l, &alice(), tmp.path()).await;
    for filter in [
        "(userCertificate=*)",
        "(userCertificate;binary=*)",
        "(jpegPhoto=*)",
        "(&(uid=alice@example.com)(userCertificate;binary=*))",
    ] {
        assert_eq!(find(&l, filter).await, vec![alice()], "{filter}");
    }
    // slapd knows no `cn;binary` or `jpegPhoto;binary`: they match nothing.
    for filter in ["(cn;binary=*)", "(jpegPhoto;binary=*)"] {
        assert!(find(&l, filter).await.is_empty(), "{filter}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_and_value_delete_go_by_the_bytes() {
    let l = start("").await;
    let tmp = tempfile::tempdir().unwrap();
    add_photo_and_certificate(&l, &alice(), tmp.path()).await;
    let compare = |assertion: String| {
        let (url, who, pw, dn) = (
            l.url.clone(),
            l.admin_dn.clone(),
            l.admin_pw.clone(),
            alice(),
        );
        async move {
            let args = ["-x", "-H", &url, "-D", &who, "-w", &pw, &dn, &assertion];
            run("ldapcompare", &args).await
        }
    };
    let b64 = |bytes: &[u8]| STANDARD.encode(bytes);
    let other = b"\xff\xd8 another photo".to_vec();
    // ldapcompare exits 6 for compareTrue, 5 for compareFalse.
    for (assertion, rc) in [
        (format!("jpegPhoto::{}", b64(&photo())), 6),
        (format!("jpegPhoto::{}", b64(&other)), 5),
        (format!("userCertificate;binary::{CERTIFICATE}"), 6),
        (format!("userCertificate::{CERTIFICATE}"), 6),
        (format!("userCertificate;binary::{}", b64(&photo())), 5),
    ] {
        let (got, out) = compare(assertion.clone()).await;
        assert_eq!(got, rc, "{assertion}: {out}");
    }
    // Two photos; deleting one by its bytes leaves the other.
    let add = format!(
        "dn: {}\nchangetype: modify\nadd: jpegPhoto\njpegPhoto:: {}\n-\n",
        alice(),
        b64(&other)
    );
    assert_eq!(admin(&l, "ldapmodify", &add).await.0, 0);
    let delete = format!(
        "dn: {}\nchangetype: modify\ndelete: jpegPhoto\njpegPhoto:< {}\n-\ndelete: userCertificate;binary\nuserCertificate;binary:: {CERTIFICATE}\n-\n",
        alice(),
        file(tmp.path(), "photo.jpg", &photo()),
    );
    let (rc, out) = admin(&l, "ldapmodify", &delete).await;
    assert_eq!(rc, 0, "{out}");
    let out = read(&l, &alice(), &["jpegPhoto", "userCertificate"]).await;
    assert_eq!(ldif_values(&out, "jpegPhoto"), [other], "{out}");
    assert!(
        ldif_values(&out, "userCertificate;binary").is_empty(),
        "{out}"
    );
    // A value that is not there is noSuchAttribute (16).
    let (rc, out) = admin(&l, "ldapmodify", &delete).await;
    assert_eq!(rc, 16, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_binary_writes_leave_the_entry_exactly_as_it_was() {
    let l = start("").await;
    let tmp = tempfile::tempdir().unwrap();
    add_photo_and_certificate(&l, &alice(), tmp.path()).await;
    let before = read(&l, &alice(), &["*", "+"]).await;
    let modify = |change: String| format!("dn: {}\nchangetype: modify\n{change}-\n", alice());
    let cert = file(tmp.path(), "cert.der", &der());
    // 400 KiB of photo is 533 KiB of base64: past the 512 KiB an entry keeps.
    let huge = file(tmp.path(), "huge.jpg", &vec![0xa5; 400 * 1024]);
    for (change, rc, says) in [
        (
            format!("replace: userCertificate\nuserCertificate:< {cert}\n"),
            17,
            "userCertificate: requires ;binary transfer",
        ),
        (
            "add: cn;binary\ncn;binary: Alice\n".to_owned(),
            17,
            "cn;binary: option \"binary\" not supported with type",
        ),
        (
            format!("add: jpegPhoto;binary\njpegPhoto;binary:< {cert}\n"),
            17,
            "jpegPhoto;binary: option \"binary\" not supported with type",
        ),
        (
            format!("replace: jpegPhoto\njpegPhoto:< {huge}\n"),
            19,
            "512 KiB",
        ),
    ] {
        let (got, out) = admin(&l, "ldapmodify", &modify(change.clone())).await;
        assert_eq!(got, rc, "{change}: {out}");
        assert!(out.contains(says), "{change}: {out}");
    }
    // An add naming a certificate without the option is refused the same way.
    let add = format!(
        "dn: uid=erin@example.com,ou=Acme-A,{BASE}\nobjectClass: inetOrgPerson\nuid: erin@example.com\ncn: Erin\nsn: E\nuserCertificate:< {cert}\n"
    );
    let (rc, out) = admin(&l, "ldapadd", &add).await;
    assert_eq!(rc, 17, "{out}");
    assert_eq!(read(&l, &alice(), &["*", "+"]).await, before);
    // Under the cap, a 256 KiB photo is kept whole.
    let big = vec![0x5a; 256 * 1024];
    let fits = modify(format!(
        "replace: jpegPhoto\njpegPhoto:< {}\n",
        file(tmp.path(), "big.jpg", &big)
    ));
    let (rc, out) = admin(&l, "ldapmodify", &fits).await;
    assert_eq!(rc, 0, "{out}");
    let out = read(&l, &alice(), &["-o", "ldif-wrap=no", "jpegPhoto"]).await;
    assert_eq!(ldif_values(&out, "jpegPhoto"), [big]);
}

/// The user `login`'s resource, found over SCIM with `token`.
async fn scim_user(s: &common::scim::Scim, token: &str, login: &str) -> Value {
    let filter = format!("/Users?filter=userName%20eq%20%22{login}%22");
    let r = s.get(token, &filter).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["Resources"][0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scim_shows_and_writes_the_certificate_ldap_holds() {
    let s = start_scim("").await;
    let tmp = tempfile::tempdir().unwrap();
    let carol = format!("uid=carol@example.com,ou=Acme-B,{BASE}");
    add_photo_and_certificate(&s.env, &carol, tmp.path()).await;
    let user = scim_user(&s, &s.token_b, "carol@example.com").await;
    assert_eq!(user["x509Certificates"], json!([{"value": CERTIFICATE}]));
    // A whole replacement that says nothing of certificates keeps them.
    let id = user["id"].as_str().unwrap().to_owned();
    let mut body = user.clone();
    body.as_object_mut().unwrap().remove("x509Certificates");
    let r = s.put(&s.token_b, &format!("/Users/{id}"), body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["x509Certificates"][0]["value"], CERTIFICATE);
    // Written over SCIM (folded as a PEM body is), read over LDAP as the DER.
    let folded = CERTIFICATE
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let mut erin = sample_user("erin@example.com", "e-1");
    // LDAP's certificates carry no label: a `type` would be dropped, so it
    // is refused, naming it, rather than answered success.
    erin["x509Certificates"] = json!([{"value": folded, "type": "work"}]);
    let r = s.post(&s.token_a, "/Users", erin.clone()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("'x509Certificates.type'")
    );
    erin["x509Certificates"] = json!([{"value": folded}]);
    let r = s.post(&s.token_a, "/Users", erin).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["x509Certificates"], json!([{"value": CERTIFICATE}]));
    let erin_id = r.body["id"].as_str().unwrap().to_owned();
    let erin_dn = format!("uid=erin@example.com,ou=Acme-A,{BASE}");
    let out = read(&s.env, &erin_dn, &["userCertificate"]).await;
    assert_eq!(
        ldif_values(&out, "userCertificate;binary"),
        [der()],
        "{out}"
    );
    // What is not base64 is refused in RFC 7644's shape,
    // and nothing changes.
    for bad in ["not base64!", "QUJD="] {
        let ops = patch_ops(&[("replace", Some("x509Certificates"), json!([{"value": bad}]))]);
        let r = s.patch(&s.token_a, &format!("/Users/{erin_id}"), ops).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.body["scimType"], "invalidValue", "{}", r.body);
        assert_eq!(r.body["status"], "400");
        assert_eq!(
            r.body["schemas"],
            json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
        );
    }
    let out = read(&s.env, &erin_dn, &["userCertificate"]).await;
    assert_eq!(
        ldif_values(&out, "userCertificate;binary"),
        [der()],
        "{out}"
    );
    // Removing the attribute removes the LDAP values.
    let remove = patch_ops(&[("remove", Some("x509Certificates"), Value::Null)]);
    let r = s
        .patch(&s.token_a, &format!("/Users/{erin_id}"), remove)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(find(&s.env, "(userCertificate=*)").await, vec![carol]);
}
