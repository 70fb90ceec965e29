//! The daemon under systemd's notify protocol, as a real process: a unix
//! datagram socket stands in for the service manager (`NOTIFY_SOCKET`). The
//! daemon says READY=1 once it serves, pings the watchdog (`WATCHDOG_USEC`)
//! while its store answers, says RELOADING=1 then READY=1 around a SIGHUP,
//! and STOPPING=1 at SIGTERM. `systemd/dirgate.service` is `Type=notify` with
//! a watchdog.

#[path = "common/process.rs"]
mod process;

use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The next message the daemon sends, within five seconds (a signal that
/// interrupts the wait is no reason to give up: the wait goes on).
fn next(sock: &UnixDatagram) -> String {
    let mut buf = [0u8; 1024];
    loop {
        match sock.recv(&mut buf) {
            Ok(n) => return String::from_utf8_lossy(&buf[..n]).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => panic!("no notification within 5 s: {e}"),
        }
    }
}

/// The daemon, killed if the test fails before it stops it.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Messages until one contains `wanted` (watchdog pings come in between).
fn until(sock: &UnixDatagram, wanted: &str) -> String {
    for _ in 0..50 {
        let m = next(sock);
        if m.contains(wanted) {
            return m;
        }
    }
    panic!("never received {wanted}");
}

fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

#[test]
fn the_daemon_speaks_systemds_notify_protocol() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("notify.sock");
    let sock = UnixDatagram::bind(&path).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut child = Reaped(
        process::command(tmp.path(), "")
            .arg("serve")
            .env("NOTIFY_SOCKET", &path)
            .env("WATCHDOG_USEC", "200000")
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = child.0.id();

    let first = next(&sock);
    assert!(first.contains("READY=1"), "{first}");
    // Pinged every half period while the store answers.
    until(&sock, "WATCHDOG=1");
    until(&sock, "WATCHDOG=1");

    signal(pid, "-HUP");
    let reloading = until(&sock, "RELOADING=1");
    assert!(reloading.contains("MONOTONIC_USEC="), "{reloading}");
    until(&sock, "READY=1");

    signal(pid, "-TERM");
    until(&sock, "STOPPING=1");
    let status = child.0.wait().unwrap();
    assert!(status.success(), "{status:?}");

    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/systemd/dirgate.service"
    ))
    .unwrap();
    assert!(
        unit.contains("Type=notify\n") && unit.contains("WatchdogSec="),
        "{unit}"
    );
}

/// The Debian package's metadata (built and checked with lintian by
/// `scripts/package`) against the files it names: every asset exists, the
/// unit starts the binary where the package puts it, as the user the
/// maintainer script creates, and the scripts are valid shell with one
/// place for cargo-deb's own lines.
#[test]
fn the_package_metadata_matches_the_files() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml")).unwrap()).unwrap();
    let deb = &cargo["package"]["metadata"]["deb"];
    let mut binary_at = None;
    for asset in deb["assets"].as_array().unwrap() {
        let (src, dest) = (asset[0].as_str().unwrap(), asset[1].as_str().unwrap());
        if src == "target/release/dirgate" {
            binary_at = Some(format!("/{dest}dirgate"));
        } else {
            assert!(root.join(src).is_file(), "{src} is packaged but missing");
        }
    }
    let unit = std::fs::read_to_string(root.join("systemd/dirgate.service")).unwrap();
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .unwrap();
    assert_eq!(exec.split(' ').next(), binary_at.as_deref());
    assert!(exec.contains("--config /etc/dirgate/dirgate.toml"));
    assert!(unit.contains("\nUser=dirgate\n"), "{unit}");
    for script in ["debian/postinst", "debian/postrm"] {
        let text = std::fs::read_to_string(root.join(script)).unwrap();
        assert_eq!(text.matches("#DEBHELPER#").count(), 1, "{script}");
        let ok = std::process::Command::new("sh")
            .arg("-n")
            .arg(root.join(script))
            .status()
            .unwrap();
        assert!(ok.success(), "{script} is not valid shell");
    }
    let postinst = std::fs::read_to_string(root.join("debian/postinst")).unwrap();
    assert!(postinst.contains("adduser --system --group"));
    // The configuration the package installs is valid as shipped.
    dirgate::config::Config::load(Some(&root.join("conf/dirgate.toml"))).unwrap();
}
