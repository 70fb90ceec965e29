//! A server set of three dirgate processes over three etcd members on
//! loopback, under concurrent SCIM and LDAP writes on every node: an etcd
//! follower is killed and restarted; one node is killed with SIGKILL, stays down long enough to be forgotten (so etcd
//! compacts the entries it missed), and comes back from a peer's snapshot;
//! then the etcd leader is killed. No acknowledged write is lost, and
//! afterwards the three nodes hold the same directory, compared entry by
//! entry over LDAP, and a user pushed over SCIM binds on the others. Also how a set begins: a single node's directory starts
//! a set and new nodes copy it; a node holding a directory of its own may
//! not join a set that has begun.

mod common;
#[path = "common/process.rs"]
mod process;

use common::etcd;
use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, Scope, SearchEntry};
use process::Daemon;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BASE: &str = "dc=example,dc=com";

fn node_toml(endpoints: &[String], name: &str) -> String {
    set_toml(endpoints, "/kill", name)
}

fn set_toml(endpoints: &[String], prefix: &str, name: &str) -> String {
    let list: Vec<String> = endpoints.iter().map(|e| format!("\"{e}\"")).collect();
    format!(
        "[cluster]\netcd_endpoints = [{}]\nprefix = \"{prefix}\"\nnode_name = \"{name}\"\n\
         compact_every_secs = 1\nforget_after_secs = 3\n",
        list.join(", ")
    )
}

/// The organizations' names a node serves.
fn orgs(d: &Daemon, auth_from: &std::path::Path) -> Vec<String> {
    let mut answer = ureq::get(format!("{}/admin/v1/organizations", d.url))
        .header("Authorization", process::authorization(auth_from))
        .call()
        .unwrap();
    let body: Value = serde_json::from_str(&answer.body_mut().read_to_string().unwrap()).unwrap();
    let mut names: Vec<String> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_single_nodes_directory_starts_a_set_that_new_nodes_copy() {
    let etcd = etcd::start(1);
    let toml = |name: &str| set_toml(&etcd.endpoints, "/seed", name);
    let tmps: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    // A directory that ran alone, then joins a set: it starts the set.
    let alone = Daemon::start(tmps[0].path(), "");
    alone.ok(&["org", "create", "Before-Set", "--seats", "10"]);
    drop(alone);
    let n1 = Daemon::start(tmps[0].path(), &toml("n1"));
    n1.ok(&["org", "create", "In-Set", "--seats", "10"]);
    // A new node copies it, what was there before the set included.
    let n2 = Daemon::start(tmps[1].path(), &toml("n2"));
    assert_eq!(orgs(&n2, tmps[0].path()), ["Before-Set", "In-Set"]);
    // A node with a directory of its own is refused, and says why.
    let other = Daemon::start(tmps[2].path(), "");
    other.ok(&["org", "create", "Elsewhere", "--seats", "10"]);
    drop(other);
    let refused = process::command(tmps[2].path(), &toml("n3"))
        .arg("serve")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let said = process::text(&refused.stderr);
    assert!(said.contains("not in the server set"), "{said}");
    assert_eq!(orgs(&n1, tmps[0].path()), ["Before-Set", "In-Set"]);
}

/// What the writers were told was kept.
#[derive(Default)]
struct Acknowledged {
    dns: Mutex<Vec<String>>,
    refused: Mutex<usize>,
}

/// Creates users over SCIM at `url` until `stop`. A node that is down (no
/// connection) or cut off (503) refuses; anything else but 201 is a bug.
fn scim_writer(
    url: String,
    token: String,
    tag: String,
    stop: Arc<AtomicBool>,
    ack: Arc<Acknowledged>,
) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        let login = format!("{tag}{n}@example.com");
        n += 1;
        let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                          "userName": login});
        let answer = agent
            .post(format!("{url}/scim/v2/Users"))
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "application/scim+json")
            .send(body.to_string());
        match answer.map(|r| r.status().as_u16()) {
            Ok(201) => ack
                .dns
                .lock()
                .unwrap()
                .push(format!("uid={login},ou=Acme-W,{BASE}")),
            Ok(503) | Err(_) => {
                *ack.refused.lock().unwrap() += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            Ok(other) => panic!("SCIM create of {login} answered {other}"),
        }
    }
}

/// Adds users over LDAP at `url` until `stop`, binding again after a
/// connection broke. Unavailable (52) and busy (51) are refusals.
fn ldap_writer(
    url: String,
    admin: (String, String),
    tag: String,
    stop: Arc<AtomicBool>,
    ack: Arc<Acknowledged>,
) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let mut n = 0;
        let mut conn: Option<Ldap> = None;
        while !stop.load(Ordering::Relaxed) {
            let ldap = match conn.as_mut() {
                Some(l) => l,
                None => match connect(&url, &admin).await {
                    Some(l) => conn.insert(l),
                    None => {
                        *ack.refused.lock().unwrap() += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
            };
            let login = format!("{tag}{n}@example.com");
            n += 1;
            let dn = format!("uid={login},ou=Acme-W,{BASE}");
            let added = ldap
                .with_timeout(Duration::from_secs(10))
                .add(
                    &dn,
                    vec![
                        ("objectClass", ["inetOrgPerson"].into()),
                        ("cn", [login.as_str()].into()),
                        ("sn", ["Writer"].into()),
                    ],
                )
                .await;
            match added.map(|r| r.rc) {
                Ok(0) => ack.dns.lock().unwrap().push(dn),
                Ok(51 | 52) => *ack.refused.lock().unwrap() += 1,
                Ok(other) => panic!("LDAP add of {dn} answered {other}"),
                Err(_) => {
                    *ack.refused.lock().unwrap() += 1;
                    conn = None;
                }
            }
        }
    });
}

/// A connection bound as `admin`, or none when the node does not answer.
async fn connect(url: &str, admin: &(String, String)) -> Option<Ldap> {
    let settings = LdapConnSettings::new().set_conn_timeout(Duration::from_secs(2));
    let (conn, mut ldap) = LdapConnAsync::with_settings(settings, url).await.ok()?;
    ldap3::drive!(conn);
    let bound = ldap
        .with_timeout(Duration::from_secs(10))
        .simple_bind(&admin.0, &admin.1)
        .await
        .ok()?;
    (bound.rc == 0).then_some(ldap)
}

type Entries = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// Every entry under the base as node `url` serves it, with every user
/// and operational attribute, values sorted.
async fn dump(url: &str, admin: &(String, String)) -> Entries {
    let mut ldap = connect(url, admin).await.expect("the node does not answer");
    let (entries, _) = ldap
        .search(BASE, Scope::Subtree, "(objectClass=*)", vec!["*", "+"])
        .await
        .unwrap()
        .success()
        .unwrap();
    let _ = ldap.unbind().await;
    entries
        .into_iter()
        .map(|e| {
            let e = SearchEntry::construct(e);
            let attrs = e
                .attrs
                .into_iter()
                .map(|(k, mut v)| {
                    v.sort();
                    (k.to_lowercase(), v)
                })
                .collect();
            (e.dn.to_lowercase(), attrs)
        })
        .collect()
}

/// A node's log position, from `/healthz`.
fn position(url: &str) -> Option<u64> {
    let mut r = ureq::get(format!("{url}/healthz")).call().ok()?;
    let h: Value = serde_json::from_str(&r.body_mut().read_to_string().ok()?).ok()?;
    h["cluster"]["position"].as_u64()
}

#[test]
fn a_killed_node_comes_back_and_no_acknowledged_write_is_lost() {
    let mut etcd = etcd::start(3);
    let tmps: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let endpoints = etcd.endpoints.clone();
    let start = |i: usize| {
        Daemon::start(
            tmps[i].path(),
            &node_toml(&endpoints, &format!("n{}", i + 1)),
        )
    };
    let d1 = start(0);
    d1.ok(&["org", "create", "Acme-W", "--seats", "100000"]);
    d1.ok(&["suffix", "add", "example.com"]);
    let issued = d1.ok(&["token", "issue", "--scim", "--org", "Acme-W", "--json"]);
    let token = serde_json::from_str::<Value>(&issued).unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut d2 = start(1);
    let d3 = start(2);
    let admin = process::admin_credentials(tmps[0].path());

    let stop = Arc::new(AtomicBool::new(false));
    let ack = Arc::new(Acknowledged::default());
    let mut writers = Vec::new();
    for (i, d) in [&d1, &d2, &d3].into_iter().enumerate() {
        let (s, a, url, token) = (stop.clone(), ack.clone(), d.url.clone(), token.clone());
        writers.push(std::thread::spawn(move || {
            scim_writer(url, token, format!("s{i}-"), s, a)
        }));
        let (stop, ack, url, admin) = (stop.clone(), ack.clone(), d.ldap.clone(), admin.clone());
        let tag = format!("l{i}-");
        writers.push(std::thread::spawn(move || {
            ldap_writer(url, admin, tag, stop, ack)
        }));
    }
    let pause = |ms| std::thread::sleep(Duration::from_millis(ms));
    pause(1000);

    // An etcd follower dies and comes back.
    let follower = (etcd.leader() + 1) % 3;
    etcd.kill(follower);
    pause(1000);
    etcd.restart(follower);
    pause(1000);

    // Node 2 dies mid-write and stays down past forget_after_secs: the
    // others compact the log past what it holds.
    d2.kill();
    let held = position(&d1.url).unwrap();
    pause(5000);
    assert!(
        etcd.compacted_past(held),
        "etcd was not compacted while node 2 was down"
    );
    let d2 = start(1);
    let again = d1.admin_get("/audit?action=server.backup");
    assert!(
        again.to_string().contains("peer:n2"),
        "node 2 took no snapshot: {again}"
    );
    pause(1000);

    // Then the etcd leader dies.
    let leader = etcd.leader();
    etcd.kill(leader);
    pause(3000);
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let acknowledged = ack.dns.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 30,
        "only {} writes acknowledged",
        acknowledged.len()
    );

    // The three nodes come to the same position and the same entries.
    let urls = [&d1, &d2, &d3].map(|d| (d.url.clone(), d.ldap.clone()));
    let deadline = Instant::now() + Duration::from_secs(30);
    let dumps = loop {
        let positions: Vec<_> = urls.iter().map(|(u, _)| position(u)).collect();
        if positions.iter().all(|p| p.is_some() && *p == positions[0]) {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let dumps: Vec<_> = urls
                .iter()
                .map(|(_, l)| rt.block_on(dump(l, &admin)))
                .collect();
            if dumps.iter().all(|d| *d == dumps[0]) {
                break dumps;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the nodes did not converge: {positions:?}"
        );
        pause(200);
    };
    for dn in &acknowledged {
        assert!(
            dumps[0].contains_key(&dn.to_lowercase()),
            "{dn} was acknowledged and lost"
        );
    }

    // A user an identity provider creates over SCIM on node 1 binds over
    // LDAP on the two others.
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                      "userName": "pushed@example.com", "password": "pushed-pw"});
    let made = ureq::post(format!("{}/scim/v2/Users", d1.url))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/scim+json")
        .send(body.to_string())
        .unwrap();
    assert_eq!(made.status().as_u16(), 201);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let pushed = (
        "uid=pushed@example.com,ou=Acme-W,dc=example,dc=com".to_owned(),
        "pushed-pw".to_owned(),
    );
    for d in [&d2, &d3] {
        let deadline = Instant::now() + Duration::from_secs(10);
        while rt.block_on(connect(&d.ldap, &pushed)).is_none() {
            assert!(
                Instant::now() < deadline,
                "the SCIM user does not bind at {}",
                d.ldap
            );
            pause(50);
        }
    }
    eprintln!(
        "{} writes acknowledged, {} refused during the faults; {} entries on each node",
        acknowledged.len(),
        ack.refused.lock().unwrap(),
        dumps[0].len()
    );
}
