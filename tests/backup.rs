//! Online backup and restore with the real binary: `dirgate backup` against
//! a running daemon while a SCIM client keeps creating users, then
//! `dirgate restore` into a new data directory; the restored server answers
//! exactly as the first did at the backup's snapshot: the users whose
//! creation is in the change log up to the backup's position, no more, no
//! fewer, and the same audit trail up to there. A damaged backup is refused
//! and restores nothing; a store in use or already there is not replaced
//! unasked. Scheduled backups keep the newest `keep`.

mod common;
#[path = "common/process.rs"]
mod process;

use process::{Daemon, command, text};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// The logins the daemon holds.
fn logins(d: &Daemon) -> BTreeSet<String> {
    let users = d.admin_get("/users?limit=10000");
    users["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["login"].as_str().unwrap().to_owned())
        .collect()
}

/// The audit trail, oldest first, as (seq, action, target).
fn trail(d: &Daemon) -> Vec<(u64, String, String)> {
    let events = d.admin_get("/audit?limit=10000");
    let mut out: Vec<_> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (e["seq"].as_u64().unwrap(), s("action"), s("target"))
        })
        .collect();
    out.reverse();
    out
}

/// Creates users over SCIM until `stop`; counts them.
fn scim_writer(url: String, token: String, stop: Arc<AtomicBool>, made: Arc<AtomicUsize>) {
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                          "userName": format!("w{n:04}@example.com")});
        let answer = ureq::post(format!("{url}/scim/v2/Users"))
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "application/scim+json")
            .send(body.to_string())
            .unwrap();
        assert_eq!(answer.status().as_u16(), 201);
        n += 1;
        made.store(n, Ordering::Relaxed);
    }
}

#[test]
fn a_backup_under_scim_writes_restores_to_the_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let d = Daemon::start(tmp.path(), "");
    d.ok(&["org", "create", "Acme-W", "--seats", "100000"]);
    d.ok(&["suffix", "add", "example.com"]);
    let issued = d.ok(&["token", "issue", "--scim", "--org", "Acme-W", "--json"]);
    let token = serde_json::from_str::<Value>(&issued).unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();

    let stop = Arc::new(AtomicBool::new(false));
    let made = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (url, stop, made) = (d.url.clone(), stop.clone(), made.clone());
        std::thread::spawn(move || scim_writer(url, token, stop, made))
    };
    while made.load(Ordering::Relaxed) < 20 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let file = tmp.path().join("snap.backup");
    let out = d.cli(&["backup", file.to_str().unwrap(), "--json"], &[], "");
    assert!(out.status.success(), "{out:?}");
    let said: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Writes went on during and after the backup.
    let during = made.load(Ordering::Relaxed);
    while made.load(Ordering::Relaxed) < during + 20 {
        std::thread::sleep(Duration::from_millis(10));
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    let mode = std::fs::metadata(&file).unwrap().permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o600
    );

    // What the first server held at the snapshot, from its change log.
    let position = said["changes"].as_u64().unwrap();
    let full = trail(&d);
    let upto: Vec<_> = full.iter().filter(|e| e.0 <= position).cloned().collect();
    assert!(upto.len() < full.len(), "no write came after the backup");
    // The backup holds its own event (SCIM creates may commit between that
    // event and the snapshot, so it need not be the last).
    assert!(upto.iter().any(|e| e.1 == "server.backup"), "{upto:?}");
    let created: BTreeSet<String> = upto
        .iter()
        .filter(|e| e.1 == "user.create")
        .map(|e| e.2.clone())
        .collect();
    assert!(created.len() >= 20 && created.len() < logins(&d).len());

    // Restore into a new data directory, with the same configuration.
    let fresh = tempfile::tempdir().unwrap();
    let restore = |extra: &[&str]| {
        command(fresh.path(), "")
            .arg("restore")
            .arg(&file)
            .args(extra)
            .output()
            .unwrap()
    };
    let done = restore(&[]);
    assert!(done.status.success(), "{done:?}");
    std::fs::copy(
        tmp.path().join("data/bootstrap-admin"),
        fresh.path().join("data/bootstrap-admin"),
    )
    .unwrap();
    let again = Daemon::start(fresh.path(), "");
    // Reading it as the administrator adds events of its own: compare up to there.
    let restored: Vec<_> = trail(&again)
        .into_iter()
        .filter(|e| e.0 <= position)
        .collect();
    assert_eq!(restored, upto);
    assert_eq!(logins(&again), created);
    // A store in use is never replaced, and one that is there only when asked.
    let refused = restore(&[]);
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("--replace"), "{refused:?}");
    let busy = restore(&["--replace"]);
    assert!(!busy.status.success(), "{busy:?}");
    assert!(text(&busy.stderr).contains("in use"), "{busy:?}");
    drop(again);
}

#[test]
fn a_damaged_backup_restores_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = Daemon::start(tmp.path(), "");
    d.ok(&["org", "create", "Acme-D", "--seats", "5"]);
    let file = tmp.path().join("d.backup");
    d.ok(&["backup", file.to_str().unwrap()]);
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&file, &bytes).unwrap();
    let fresh = tempfile::tempdir().unwrap();
    let out = command(fresh.path(), "")
        .arg("restore")
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("damaged"), "{out:?}");
    assert!(!fresh.path().join("data/dirgate.redb").exists());
    // Only the system administrator takes backups.
    let refused = ureq::get(format!("{}/admin/v1/backup", d.url))
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_backups_keep_the_newest() {
    let f = common::fixture();
    let dir = tempfile::tempdir().unwrap();
    let config = dirgate::config::BackupConfig {
        dir: Some(dir.path().join("backups")),
        interval: Duration::from_millis(200),
        keep: 2,
    };
    let shutdown = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn(dirgate::backup::schedule(
        f.dir.clone(),
        config,
        shutdown.clone(),
    ));
    tokio::time::sleep(Duration::from_millis(1300)).await;
    shutdown.cancel();
    task.await.unwrap();
    let names: Vec<_> = std::fs::read_dir(dir.path().join("backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    for path in names {
        let header = dirgate::store::verify_backup(&path).unwrap();
        assert_eq!(header.schema, dirgate::store::SCHEMA_VERSION);
    }
}
