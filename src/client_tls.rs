//! TLS for dirgate's outgoing HTTPS (ureq, rustls with ring): the roots it
//! trusts (the public ones, or a private CA's PEM instead) and, for etcd
//! members that ask for one, a client certificate. The webhook channel and
//! a server set's etcd client and peer snapshots build their agents here.

use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};

/// The certificates in `pem`; `what` names the setting in errors.
fn certificates(pem: &[u8], what: &str) -> Result<Vec<Certificate<'static>>, String> {
    let certs = ureq::tls::parse_pem(pem)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(c)) => Some(Ok(c)),
            Ok(_) => None,
            Err(e) => Some(Err(e)),
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{what}: {e}"))?;
    if certs.is_empty() {
        return Err(format!("{what}: no certificate in it"));
    }
    Ok(certs)
}

/// A client TLS configuration trusting `ca` (PEM) instead of the public
/// roots when given, and presenting `identity` (certificate chain PEM, key
/// PEM) when given. `what` prefixes errors (the settings' section).
pub fn config(
    ca: Option<&[u8]>,
    identity: Option<(&[u8], &[u8])>,
    what: &str,
) -> Result<TlsConfig, String> {
    let mut tls = TlsConfig::builder();
    if let Some(pem) = ca {
        let certs = certificates(pem, &format!("{what}.ca_file"))?;
        tls = tls.root_certs(RootCerts::new_with_certs(&certs));
    }
    if let Some((chain, key)) = identity {
        let chain = certificates(chain, &format!("{what}.cert_file"))?;
        let key = PrivateKey::from_pem(key).map_err(|e| format!("{what}.key_file: {e}"))?;
        tls = tls.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
    }
    Ok(tls.build())
}
