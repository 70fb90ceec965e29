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

/// The next message the daemon sends, within five seconds.
fn next(sock: &UnixDatagram) -> String {
    let mut buf = [0u8; 1024];
    let n = sock.recv(&mut buf).expect("no notification within 5 s");
    String::from_utf8_lossy(&buf[..n]).into_owned()
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
    let mut child = process::command(tmp.path(), "")
        .arg("serve")
        .env("NOTIFY_SOCKET", &path)
        .env("WATCHDOG_USEC", "200000")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();

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
    let status = child.wait().unwrap();
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
