//! Password hashing under a flood: many concurrent LDAP binds with a wrong
//! password for a DN that does not exist (each costs an argon2id check on a
//! dummy hash) against a server with one hashing thread and a short queue.
//! The binds are answered (busy or invalidCredentials, none hangs), another
//! client's searches keep succeeding, and no more argon2 computations ever run
//! at once than there are hashing threads. The gauge is process-wide, so this
//! file holds this one test.

mod common;

use common::server::{BASE, start_costed};
use ldap3::{LdapConnAsync, LdapResult, Scope};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const FLOOD: usize = 200;
/// Bound on any one answer: a bind or search slower than this has hung.
const ANSWER_WITHIN: Duration = Duration::from_secs(60);

/// One wrong bind on a fresh connection; its result code.
async fn wrong_bind(url: String) -> u32 {
    let (conn, mut ldap) = LdapConnAsync::new(&url).await.unwrap();
    ldap3::drive!(conn);
    let dn = format!("uid=nobody@example.com,ou=people,{BASE}");
    let res: LdapResult = ldap.simple_bind(&dn, "wrong").await.unwrap();
    let _ = ldap.unbind().await;
    res.rc
}

/// A connection bound as the system administrator (before the flood: its
/// own bind would compete for the queue like any other).
async fn admin_connection(l: &common::server::Ldap) -> ldap3::Ldap {
    let (conn, mut ldap) = LdapConnAsync::new(&l.url).await.unwrap();
    ldap3::drive!(conn);
    ldap.simple_bind(&l.admin_dn, &l.admin_pw)
        .await
        .unwrap()
        .success()
        .unwrap();
    ldap
}

/// Searches until `stop`; the number done.
async fn steady_searches(mut ldap: ldap3::Ldap, stop: Arc<AtomicBool>) -> usize {
    let mut done = 0;
    while !stop.load(Ordering::Relaxed) {
        let search = ldap.search(BASE, Scope::Subtree, "(uid=alice*)", vec!["uid"]);
        let (entries, res) = tokio::time::timeout(ANSWER_WITHIN, search)
            .await
            .expect("a search hung during the flood")
            .unwrap()
            .success()
            .unwrap();
        assert_eq!(entries.len(), 1, "{res:?}");
        done += 1;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    done
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bind_flood_is_answered_and_bounded_while_searches_go_on() {
    // 4 MiB per check: slow enough in a debug build that the queue fills.
    let extra = "hash_workers = 1\nhash_queue = 2\n";
    let l = start_costed(tempfile::tempdir().unwrap(), 4096, extra).await;
    let stop = Arc::new(AtomicBool::new(false));
    let steady = tokio::spawn(steady_searches(admin_connection(&l).await, stop.clone()));
    let binds: Vec<_> = (0..FLOOD)
        .map(|_| {
            tokio::spawn(tokio::time::timeout(
                ANSWER_WITHIN,
                wrong_bind(l.url.clone()),
            ))
        })
        .collect();
    let (mut busy, mut invalid) = (0, 0);
    for b in binds {
        match b.await.unwrap().expect("a bind hung during the flood") {
            49 => invalid += 1,
            51 => busy += 1,
            other => panic!("a wrong bind answered {other}"),
        }
    }
    stop.store(true, Ordering::Relaxed);
    let searches = steady.await.unwrap();
    let peak = dirgate::directory::password::argon2_peak();
    println!("{busy} busy, {invalid} invalidCredentials, {searches} searches, peak {peak}");
    assert!(
        busy > 0,
        "the queue never filled: {invalid} invalidCredentials"
    );
    assert!(invalid > 0, "no check ran: {busy} busy");
    assert!(searches > 0);
    assert!(peak <= 1, "{peak} argon2 computations ran at once");
    assert_eq!(l.dir.hashing().refused(), busy);
}
