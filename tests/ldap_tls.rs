//! LDAP and HTTP over TLS, checked with OpenLDAP's clients and openssl:
//! StartTLS (`ldapwhoami -ZZ`), LDAPS, `require_tls` answering
//! confidentialityRequired before TLS while the root DSE stays readable, a
//! certificate reload that new connections see, and HTTPS on the HTTP
//! listener with the same certificate.

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

/// `[http] tls = true`: the HTTP listener (healthz, the admin API, SCIM, the
/// console) speaks HTTPS with the LDAP certificate, refuses plain HTTP, and
/// serves a reloaded certificate to new connections as LDAPS does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_on_the_http_listener_uses_the_same_certificate() {
    let tmp = tempfile::tempdir().unwrap();
    write_cert(tmp.path(), "first certificate");
    let certs = tmp.path().to_path_buf();
    let extra = tls_config(&certs, "[http]\ntls = true\n");
    let l = start_in(tmp, &extra).await;
    let https = l.server.http_addr.to_string();
    let ca = certs.join("cert.pem").display().to_string();
    let get = |path: &'static str| {
        let (https, ca) = (https.clone(), ca.clone());
        async move {
            let request =
                format!("GET {path} HTTP/1.1\r\nHost: {https}\r\nConnection: close\r\n\r\n");
            let mut child = tokio::process::Command::new("openssl")
                .args(["s_client", "-connect", &https, "-CAfile", &ca])
                .args(["-verify_return_error", "-quiet", "-servername", "localhost"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            use tokio::io::AsyncWriteExt;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(request.as_bytes()).await.unwrap();
            let out = child.wait_with_output().await.unwrap();
            drop(stdin);
            String::from_utf8_lossy(&out.stdout).into_owned()
        }
    };
    let health = get("/healthz").await;
    assert!(health.starts_with("HTTP/1.1 200 OK"), "{health}");
    let sign_in = get("/sign-in").await;
    assert!(sign_in.contains("current-password"), "{sign_in}");
    // Plain HTTP on the HTTPS port gets no HTTP answer.
    let plain = reqwest::get(format!("http://{https}/healthz")).await;
    assert!(plain.is_err(), "{plain:?}");
    write_cert(&certs, "second certificate");
    l.server.reload_tls();
    let (_, out) = run("openssl", &["s_client", "-connect", &https, "-brief"]).await;
    assert!(out.contains("second certificate"), "{out}");
}
