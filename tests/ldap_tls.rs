//! LDAP over TLS with OpenLDAP's clients: StartTLS (`ldapwhoami -ZZ`), LDAPS,
//! `require_tls` answering confidentialityRequired before TLS while the root DSE
//! stays readable, and a certificate reload that new connections see.

mod common;

use common::server::{BASE, run, start_in};
use std::path::Path;

/// Writes a self-signed certificate for 127.0.0.1/localhost named `cn`.
fn write_cert(dir: &Path, cn: &str) {
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, cn);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
}

fn tls_config(dir: &Path, more: &str) -> String {
    format!(
        "[ldap]\ntls_cert = \"{}\"\ntls_key = \"{}\"\nldaps_listen = \"127.0.0.1:0\"\n{more}",
        dir.join("cert.pem").display(),
        dir.join("key.pem").display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_and_ldaps_work_with_openldap_clients() {
    let tmp = tempfile::tempdir().unwrap();
    write_cert(tmp.path(), "dirgate test");
    let extra = tls_config(tmp.path(), "");
    let l = start_in(tmp, &extra).await;
    let alice = format!("uid=alice@example.com,ou=Acme-A,{BASE}");
    let (code, out) = run(
        "ldapwhoami",
        &["-x", "-ZZ", "-H", &l.url, "-D", &alice, "-w", "pw"],
    )
    .await;
    assert_eq!(
        (code, out.trim()),
        (0, format!("dn:{alice}").as_str()),
        "{out}"
    );
    let ldaps = format!("ldaps://{}", l.server.ldaps_addr.unwrap());
    let (code, out) = run(
        "ldapwhoami",
        &["-x", "-H", &ldaps, "-D", &alice, "-w", "pw"],
    )
    .await;
    assert_eq!(
        (code, out.trim()),
        (0, format!("dn:{alice}").as_str()),
        "{out}"
    );
    let (code, out) = run(
        "ldapsearch",
        &[
            "-x",
            "-H",
            &ldaps,
            "-D",
            &l.admin_dn,
            "-w",
            &l.admin_pw,
            "-b",
            BASE,
            "-LLL",
            "(uid=carol@example.com)",
            "1.1",
        ],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("dn: uid=carol@example.com,ou=Acme-B"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_tls_refuses_cleartext_but_serves_discovery() {
    let tmp = tempfile::tempdir().unwrap();
    write_cert(tmp.path(), "dirgate test");
    let extra = tls_config(tmp.path(), "require_tls = true\n");
    let l = start_in(tmp, &extra).await;
    let alice = format!("uid=alice@example.com,ou=Acme-A,{BASE}");
    let (code, out) = run(
        "ldapwhoami",
        &["-x", "-H", &l.url, "-D", &alice, "-w", "pw"],
    )
    .await;
    assert_eq!(code, 13, "confidentialityRequired: {out}");
    let (code, out) = run(
        "ldapsearch",
        &[
            "-x",
            "-H",
            &l.url,
            "-b",
            "",
            "-s",
            "base",
            "-LLL",
            "namingContexts",
        ],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(BASE));
    let (code, _) = run(
        "ldapwhoami",
        &["-x", "-ZZ", "-H", &l.url, "-D", &alice, "-w", "pw"],
    )
    .await;
    assert_eq!(code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reloaded_certificate_serves_new_connections() {
    let tmp = tempfile::tempdir().unwrap();
    write_cert(tmp.path(), "first certificate");
    let certs = tmp.path().to_path_buf();
    let extra = tls_config(&certs, "");
    let l = start_in(tmp, &extra).await;
    let ldaps = l.server.ldaps_addr.unwrap().to_string();
    let subject = || async {
        let (_, out) = run("openssl", &["s_client", "-connect", &ldaps, "-brief"]).await;
        out
    };
    assert!(subject().await.contains("first certificate"));
    write_cert(&certs, "second certificate");
    l.server.reload_tls();
    let after = subject().await;
    assert!(after.contains("second certificate"), "{after}");
    // A broken file keeps the old certificate in service.
    std::fs::write(certs.join("cert.pem"), "not a certificate").unwrap();
    l.server.reload_tls();
    assert!(subject().await.contains("second certificate"));
}
