//! Two dirgate nodes of one server set over a real etcd member on loopback:
//! what one node writes (the standard test directory, a user created over
//! the admin API) binds over LDAP on the other; the same login created on
//! both nodes at once is created exactly once; afterwards both stores hold
//! the same rows, entry by entry.

mod common;

use common::etcd;
use common::http::{Api, Auth};
use dirgate::config::Config;
use dirgate::store::Store;
use ldap3::LdapConnAsync;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

fn cluster_toml(endpoints: &[String], node: &str) -> String {
    let list: Vec<String> = endpoints.iter().map(|e| format!("\"{e}\"")).collect();
    format!(
        "[cluster]\netcd_endpoints = [{}]\nprefix = \"/set\"\nnode_name = \"{node}\"\n",
        list.join(", ")
    )
}

/// Starts a node in `tmp` as `node` of the set, with `extra` in its
/// `[cluster]` section, listening on ports of its own.
async fn start_node(
    tmp: &std::path::Path,
    endpoints: &[String],
    node: &str,
    extra: &str,
) -> anyhow::Result<(dirgate::Server, CancellationToken)> {
    let toml = format!(
        "data_dir = \"{}\"\n[password_policy]\nmin_length = 1\nreject_names = false\n[passwords]\nargon2_memory_kib = 64\nargon2_iterations = 1\n{}{extra}",
        tmp.join("data").display(),
        cluster_toml(endpoints, node)
    );
    let env = |k: &str| match k {
        "DIRGATE_LDAP_LISTEN" | "DIRGATE_HTTP_LISTEN" => Some("127.0.0.1:0".to_owned()),
        _ => None,
    };
    let config = Config::from_str_with_env(&toml, &env).unwrap();
    let shutdown = CancellationToken::new();
    let server = dirgate::start(config, shutdown.clone()).await?;
    Ok((server, shutdown))
}

/// A second node: the same configuration, a data directory of its own.
async fn second_node(
    tmp: &std::path::Path,
    endpoints: &[String],
    extra: &str,
) -> (dirgate::Server, CancellationToken) {
    start_node(tmp, endpoints, "n2", extra).await.unwrap()
}

async fn binds(url: &str, dn: &str, pw: &str) -> bool {
    let (conn, mut ldap) = LdapConnAsync::new(url).await.unwrap();
    ldap3::drive!(conn);
    let ok = ldap.simple_bind(dn, pw).await.unwrap().rc == 0;
    let _ = ldap.unbind().await;
    ok
}

/// Waits until `store` holds the log position `at`.
fn caught_up(store: &Store, at: u64) {
    assert!(
        store.wait_for(at, Duration::from_secs(10)),
        "the node did not apply the log up to {at}"
    );
}

/// Waits until both nodes hold the same log position and the same rows.
async fn agree(
    a: &dirgate::directory::Directory,
    b: &dirgate::directory::Directory,
    within: Duration,
) {
    let (s1, s2) = (a.store(), b.store());
    let deadline = Instant::now() + within;
    loop {
        a.flush_journal();
        b.flush_journal();
        let (p1, p2) = (s1.log_position().unwrap(), s2.log_position().unwrap());
        if p1 == p2 && rows(s1) == rows(s2) {
            return;
        }
        assert!(Instant::now() < deadline, "the nodes differ at {p1} / {p2}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A backup's rows (everything between its header and its checksum).
fn rows(store: &Store) -> Vec<u8> {
    let (_, bytes) = store.backup(Vec::new()).unwrap();
    bytes[39..bytes.len() - 32].to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_serve_one_directory() {
    let etcd = etcd::start(1);
    let n1 = common::server::start(&cluster_toml(&etcd.endpoints, "n1")).await;
    let tmp2 = tempfile::tempdir().unwrap();
    let (n2, stop2) = second_node(tmp2.path(), &etcd.endpoints, "max_staleness_secs = 3\n").await;
    // Node 2 joined after node 1 bootstrapped: it holds the same administrator
    // and wrote no credential of its own.
    assert!(!tmp2.path().join("data/bootstrap-admin").exists());
    let s1 = n1.dir.store().clone();
    let s2 = n2.directory.store().clone();
    caught_up(&s2, s1.log_position().unwrap());

    // What node 1 wrote binds on node 2.
    let url2 = format!("ldap://{}", n2.ldap_addr);
    let alice = "uid=alice@example.com,ou=Acme-A,dc=example,dc=com";
    assert!(binds(&url2, alice, "pw").await);
    assert!(!binds(&url2, alice, "wrong").await);

    // A user created over node 2's admin API binds on node 1.
    let sys = Auth::basic(&n1.admin_dn, &n1.admin_pw);
    let api2 = Api::new(n2.http_addr);
    let made = api2
        .post(
            "/users",
            &sys,
            json!({"login": "erin@example.com", "organization": "Acme-A",
                   "state": "active", "password": "erin-pw"}),
        )
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    caught_up(&s1, s2.log_position().unwrap());
    let erin = "uid=erin@example.com,ou=Acme-A,dc=example,dc=com";
    assert!(binds(&n1.url, erin, "erin-pw").await);

    // The same login on both nodes at once: created exactly once.
    let api1 = Api::new(n1.server.http_addr);
    let body = json!({"login": "twice@example.com", "organization": "Acme-B",
                      "state": "active", "password": "pw"});
    let (a, b) = tokio::join!(
        api1.post("/users", &sys, body.clone()),
        api2.post("/users", &sys, body.clone())
    );
    let statuses = [a.status, b.status];
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{:?} {:?}",
        a.body,
        b.body
    );
    assert!(
        statuses.iter().all(|s| [201, 409, 503].contains(s)),
        "{statuses:?}"
    );

    // Both stores end row for row the same.
    agree(&n1.dir, &n2.directory, Duration::from_secs(10)).await;
    let twice = |s: &Store| s.read(|tx| tx.user_by_login("twice@example.com")).unwrap();
    assert!(twice(&s1).is_some() && twice(&s1).map(|u| u.id) == twice(&s2).map(|u| u.id));

    // /healthz shows the node following the log, up to date.
    let health = |addr: std::net::SocketAddr| async move {
        let r = reqwest::get(format!("http://{addr}/healthz"))
            .await
            .unwrap();
        (
            r.status().as_u16(),
            r.json::<serde_json::Value>().await.unwrap(),
        )
    };
    // The node looks at etcd once a second: wait for a look that saw it
    // caught up.
    let settled = |want: &'static str| async move {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let (code, h) = health(n2.http_addr).await;
            let c = &h["cluster"];
            let there = c["state"] == want && (want != "following" || c["position"] == c["head"]);
            if there || Instant::now() > deadline {
                return (code, h);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let (code, h) = settled("following").await;
    assert_eq!(code, 200);
    assert_eq!(h["cluster"]["node"], "n2");
    assert_eq!(h["cluster"]["state"], "following");
    assert_eq!(h["cluster"]["position"], h["cluster"]["head"]);

    let ready = reqwest::get(format!("http://{}/readyz", n2.http_addr))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);

    // Cut off from etcd: no writes (503 over the admin API, unavailable over
    // LDAP), reads go on, and /healthz says so; /readyz turns the node away.
    drop(etcd);
    let (code, h) = settled("cut-off").await;
    assert_eq!(code, 200);
    assert_eq!(h["cluster"]["state"], "cut-off", "{h}");
    let refused = api2
        .post(
            "/users",
            &sys,
            json!({"login": "late@example.com", "organization": "Acme-A"}),
        )
        .await;
    assert_eq!(refused.status, 503, "{:?}", refused.body);
    assert_eq!(refused.body["error"], "unavailable");
    assert!(binds(&url2, alice, "pw").await);
    let (conn, mut ldap) = LdapConnAsync::new(&url2).await.unwrap();
    ldap3::drive!(conn);
    ldap.simple_bind(&n1.admin_dn, &n1.admin_pw).await.unwrap();
    let add = ldap
        .add(
            "ou=Late,dc=example,dc=com",
            vec![
                ("objectClass", ["organizationalUnit"].into()),
                ("ou", ["Late"].into()),
            ],
        )
        .await
        .unwrap();
    assert_eq!(add.rc, 52, "{add:?}");
    let ready = reqwest::get(format!("http://{}/readyz", n2.http_addr))
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);

    // Past max_staleness_secs (3 here) reads are refused too: binds answer
    // unavailable, and /healthz is 503.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let (conn, mut late) = LdapConnAsync::new(&url2).await.unwrap();
    ldap3::drive!(conn);
    let bind = late.simple_bind(alice, "pw").await.unwrap();
    assert_eq!(bind.rc, 52, "{bind:?}");
    let (code, h) = health(n2.http_addr).await;
    assert_eq!(code, 503, "{h}");
    assert!(h["cluster"]["stale_secs"].as_f64().unwrap() > 3.0, "{h}");
    assert_eq!(h["cluster"]["reads"], false);
    stop2.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_joining_after_compaction_installs_a_peer_snapshot() {
    let etcd = etcd::start(1);
    let quick = "compact_every_secs = 1\n";
    let n1 =
        common::server::start(&format!("{}{quick}", cluster_toml(&etcd.endpoints, "n1"))).await;
    let sys = Auth::basic(&n1.admin_dn, &n1.admin_pw);
    let api1 = Api::new(n1.server.http_addr);
    for i in 0..5 {
        let body = json!({"login": format!("early{i}@example.com"), "state": "active",
                          "password": "early-pw"});
        assert_eq!(api1.post("/users", &sys, body).await.status, 201);
    }
    // Node 1 is the only node: it compacts etcd up to what it holds.
    let written = n1.dir.store().log_position().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !etcd.compacted_past(written - 1) {
        assert!(Instant::now() < deadline, "etcd was not compacted");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Node 2 starts empty: the entries it needs are gone from etcd, so it
    // installs node 1's snapshot, then follows the log.
    let tmp2 = tempfile::tempdir().unwrap();
    let (n2, stop2) = second_node(tmp2.path(), &etcd.endpoints, quick).await;
    agree(&n1.dir, &n2.directory, Duration::from_secs(10)).await;
    let url2 = format!("ldap://{}", n2.ldap_addr);
    let early = "uid=early3@example.com,ou=people,dc=example,dc=com";
    assert!(binds(&url2, early, "early-pw").await);
    let late = json!({"login": "late@example.com", "state": "active", "password": "late-pw"});
    assert_eq!(api1.post("/users", &sys, late).await.status, 201);
    agree(&n1.dir, &n2.directory, Duration::from_secs(10)).await;
    assert!(
        binds(
            &url2,
            "uid=late@example.com,ou=people,dc=example,dc=com",
            "late-pw"
        )
        .await
    );
    // The snapshot is audited as a backup taken by the peer.
    let trail = api1.get("/audit?action=server.backup", &sys).await;
    assert!(trail.body.to_string().contains("peer:n2"), "{}", trail.body);

    // The set's secret lets a peer take a snapshot and do nothing else;
    // without it the answer is the one any bad credential gets.
    let secret = n1.server.cluster.as_ref().unwrap().secret().to_owned();
    let client = reqwest::Client::new();
    let ask = |path: &str, auth: String| {
        client
            .get(format!("http://{}/admin/v1{path}", n1.server.http_addr))
            .header("Authorization", auth)
            .send()
    };
    let wrong = ask("/backup", "Peer n9:not-the-secret".into())
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let users = ask("/users", format!("Peer n9:{secret}")).await.unwrap();
    let users: serde_json::Value = users.json().await.unwrap();
    assert_eq!(users["total"], 0, "{users}");
    let audit = ask("/audit", format!("Peer n9:{secret}")).await.unwrap();
    assert_eq!(audit.status(), 403);
    let backup = ask("/backup", format!("Peer n9:{secret}")).await.unwrap();
    assert_eq!(backup.status(), 200);
    stop2.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lockout_on_one_node_holds_on_every_node() {
    let etcd = etcd::start(1);
    let lockout = "\n[lockout]\nthreshold = 3\nduration_secs = 3600\n";
    let n1 =
        common::server::start(&format!("{}{lockout}", cluster_toml(&etcd.endpoints, "n1"))).await;
    let tmp2 = tempfile::tempdir().unwrap();
    let (n2, stop2) = second_node(tmp2.path(), &etcd.endpoints, lockout).await;
    let (s1, s2) = (n1.dir.store().clone(), n2.directory.store().clone());
    let url2 = format!("ldap://{}", n2.ldap_addr);
    let alice = "uid=alice@example.com,ou=Acme-A,dc=example,dc=com";
    caught_up(&s2, s1.log_position().unwrap());
    assert!(binds(&url2, alice, "pw").await);

    // Three wrong passwords on node 1 lock the account; node 2 refuses the
    // right one once it applied the lockout (bind events are batched: the
    // journal is flushed here rather than waited for).
    for _ in 0..3 {
        assert!(!binds(&n1.url, alice, "wrong").await);
    }
    n1.dir.flush_journal();
    caught_up(&s2, s1.log_position().unwrap());
    assert!(
        !binds(&url2, alice, "pw").await,
        "locked on node 1, not on node 2"
    );

    // Unlocked over node 2's admin API: node 1 lets the user in again.
    let sys = Auth::basic(&n1.admin_dn, &n1.admin_pw);
    let unlocked = Api::new(n2.http_addr)
        .post("/users/alice@example.com/unlock", &sys, json!({}))
        .await;
    assert_eq!(unlocked.status, 200, "{:?}", unlocked.body);
    caught_up(&s1, s2.log_position().unwrap());
    assert!(binds(&n1.url, alice, "pw").await);
    agree(&n1.dir, &n2.directory, Duration::from_secs(10)).await;
    stop2.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_reach_etcd_over_tls_with_a_client_certificate() {
    let files = etcd::tls_files();
    let etcd = etcd::start_tls(&files);
    let p = |p: &std::path::Path| p.display().to_string();
    let tls = format!(
        "ca_file = \"{}\"\ncert_file = \"{}\"\nkey_file = \"{}\"\n",
        p(&files.ca),
        p(&files.client.0),
        p(&files.client.1)
    );
    let n1 = common::server::start(&format!("{}{tls}", cluster_toml(&etcd.endpoints, "n1"))).await;
    let tmp2 = tempfile::tempdir().unwrap();
    let (n2, stop2) = second_node(tmp2.path(), &etcd.endpoints, &tls).await;
    let url2 = format!("ldap://{}", n2.ldap_addr);
    assert!(
        binds(
            &url2,
            "uid=alice@example.com,ou=Acme-A,dc=example,dc=com",
            "pw"
        )
        .await
    );
    agree(&n1.dir, &n2.directory, Duration::from_secs(10)).await;
    stop2.cancel();

    // Without the client certificate etcd turns the node away: it does not start.
    let tmp3 = tempfile::tempdir().unwrap();
    let without = format!("ca_file = \"{}\"\ntimeout_secs = 2\n", p(&files.ca));
    let refused = start_node(tmp3.path(), &etcd.endpoints, "n3", &without).await;
    let said = format!(
        "{:#}",
        refused.err().expect("a node without a certificate joined")
    );
    assert!(said.contains("cannot join the server set"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_consistent_reads_a_node_serves_every_write_acknowledged_before() {
    let etcd = etcd::start(1);
    let n1 = common::server::start(&cluster_toml(&etcd.endpoints, "n1")).await;
    let tmp2 = tempfile::tempdir().unwrap();
    let (n2, stop2) = second_node(tmp2.path(), &etcd.endpoints, "consistent_reads = true\n").await;
    let sys = Auth::basic(&n1.admin_dn, &n1.admin_pw);
    let (api1, api2) = (Api::new(n1.server.http_addr), Api::new(n2.http_addr));
    let url2 = format!("ldap://{}", n2.ldap_addr);
    // Each user is read on node 2 the moment node 1 acknowledged it.
    for i in 0..15 {
        let login = format!("seen{i}@example.com");
        let body = json!({"login": login, "state": "active", "password": "seen-pw"});
        assert_eq!(api1.post("/users", &sys, body).await.status, 201);
        let got = api2.get(&format!("/users/{login}"), &sys).await;
        assert_eq!(got.status, 200, "{login} not yet on node 2: {:?}", got.body);
        let dn = format!("uid={login},ou=people,dc=example,dc=com");
        assert!(
            binds(&url2, &dn, "seen-pw").await,
            "{login} cannot bind on node 2 yet"
        );
    }
    // Cut off from etcd, node 2 cannot learn the head: it serves nothing
    // rather than something stale (LDAP unavailable, HTTP 503).
    drop(etcd);
    let dn = "uid=seen0@example.com,ou=people,dc=example,dc=com";
    let (conn, mut ldap) = LdapConnAsync::new(&url2).await.unwrap();
    ldap3::drive!(conn);
    let bind = ldap.simple_bind(dn, "seen-pw").await.unwrap();
    assert_eq!(bind.rc, 52, "{bind:?}");
    let got = api2.get("/users/seen0@example.com", &sys).await;
    assert_eq!(got.status, 503, "{:?}", got.body);
    stop2.cancel();
}

/// Creates users (no organization, so no seat runs out) through `api` until
/// `stop`; the logins that were acknowledged (201).
async fn keep_writing(
    api: Api,
    auth: Auth,
    tag: &'static str,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> (Vec<String>, usize) {
    let (mut acknowledged, mut refused) = (Vec::new(), 0);
    let mut n = 0;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let login = format!("{tag}{n}@example.com");
        let body = json!({"login": login, "state": "active", "password": "pw"});
        let answer = api.post("/users", &auth, body).await;
        match answer.status {
            201 => acknowledged.push(login),
            503 => refused += 1,
            other => panic!("{login}: {other} {:?}", answer.body),
        }
        n += 1;
    }
    (acknowledged, refused)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_the_loss_of_etcd_members() {
    let mut etcd = etcd::start(3);
    let n1 = common::server::start(&cluster_toml(&etcd.endpoints, "n1")).await;
    let tmp2 = tempfile::tempdir().unwrap();
    let (n2, stop2) = second_node(tmp2.path(), &etcd.endpoints, "").await;
    let sys = Auth::basic(&n1.admin_dn, &n1.admin_pw);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let w1 = tokio::spawn(keep_writing(
        Api::new(n1.server.http_addr),
        sys.clone(),
        "a",
        stop.clone(),
    ));
    let w2 = tokio::spawn(keep_writing(
        Api::new(n2.http_addr),
        sys.clone(),
        "b",
        stop.clone(),
    ));
    let pause = |ms| tokio::time::sleep(Duration::from_millis(ms));
    pause(800).await;
    // A follower of etcd dies and comes back, then the leader dies.
    let leader = tokio::task::block_in_place(|| etcd.leader());
    let follower = (leader + 1) % 3;
    etcd.kill(follower);
    pause(800).await;
    etcd.restart(follower);
    pause(1500).await;
    let leader = tokio::task::block_in_place(|| etcd.leader());
    etcd.kill(leader);
    pause(3000).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (a, a_refused) = w1.await.unwrap();
    let (b, b_refused) = w2.await.unwrap();
    assert!(
        a.len() > 5 && b.len() > 5,
        "{} / {} acknowledged",
        a.len(),
        b.len()
    );

    // Every acknowledged write is on both nodes, and the nodes agree.
    let (s1, s2) = (n1.dir.store().clone(), n2.directory.store().clone());
    agree(&n1.dir, &n2.directory, Duration::from_secs(20)).await;
    for login in a.iter().chain(&b) {
        for s in [&s1, &s2] {
            assert!(
                s.read(|tx| tx.user_by_login(login)).unwrap().is_some(),
                "{login} was acknowledged and lost"
            );
        }
    }
    eprintln!(
        "acknowledged {} + {}, refused {} + {} during the faults",
        a.len(),
        b.len(),
        a_refused,
        b_refused
    );
    stop2.cancel();
}
