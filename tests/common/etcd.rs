//! Real etcd members on loopback for the server-set tests: Debian's
//! `etcd-server` (scripts/test installs it), each member on ports of its
//! own in a temporary directory, killed when dropped.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct EtcdCluster {
    members: Vec<Child>,
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
    for (i, (client, peer)) in ports.iter().enumerate() {
        let child = Command::new("etcd")
            .args(["--name", &format!("m{i}")])
            .arg("--data-dir")
            .arg(dir.path().join(format!("m{i}")))
            .args([
                "--listen-client-urls",
                &format!("http://127.0.0.1:{client}"),
            ])
            .args([
                "--advertise-client-urls",
                &format!("http://127.0.0.1:{client}"),
            ])
            .args(["--listen-peer-urls", &format!("http://127.0.0.1:{peer}")])
            .args([
                "--initial-advertise-peer-urls",
                &format!("http://127.0.0.1:{peer}"),
            ])
            .args(["--initial-cluster", &initial.join(",")])
            .args(["--initial-cluster-state", "new"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("no etcd (scripts/test installs etcd-server): {e}"));
        members.push(child);
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
        endpoints,
        _dir: dir,
    }
}
