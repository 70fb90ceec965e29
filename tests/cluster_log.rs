//! The server set's replicated log against a real etcd (one member on
//! loopback): writes computed on one store are appended to etcd with a
//! compare on the position they were computed on and committed with it;
//! another store follows the log by a watch and ends with the same rows; a
//! write computed on a stale copy is refused and leaves nothing.

mod common;

use common::etcd;
use dirgate::cluster::etcd::Etcd;
use dirgate::cluster::log::{Log, LogError};
use dirgate::store::Store;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

fn log(endpoints: &[String], prefix: &str) -> Log {
    Log::new(
        Etcd::new(endpoints.to_vec(), Duration::from_secs(5)),
        prefix,
    )
}

/// A backup's rows (everything between its header and checksum).
fn rows(store: &Store) -> Vec<u8> {
    let (_, bytes) = store.backup(Vec::new()).unwrap();
    bytes[39..bytes.len() - 32].to_vec()
}

#[test]
fn a_follower_applies_what_the_writer_appended() {
    let cluster = etcd::start(1);
    let tmp = tempfile::tempdir().unwrap();
    let a = Store::open(&tmp.path().join("a.redb"), 10_000).unwrap();
    let b = Store::open(&tmp.path().join("b.redb"), 10_000).unwrap();
    let writer = log(&cluster.endpoints, "/t1");

    // B follows from the start, on a thread of its own.
    let stop = Arc::new(AtomicBool::new(false));
    let follower = {
        let (b, stop, endpoints) = (b.clone(), stop.clone(), cluster.endpoints.clone());
        std::thread::spawn(move || {
            let log = log(&endpoints, "/t1");
            // Each call follows for one watch span.
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                log.follow(&b, &stop, &mut |_| {}).unwrap();
            }
        })
    };

    // Writes on A, each committed only once the log has it.
    for n in 0..5u32 {
        a.write_replicated(
            |tx| -> Result<(), Refused> {
                let mut org = test_org(n);
                org.seats = 10 + n;
                tx.put_org(&org)?;
                tx.next_id_number()?;
                Ok(())
            },
            |base, ws| writer.append(base, ws).map_err(Refused::Log),
        )
        .unwrap();
    }
    let head = writer.head().unwrap();
    assert_eq!(a.log_position().unwrap(), head);
    let deadline = Instant::now() + Duration::from_secs(10);
    while b.log_position().unwrap() < head {
        assert!(Instant::now() < deadline, "B did not catch up");
        std::thread::sleep(Duration::from_millis(10));
    }
    let names = |s: &Store| {
        let mut n: Vec<String> = s
            .read(|tx| tx.orgs())
            .unwrap()
            .into_iter()
            .map(|o| o.name)
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(&b), ["Org-0", "Org-1", "Org-2", "Org-3", "Org-4"]);
    // Row for row the same store, the log position included.
    assert_eq!(rows(&a), rows(&b));

    // A write computed on a stale copy: refused by the compare, nothing kept.
    let stale = Store::open(&tmp.path().join("c.redb"), 10_000).unwrap();
    let refused = stale.write_replicated(
        |tx| -> Result<(), Refused> { Ok(tx.put_org(&test_org(99))?) },
        |base, ws| writer.append(base, ws).map_err(Refused::Log),
    );
    assert!(
        matches!(refused, Err(Refused::Log(LogError::Moved { base: 0, now })) if now == head),
        "{refused:?}"
    );
    assert!(stale.read(|tx| tx.orgs()).unwrap().is_empty());
    assert_eq!(writer.head().unwrap(), head);
    // The follower stops within a watch span, even with no entry coming.
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let asked = std::time::Instant::now();
    follower.join().unwrap();
    assert!(asked.elapsed() < std::time::Duration::from_secs(4));
}

/// Applies `log` to `store` on a thread of its own until `stop`.
fn follow_on_thread(
    endpoints: &[String],
    prefix: &'static str,
    store: &Store,
    stop: &Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    let (store, stop, endpoints) = (store.clone(), stop.clone(), endpoints.to_vec());
    std::thread::spawn(move || {
        let log = log(&endpoints, prefix);
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            log.follow(&store, &stop, &mut |_| {}).unwrap();
        }
    })
}

#[test]
fn a_write_set_larger_than_one_etcd_request_goes_in_parts() {
    let cluster = etcd::start(1);
    let tmp = tempfile::tempdir().unwrap();
    let a = Store::open(&tmp.path().join("a.redb"), 10_000).unwrap();
    let b = Store::open(&tmp.path().join("b.redb"), 10_000).unwrap();
    let writer = log(&cluster.endpoints, "/big");
    let stop = Arc::new(AtomicBool::new(false));
    let follower = follow_on_thread(&cluster.endpoints, "/big", &b, &stop);
    // 4 MB that compress poorly: several parts of 1 MiB, well over etcd's
    // 1.5 MiB request limit.
    let mut seed = 11u64;
    let noise: String = (0..4 << 20)
        .map(|_| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            char::from(b'a' + ((seed >> 33) % 26) as u8)
        })
        .collect();
    a.write_replicated(
        |tx| -> Result<(), Refused> {
            let mut org = test_org(1);
            org.description = Some(noise.clone());
            Ok(tx.put_org(&org)?)
        },
        |base, ws| writer.append(base, ws).map_err(Refused::Log),
    )
    .unwrap();
    let head = writer.head().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while b.log_position().unwrap() < head {
        assert!(Instant::now() < deadline, "B did not apply the large entry");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(rows(&a), rows(&b));
    let kept = b.read(|tx| tx.org_by_name("Org-1")).unwrap().unwrap();
    assert_eq!(kept.description.as_deref(), Some(noise.as_str()));
    // The parts are in etcd under the set's prefix.
    let etcd = Etcd::new(cluster.endpoints.clone(), Duration::from_secs(5));
    assert!(etcd.range_prefix(b"/big/parts/").unwrap().len() >= 2);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    follower.join().unwrap();
}

/// Why a replicated write failed in these tests (the store's errors are
/// only shown, by `Debug`, when one fails).
#[derive(Debug)]
#[allow(dead_code)]
enum Refused {
    Log(LogError),
    Store(dirgate::store::StoreError),
}

impl From<dirgate::store::StoreError> for Refused {
    fn from(e: dirgate::store::StoreError) -> Self {
        Refused::Store(e)
    }
}

fn test_org(n: u32) -> dirgate::directory::model::Organization {
    dirgate::directory::model::Organization {
        attrs: Default::default(),
        id: uuid::Uuid::new_v4(),
        name: format!("Org-{n}"),
        seats: 10,
        description: None,
        admin: None,
        created: 0,
        modified: 0,
        version: 0,
        password_policy: Default::default(),
    }
}
