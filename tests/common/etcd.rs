//! Real etcd members on loopback for the server-set tests: Debian's
//! `etcd-server` (scripts/test installs it), each member on ports of its
//! own in a temporary directory, killed when dropped.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct EtcdCluster {
    members: Vec<Child>,
    /// How each member was started, to start it again after a kill.
    commands: Vec<Vec<String>>,
    /// Client URLs, one per member.
    pub endpoints: Vec<String>,
    _dir: tempfile::TempDir,
}

impl Drop for EtcdCluster {
    fn drop(&mut self) {
        for m in &mut self.members {
            let _ = m.kill();
            let _ = m.wait();
        }
    }
}

fn port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `n` members forming one cluster and waits until it answers.
pub fn start(n: usize) -> EtcdCluster {
    let dir = tempfile::tempdir().unwrap();
    let ports: Vec<(u16, u16)> = (0..n).map(|_| (port(), port())).collect();
    let initial: Vec<String> = ports
        .iter()
        .enumerate()
        .map(|(i, (_, peer))| format!("m{i}=http://127.0.0.1:{peer}"))
        .collect();
    let mut members = Vec::new();
    let mut commands = Vec::new();
    for (i, (client, peer)) in ports.iter().enumerate() {
        let args: Vec<String> = vec![
            "--name".into(),
            format!("m{i}"),
            "--data-dir".into(),
            dir.path().join(format!("m{i}")).display().to_string(),
            "--listen-client-urls".into(),
            format!("http://127.0.0.1:{client}"),
            "--advertise-client-urls".into(),
            format!("http://127.0.0.1:{client}"),
            "--listen-peer-urls".into(),
            format!("http://127.0.0.1:{peer}"),
            "--initial-advertise-peer-urls".into(),
            format!("http://127.0.0.1:{peer}"),
            "--initial-cluster".into(),
            initial.join(","),
            "--initial-cluster-state".into(),
            "new".into(),
        ];
        members.push(spawn(&args));
        commands.push(args);
    }
    let endpoints: Vec<String> = ports
        .iter()
        .map(|(c, _)| format!("http://127.0.0.1:{c}"))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    for e in &endpoints {
        while ureq::get(format!("{e}/health"))
            .call()
            .ok()
            .and_then(|mut r| r.body_mut().read_to_string().ok())
            .is_none_or(|b| !b.contains("\"true\""))
        {
            assert!(Instant::now() < deadline, "etcd at {e} did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    EtcdCluster {
        members,
        commands,
        endpoints,
        _dir: dir,
    }
}

fn spawn(args: &[String]) -> Child {
    Command::new("etcd")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("no etcd (scripts/test installs etcd-server): {e}"))
}

impl EtcdCluster {
    /// Kills member `i` with SIGKILL.
    pub fn kill(&mut self, i: usize) {
        let _ = self.members[i].kill();
        let _ = self.members[i].wait();
    }

    /// Starts member `i` again on its data directory.
    pub fn restart(&mut self, i: usize) {
        self.members[i] = spawn(&self.commands[i]);
    }

    /// The index of the member that leads now (asking each in turn).
    pub fn leader(&self) -> usize {
        for _ in 0..100 {
            for (i, e) in self.endpoints.iter().enumerate() {
                let Ok(mut r) = ureq::post(format!("{e}/v3/maintenance/status")).send("{}") else {
                    continue;
                };
                let Ok(v) = r.body_mut().read_json::<serde_json::Value>() else {
                    continue;
                };
                if v["leader"].is_string() && v["leader"] == v["header"]["member_id"] {
                    return i;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("no etcd member leads");
    }
}

impl EtcdCluster {
    /// Whether etcd has compacted its history past revision `revision`
    /// (asking for the key space as it was then fails).
    pub fn compacted_past(&self, revision: u64) -> bool {
        let body = serde_json::json!({"key": "AA==", "revision": revision.to_string()});
        let answer = ureq::post(&format!("{}/v3/kv/range", self.endpoints[0]))
            .config()
            .http_status_as_error(false)
            .build()
            .send_json(&body);
        match answer {
            Ok(mut r) => r
                .body_mut()
                .read_to_string()
                .unwrap_or_default()
                .contains("compacted"),
            Err(_) => false,
        }
    }
}

/// PEM files for an etcd member that speaks TLS and asks clients for a
/// certificate: a CA, the member's certificate for 127.0.0.1, and a client
/// certificate, both signed by the CA.
pub struct TlsFiles {
    pub dir: tempfile::TempDir,
    pub ca: std::path::PathBuf,
    pub server: (std::path::PathBuf, std::path::PathBuf),
    pub client: (std::path::PathBuf, std::path::PathBuf),
}

pub fn tls_files() -> TlsFiles {
    let dir = tempfile::tempdir().unwrap();
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "etcd test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let path = |name: &str| dir.path().join(name);
    std::fs::write(path("ca.pem"), ca_cert.pem()).unwrap();
    let pair = |name: &str, sans: Vec<String>| {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(sans)
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap();
        std::fs::write(path(&format!("{name}.pem")), cert.pem()).unwrap();
        std::fs::write(path(&format!("{name}-key.pem")), key.serialize_pem()).unwrap();
        (
            path(&format!("{name}.pem")),
            path(&format!("{name}-key.pem")),
        )
    };
    let server = pair("server", vec!["127.0.0.1".into(), "localhost".into()]);
    let client = pair("client", vec!["dirgate-node".into()]);
    TlsFiles {
        ca: path("ca.pem"),
        server,
        client,
        dir,
    }
}

/// One member serving clients over TLS, with client certificates required.
pub fn start_tls(files: &TlsFiles) -> EtcdCluster {
    let dir = tempfile::tempdir().unwrap();
    let (client, peer) = (port(), port());
    let s = |p: &std::path::Path| p.display().to_string();
    let args: Vec<String> = vec![
        "--name".into(),
        "m0".into(),
        "--data-dir".into(),
        dir.path().join("m0").display().to_string(),
        "--listen-client-urls".into(),
        format!("https://127.0.0.1:{client}"),
        "--advertise-client-urls".into(),
        format!("https://127.0.0.1:{client}"),
        "--listen-peer-urls".into(),
        format!("http://127.0.0.1:{peer}"),
        "--initial-advertise-peer-urls".into(),
        format!("http://127.0.0.1:{peer}"),
        "--initial-cluster".into(),
        format!("m0=http://127.0.0.1:{peer}"),
        "--cert-file".into(),
        s(&files.server.0),
        "--key-file".into(),
        s(&files.server.1),
        "--trusted-ca-file".into(),
        s(&files.ca),
        "--client-cert-auth".into(),
    ];
    let member = spawn(&args);
    let endpoint = format!("https://127.0.0.1:{client}");
    // Up once it takes a TCP connection and a moment to elect itself.
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", client)).is_err() {
        assert!(Instant::now() < deadline, "etcd over TLS did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1500));
    EtcdCluster {
        members: vec![member],
        commands: vec![args],
        endpoints: vec![endpoint],
        _dir: dir,
    }
}
