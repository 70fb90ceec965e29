//! Rebind load client for `scripts/bench-ldap`: each worker opens ONE LDAP
//! connection and repeats simple binds on it with credentials picked at random
//! from a file, for a fixed time. ldclt cannot measure this (its `bindeach`
//! reconnects for every bind), so the benchmark uses this client against both
//! slapd and dirgate.
//!
//! ```text
//! ldap_rebind --url ldap://127.0.0.1:3389 --creds FILE [--workers 8] [--seconds 10]
//! ```
//!
//! `FILE` holds `DN<TAB>password` lines. Output: `rebind: <successful binds/s>`,
//! `failures: <n>` (binds the server refused: the test data is wrong) and
//! `errors: <n>` (network errors and timeouts; a worker stops at its first one).
//! The run stops by itself after `--seconds`.

use ldap3::{Ldap, LdapConnAsync, LdapConnSettings};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Connecting and each single bind give up after this long.
const OP_TIMEOUT: Duration = Duration::from_secs(5);

struct Args {
    url: String,
    creds: String,
    workers: usize,
    seconds: u64,
}

const USAGE: &str =
    "usage: ldap_rebind --url ldap://HOST:PORT --creds FILE [--workers N] [--seconds S]";

fn parse_args() -> Result<Args, String> {
    let mut url = None;
    let mut creds = None;
    let mut workers = 8usize;
    let mut seconds = 10u64;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.to_owned());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--url" => url = Some(value),
            "--creds" => creds = Some(value),
            "--workers" => {
                workers = value
                    .parse()
                    .map_err(|_| format!("--workers: '{value}' is not a number"))?
            }
            "--seconds" => {
                seconds = value
                    .parse()
                    .map_err(|_| format!("--seconds: '{value}' is not a number"))?
            }
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if workers == 0 || seconds == 0 {
        return Err("--workers and --seconds must be at least 1".to_owned());
    }
    Ok(Args {
        url: url.ok_or_else(|| format!("--url is required\n{USAGE}"))?,
        creds: creds.ok_or_else(|| format!("--creds is required\n{USAGE}"))?,
        workers,
        seconds,
    })
}

/// Reads `DN<TAB>password` lines; blank lines are skipped.
fn read_creds(path: &str) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut creds = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (dn, pw) = line
            .split_once('\t')
            .ok_or_else(|| format!("{path}:{}: expected DN<TAB>password", n + 1))?;
        creds.push((dn.to_owned(), pw.to_owned()));
    }
    if creds.is_empty() {
        return Err(format!("{path}: no credentials"));
    }
    Ok(creds)
}

/// xorshift64*: enough to spread binds over the users, no extra dependency.
struct Rng(u64);

impl Rng {
    fn new(worker: usize) -> Rng {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let seed = nanos ^ (worker as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Rng(seed | 1)
    }

    fn below(&mut self, n: usize) -> usize {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as usize % n
    }
}

#[derive(Default)]
struct Counters {
    ok: AtomicU64,
    failed: AtomicU64,
    errors: AtomicU64,
}

async fn connect(url: &str) -> Result<Ldap, String> {
    let settings = LdapConnSettings::new().set_conn_timeout(OP_TIMEOUT);
    let (conn, ldap) = LdapConnAsync::with_settings(settings, url)
        .await
        .map_err(|e| format!("cannot connect to {url}: {e}"))?;
    ldap3::drive!(conn);
    Ok(ldap)
}

async fn worker(
    id: usize,
    mut ldap: Ldap,
    creds: Arc<Vec<(String, String)>>,
    deadline: Instant,
    counters: Arc<Counters>,
) {
    let mut rng = Rng::new(id);
    while Instant::now() < deadline {
        let (dn, pw) = &creds[rng.below(creds.len())];
        match ldap.with_timeout(OP_TIMEOUT).simple_bind(dn, pw).await {
            Ok(res) if res.rc == 0 => {
                counters.ok.fetch_add(1, Ordering::Relaxed);
            }
            Ok(res) => {
                if counters.failed.fetch_add(1, Ordering::Relaxed) == 0 {
                    eprintln!(
                        "ldap_rebind: bind as {dn} refused: rc={} {}",
                        res.rc, res.text
                    );
                }
            }
            Err(e) => {
                counters.errors.fetch_add(1, Ordering::Relaxed);
                eprintln!("ldap_rebind: worker {id}: bind as {dn}: {e}; worker stops");
                return;
            }
        }
    }
    // Best effort: the server may already be gone, which changes no figure.
    let _ = ldap.unbind().await;
}

async fn run(args: Args) -> Result<(), String> {
    let creds = Arc::new(read_creds(&args.creds)?);
    // Every connection is opened before the clock starts.
    let mut conns = Vec::with_capacity(args.workers);
    for _ in 0..args.workers {
        conns.push(connect(&args.url).await?);
    }
    let counters = Arc::new(Counters::default());
    let period = Duration::from_secs(args.seconds);
    let start = Instant::now();
    let deadline = start + period;
    let mut tasks = Vec::with_capacity(args.workers);
    for (id, ldap) in conns.into_iter().enumerate() {
        tasks.push(tokio::spawn(worker(
            id,
            ldap,
            Arc::clone(&creds),
            deadline,
            Arc::clone(&counters),
        )));
    }
    // A bind still in flight at the deadline ends within OP_TIMEOUT; wait a
    // little longer than that, then report whatever was counted.
    let grace = deadline + OP_TIMEOUT + Duration::from_secs(1);
    for task in tasks {
        let left = grace.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, task).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(format!("worker panicked: {e}")),
            Err(_) => {
                eprintln!("ldap_rebind: a worker did not stop in time; reporting anyway");
                break;
            }
        }
    }
    let elapsed = start.elapsed().min(period).as_secs_f64();
    let ok = counters.ok.load(Ordering::Relaxed);
    let failed = counters.failed.load(Ordering::Relaxed);
    let errors = counters.errors.load(Ordering::Relaxed);
    println!("rebind: {:.0}", ok as f64 / elapsed);
    println!("binds: {ok}");
    println!("failures: {failed}");
    println!("errors: {errors}");
    if ok == 0 {
        return Err("no bind succeeded".to_owned());
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ldap_rebind: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(args));
    // Tasks stuck past the grace period must not keep the process alive.
    runtime.shutdown_timeout(Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ldap_rebind: {e}");
            ExitCode::FAILURE
        }
    }
}
