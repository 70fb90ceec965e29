//! SCIM load client for `scripts/bench-scim`: starts dirgate in this process on
//! loopback ports (a real redb store in a temporary directory, durable commits),
//! issues a server-wide SCIM token through the core, then drives it over HTTP
//! keep-alive connections like an identity provider would:
//!
//! ```text
//! bench_scim [--clients 8] [--users 5000] [--lookups 20000] [--url BASE] [--known N]
//! ```
//!
//! With `--url http://host:port/scim/v2` it drives an already running dirgate
//! instead, with the server-wide SCIM token in `DIRGATE_SCIM_TOKEN`; that
//! daemon must accept bare login names (`DIRGATE_LOGINS_REQUIRE_SUFFIX=false`).
//! Its userNames carry the start time, so runs against one daemon never clash.
//!
//! 1. `creates`: `--clients` workers POST `--users` users in total;
//! 2. `lookups`: the same workers GET `/Users?filter=userName eq "…"` for random
//!    existing users, `--lookups` requests in total: users it created, or with
//!    `--known N` users `user0`…`user{N-1}` already in the store (those of
//!    `scripts/bench/gen_data.py`, loaded offline by `scripts/bench-scim --daemon`).
//!
//! Output: `creates: <users/s>` and `lookups: <requests/s>`, plus `errors: <n>`
//! (any answer that is not the expected status; the run still completes).

use dirgate::config::Config;
use dirgate::directory::Request;
use dirgate::directory::acl::{Actor, ActorKind};
use dirgate::directory::audit::Origin;
use dirgate::directory::model::{Scope, TokenKind};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;
use tokio_util::sync::CancellationToken;

struct Args {
    clients: usize,
    users: usize,
    lookups: usize,
    url: Option<String>,
    /// Look up `user0..user{known-1}` (preloaded) instead of created users.
    known: Option<usize>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        clients: 8,
        users: 5000,
        lookups: 20000,
        url: None,
        known: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        if flag == "--url" {
            a.url = Some(value.trim_end_matches('/').to_owned());
            continue;
        }
        let n: usize = value.parse().map_err(|_| format!("{flag}: not a number"))?;
        match flag.as_str() {
            "--clients" => a.clients = n.max(1),
            "--users" => a.users = n.max(1),
            "--lookups" => a.lookups = n,
            "--known" => a.known = Some(n.max(1)),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(a)
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench_scim: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let a = args()?;
    if let Some(base) = a.url.clone() {
        let token = std::env::var("DIRGATE_SCIM_TOKEN")
            .map_err(|_| "--url needs the SCIM token in DIRGATE_SCIM_TOKEN".to_owned())?;
        let run = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_secs();
        return drive(&a, base, token, format!("bench{run}-")).await;
    }
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let toml = format!(
        "data_dir = \"{}\"\n[logins]\nrequire_suffix = false\n",
        tmp.path().join("data").display()
    );
    let env = |k: &str| match k {
        "DIRGATE_LDAP_LISTEN" | "DIRGATE_HTTP_LISTEN" => Some("127.0.0.1:0".to_owned()),
        _ => None,
    };
    let config = Config::from_str_with_env(&toml, &env).map_err(|e| e.to_string())?;
    let shutdown = CancellationToken::new();
    let server = dirgate::start(config, shutdown.clone())
        .await
        .map_err(|e| e.to_string())?;
    let dir = server.directory.clone();
    let sys = Request {
        actor: Actor {
            kind: ActorKind::System,
            id: None,
            name: "bench".into(),
        },
        origin: Origin::internal(),
    };
    let token = dir
        .issue_token(&sys, TokenKind::Scim, Scope::Server, None)
        .map_err(|e| e.to_string())?
        .secret;
    let base = format!("http://{}/scim/v2", server.http_addr);
    drive(&a, base, token, "bench".to_owned()).await?;
    shutdown.cancel();
    server.wait().await;
    Ok(())
}

/// Runs both phases against `base`, creating users named `<prefix><i>`.
async fn drive(a: &Args, base: String, token: String, prefix: String) -> Result<(), String> {
    let client = reqwest::Client::new();
    let errors = Arc::new(AtomicU64::new(0));

    let (c, b, t, p) = (client.clone(), base.clone(), token.clone(), prefix.clone());
    let rate = phase(
        a.clients,
        a.users,
        move |i| {
            let body = serde_json::json!({"userName": format!("{p}{i}"), "active": true,
            "emails": [{"value": format!("{p}{i}@example.com"), "primary": true}]});
            c.post(format!("{b}/Users")).bearer_auth(&t).json(&body)
        },
        201,
        &errors,
    )
    .await;
    println!(
        "creates: {rate:.0}/s ({} users, {} clients)",
        a.users, a.clients
    );
    // Preloaded users are named by gen_data.py; created ones by `prefix`.
    let (users, prefix) = match a.known {
        Some(n) => (n, "user".to_owned()),
        None => (a.users, prefix),
    };
    let rate = phase(
        a.clients,
        a.lookups,
        move |i| {
            // A prime stride spreads the lookups over the whole range.
            let n = (i * 7919) % users;
            client
                .get(format!(
                    "{base}/Users?filter=userName%20eq%20%22{prefix}{n}%22"
                ))
                .bearer_auth(&token)
        },
        200,
        &errors,
    )
    .await;
    println!("lookups: {rate:.0}/s ({} requests)", a.lookups);
    println!("errors: {}", errors.load(Ordering::Relaxed));
    Ok(())
}

/// Sends `total` requests built by `make(i)` from `clients` concurrent
/// workers; returns requests per second.
async fn phase(
    clients: usize,
    total: usize,
    make: impl Fn(usize) -> reqwest::RequestBuilder + Send + Sync + Clone + 'static,
    expect: u16,
    errors: &Arc<AtomicU64>,
) -> f64 {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (next, make, errors) = (next.clone(), make.clone(), errors.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let ok = match make(i).send().await {
                    Ok(r) => r.status().as_u16() == expect && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for w in workers {
        let _ = w.await;
    }
    total as f64 / started.elapsed().as_secs_f64().max(1e-9)
}
