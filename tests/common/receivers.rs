//! Real receivers for notices, run as processes from the Python virtual
//! environment that `scripts/test` prepares: an SMTP server (aiosmtpd,
//! `tests/support/smtp_server.py`) with STARTTLS or implicit TLS and AUTH,
//! and an HTTPS webhook receiver (`tests/support/https_receiver.py`). Both
//! print one JSON line per message; their certificate comes from a test CA
//! that dirgate is told to trust (`notify.ca_file`).

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A CA and a server certificate for 127.0.0.1 it signed, as PEM files.
pub struct Pki {
    _dir: tempfile::TempDir,
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

pub fn pki() -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "dirgate test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    let path = |name: &str| dir.path().join(name);
    std::fs::write(path("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(path("cert.pem"), cert.pem()).unwrap();
    std::fs::write(path("key.pem"), key.serialize_pem()).unwrap();
    Pki {
        ca: path("ca.pem"),
        cert: path("cert.pem"),
        key: path("key.pem"),
        _dir: dir,
    }
}

/// A port nobody listens on (bound, then released).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn python() -> PathBuf {
    std::env::var_os("DIRGATE_PYENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pyenv"))
        .join("bin/python")
}

/// A receiver process; killed when dropped.
pub struct Receiver {
    child: Child,
    pub port: u16,
    lines: mpsc::Receiver<Value>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn script(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(name);
    path.to_str().unwrap().to_owned()
}

impl Receiver {
    /// An SMTP server on `port`: `mode` "starttls" or "tls"; AUTH with
    /// `user`/`password`.
    pub fn smtp(pki: &Pki, mode: &str, port: u16, user: &str, password: &str) -> Receiver {
        let argv = [
            script("smtp_server.py"),
            mode.to_owned(),
            port.to_string(),
            pki.cert.to_str().unwrap().to_owned(),
            pki.key.to_str().unwrap().to_owned(),
            user.to_owned(),
            password.to_owned(),
        ];
        Receiver::spawn_argv(&argv, port)
    }

    fn spawn_argv(argv: &[String], port: u16) -> Receiver {
        let mut child = Command::new(python())
            .args(argv)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("no Python environment (run scripts/test): {e}"));
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let (ready_tx, ready) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line == "ready" {
                    let _ = ready_tx.send(());
                } else if let Ok(v) = serde_json::from_str(&line) {
                    let _ = tx.send(v);
                }
            }
        });
        ready
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("{argv:?} did not start"));
        Receiver {
            child,
            port,
            lines: rx,
        }
    }

    /// An HTTPS receiver that fails the first `failures` POSTs with 500.
    pub fn https(pki: &Pki, failures: u32) -> Receiver {
        let port = free_port();
        let argv = [
            script("https_receiver.py"),
            port.to_string(),
            pki.cert.to_str().unwrap().to_owned(),
            pki.key.to_str().unwrap().to_owned(),
            failures.to_string(),
        ];
        Receiver::spawn_argv(&argv, port)
    }

    /// The next message, waiting up to 20 s.
    pub fn next(&self) -> Value {
        self.lines
            .recv_timeout(Duration::from_secs(20))
            .expect("nothing arrived")
    }

    /// Whatever arrives within `wait`.
    pub fn drain(&self, wait: Duration) -> Vec<Value> {
        let mut out = Vec::new();
        while let Ok(v) = self.lines.recv_timeout(wait) {
            out.push(v);
        }
        out
    }
}

/// The `[notify]` section for a relay on `port` (`security`: starttls,
/// tls or none) with the receivers' user, password and CA.
pub fn mail_config(pki: &Pki, port: u16, security: &str) -> String {
    format!(
        "[notify]\nsmtp = \"127.0.0.1:{port}\"\nsmtp_security = \"{security}\"\n\
         smtp_user = \"dirgate\"\nsmtp_password = \"relay-pw\"\n\
         smtp_from = \"dir@example.com\"\nca_file = \"{}\"\n",
        pki.ca.display()
    )
}
