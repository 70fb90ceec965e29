//! The `dirgate` command: argument parsing and signal handling only. Everything
//! else lives in the library; errors are printed with their whole chain and turn
//! into a non-zero exit status.

use clap::{Parser, Subcommand};
use dirgate::config::Config;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::signal::unix::{SignalKind, signal};
use tokio_util::sync::CancellationToken;

/// mimalloc instead of glibc's malloc: measured at 100,000 users, glibc's
/// per-thread arenas kept the pages redb's cache had evicted (314 MB warm with
/// a 256 MB cache), and capping the arenas (MALLOC_ARENA_MAX=2) cut that to
/// 245 MB but equality searches fell from 17,800/s to 13,600/s on the lock.
/// With mimalloc and the default 64 MB cache: 16,300-16,800 searches/s at
/// 177 MB, where glibc gave 13,300/s at 202 MB. Every search and bind
/// decodes a record into fresh strings, so the allocator is on the hot path.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A directory gateway: LDAP v3 and SCIM 2.0 over one embedded store.
#[derive(Parser)]
#[command(name = "dirgate", version, about)]
struct Cli {
    /// Configuration file (TOML); without one, built-in defaults apply.
    #[arg(long, global = true, env = "DIRGATE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the daemon until SIGINT or SIGTERM.
    Serve,
    /// Check a configuration file and print the effective configuration
    /// (file, environment, defaults; secrets masked); exit 0 when valid.
    CheckConfig {
        /// The file to check.
        file: PathBuf,
    },
    /// Load an LDIF file of entries (organizations and users, e.g. from
    /// OpenLDAP's slapcat) into the store of a stopped server, in one
    /// transaction: all entries or none.
    LoadLdif {
        /// The LDIF file.
        file: PathBuf,
    },
    /// Restore a backup (from `dirgate backup` or a scheduled one) into the
    /// data directory of a stopped server, after checking it whole.
    Restore {
        /// The backup file.
        file: PathBuf,
        /// Replace the store that is there (kept as dirgate.redb.before-restore).
        #[arg(long)]
        replace: bool,
    },
    /// Print dirgate's own attribute types and object classes as an
    /// OpenLDAP schema file, for slapd to take exports that carry them.
    Schema,
    /// Administration of a running daemon over its admin API.
    #[command(flatten)]
    Admin(dirgate::cli::AdminCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Admin(cmd) => return dirgate::cli::run(cli.config.as_deref(), cmd),
        Command::Serve => serve(cli.config),
        Command::CheckConfig { file } => check_config(&file),
        Command::LoadLdif { file } => load_ldif(cli.config, &file),
        Command::Restore { file, replace } => Config::load(cli.config.as_deref())
            .map_err(anyhow::Error::from)
            .and_then(|c| dirgate::backup::restore(&c, &file, replace))
            .map(|said| println!("{said}")),
        Command::Schema => {
            print!("{}", dirgate::ldap::schema::slapd_schema());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dirgate: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn check_config(file: &std::path::Path) -> anyhow::Result<()> {
    let config = Config::load(Some(file))?;
    println!(
        "# {}: valid. The effective configuration (the file, DIRGATE_* variables,\n# defaults), secrets masked:",
        file.display()
    );
    print!("{}", config.describe());
    Ok(())
}

fn load_ldif(config: Option<PathBuf>, file: &std::path::Path) -> anyhow::Result<()> {
    use anyhow::Context;
    let config = Config::load(config.as_deref())?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data_dir {}", config.data_dir.display()))?;
    let started = std::time::Instant::now();
    let path = config.store_path();
    // Unset, the cache is sized for the store the load makes: about eight
    // times the LDIF's bytes (1,000,000 users: 278 MB of LDIF, a 2.2 GB store).
    let cache = config.store_cache_bytes.unwrap_or_else(|| {
        let grown = std::fs::metadata(&path).map_or(0, |m| m.len()) + 8 * text.len() as u64;
        dirgate::store::bulk_cache_bytes(grown)
    });
    let store = dirgate::store::Store::open_sized(&path, config.first_id_number, cache)?;
    let dir = dirgate::directory::Directory::new(store, config.directory.clone())?;
    let loaded = dirgate::ldap::load::load(&dir, &config.base_dn, &text)
        .map_err(|e| anyhow::anyhow!("{}: {e}; nothing was loaded", file.display()))?;
    println!(
        "loaded {} organizations, {} units, {} users, {} roles, {} service accounts and {} applications from {} in {:.2} s ({} entries of dirgate's fixed tree were there already; {} login suffixes added)",
        loaded.organizations,
        loaded.units,
        loaded.users,
        loaded.roles,
        loaded.services,
        loaded.applications,
        file.display(),
        started.elapsed().as_secs_f64(),
        loaded.fixed,
        loaded.suffixes
    );
    Ok(())
}

fn serve(config: Option<PathBuf>) -> anyhow::Result<()> {
    init_logging();
    let config = Config::load(config.as_deref())?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let shutdown = CancellationToken::new();
        // Installed before the listeners start, so a signal sent as soon as the
        // daemon reports its addresses is handled, not fatal.
        let signals = Signals::install()?;
        let server = Arc::new(dirgate::start(config, shutdown.clone()).await?);
        dirgate::service::ready();
        dirgate::service::spawn_watchdog(server.directory.clone(), shutdown.clone());
        tokio::spawn(watch_signals(signals, shutdown, server.clone()));
        server.wait().await;
        Ok(())
    })
}

/// The signals the daemon handles.
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> anyhow::Result<Signals> {
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
        })
    }
}

/// SIGINT/SIGTERM stop the daemon; SIGHUP is the reload signal (systemd's
/// ExecReload) and must never kill it.
async fn watch_signals(mut s: Signals, shutdown: CancellationToken, server: Arc<dirgate::Server>) {
    loop {
        tokio::select! {
            _ = s.term.recv() => break,
            _ = s.int.recv() => break,
            _ = s.hup.recv() => {
                dirgate::service::reloading();
                server.reload_tls();
                dirgate::service::reloaded();
            }
        }
    }
    // Cancel first: logging may fail (stderr closed) and must not stop the stop.
    shutdown.cancel();
    dirgate::service::stopping();
    tracing::info!("shutting down");
}

/// Logs go to stderr; `DIRGATE_LOG` (or `RUST_LOG`) sets the filter, default
/// info, within the caps of [`dirgate::logging::filter`]; `DIRGATE_LOG_FORMAT=json`
/// writes one JSON object per line.
fn init_logging() {
    use tracing_subscriber::prelude::*;
    let filter = std::env::var("DIRGATE_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".into());
    // One JSON object per line for log collectors (Loki, Elasticsearch…).
    let json = std::env::var("DIRGATE_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && !json)
        // Its fallback is eprintln!, which panics when stderr is gone (a closed
        // pipe); a daemon must survive losing its log reader.
        .log_internal_errors(false);
    let stderr = if json {
        stderr
            .json()
            .with_filter(dirgate::logging::filter(&filter))
            .boxed()
    } else {
        stderr
            .with_filter(dirgate::logging::filter(&filter))
            .boxed()
    };
    tracing_subscriber::registry().with(stderr).init();
}
