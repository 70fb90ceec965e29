//! Start-up and shutdown: opens the store, creates the system administrator on
//! first start (writing its credential to `<data_dir>/bootstrap-admin`, mode 0600),
//! binds the listeners, and stops them all through one `CancellationToken` and one
//! `TaskTracker`. Tests call [`start`] with port 0 and read the bound addresses.

use crate::config::Config;
use crate::conn_limit::Caps;
use crate::directory::Directory;
use crate::directory::auth::Bootstrap;
use crate::directory::outbox::{Channel, Outbox};
use crate::ldap::listener::Mode;
use crate::ldap::session::Context as LdapContext;
use crate::ldap::tree::Tree;
use crate::metrics::Metrics;
use crate::store::Store;
use crate::tls::Tls;
use anyhow::Context;
use std::io::Write;
use std::net::SocketAddr;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How long shutdown waits for connections to finish before giving up on them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running daemon.
pub struct Server {
    pub http_addr: SocketAddr,
    pub ldap_addr: SocketAddr,
    pub ldaps_addr: Option<SocketAddr>,
    /// `[metrics] listen`, once bound.
    pub metrics_addr: Option<SocketAddr>,
    /// The certificate in use, reloadable (SIGHUP).
    pub tls: Option<Arc<Tls>>,
    pub directory: Directory,
    /// This node's place in a server set (stops following when dropped).
    pub cluster: Option<crate::cluster::node::Node>,
    tracker: TaskTracker,
    shutdown: CancellationToken,
}

/// Starts everything and returns once the listeners are bound.
pub async fn start(config: Config, shutdown: CancellationToken) -> anyhow::Result<Server> {
    let (directory, cluster) = open_directory(&config).await?;
    let tracker = TaskTracker::new();
    let http = tokio::net::TcpListener::bind(config.http_listen)
        .await
        .with_context(|| format!("cannot listen on {} (http.listen)", config.http_listen))?;
    let http_addr = http.local_addr()?;
    let tls = match &config.tls {
        Some((cert, key)) => Some(Arc::new(Tls::load(cert, key)?)),
        None => None,
    };
    let https = tls.clone().filter(|_| config.http_tls);
    if let Some(node) = &cluster {
        let advertised = config
            .cluster
            .as_ref()
            .and_then(|c| c.advertise_url.clone());
        node.advertise(
            advertised
                .unwrap_or_else(|| crate::cluster::node::default_url(http_addr, https.is_some())),
        );
    }
    // Scripts and tests read the address from this line's end: keep it last.
    tracing::info!(addr = %http_addr, "http listening");
    if https.is_some() {
        tracing::info!("the http listener speaks https (http.tls)");
    }
    let imports = crate::import::Imports::new(directory.clone(), config.import.clone());
    let metrics = Arc::new(Metrics::new(
        Some(config.store_path()),
        cluster.as_ref().map(|n| n.view()),
    ));
    metrics.watch_imports(imports.clone());
    let app = crate::http::app(
        directory.clone(),
        Tree::new(config.base_dn.clone()),
        imports,
    )
    // The SCIM handlers read their limits from the request (tooMany).
    .layer(axum::Extension(config.scim))
    .layer(axum::Extension::<crate::http::Node>(
        cluster.as_ref().map(|n| n.view()),
    ));
    metrics.watch_directory(directory.clone());
    let app = crate::http::metrics::instrument(app, metrics.clone(), &config.metrics);
    let http_caps = Arc::new(Caps::new(
        "http",
        config.http_max_connections,
        config.http_max_connections_per_address,
    ));
    metrics.watch_listener("http", http_caps.clone());
    tracker.spawn(crate::http::serve::serve(
        crate::http::limit::Limited::new(http, http_caps),
        app,
        crate::http::serve::Options {
            timeouts: config.http_timeouts,
            tls: https,
        },
        shutdown.clone(),
        tracker.clone(),
    ));
    let metrics_addr = serve_metrics(&config, &metrics, &tracker, &shutdown).await?;
    let ctx = Arc::new(LdapContext {
        dir: directory.clone(),
        tree: Tree::new(config.base_dn.clone()),
        cfg: config.ldap.clone(),
        tls: tls.clone(),
        metrics: metrics.clone(),
    });
    let caps = Arc::new(Caps::new(
        "ldap",
        config.ldap.max_connections,
        config.ldap.max_connections_per_address,
    ));
    metrics.watch_listener("ldap", caps.clone());
    let ldap_addr = listen_ldap(
        &tracker,
        &shutdown,
        &ctx,
        &caps,
        config.ldap_listen,
        Mode::Plain,
    )
    .await?;
    let ldaps_addr = match config.ldaps_listen {
        Some(addr) => Some(listen_ldap(&tracker, &shutdown, &ctx, &caps, addr, Mode::Ldaps).await?),
        None => None,
    };
    tracker.spawn(crate::backup::schedule(
        directory.clone(),
        config.backup.clone(),
        shutdown.clone(),
    ));
    tracker.spawn(expire_requests(directory.clone(), shutdown.clone()));
    tracker.close();
    Ok(Server {
        http_addr,
        ldap_addr,
        ldaps_addr,
        metrics_addr,
        tls,
        directory,
        cluster,
        tracker,
        shutdown,
    })
}

/// `/metrics` on a listener of its own, when `[metrics] listen` asks for one
/// (with small connection caps: a scraper or two reach it).
async fn serve_metrics(
    config: &Config,
    metrics: &Arc<Metrics>,
    tracker: &TaskTracker,
    shutdown: &CancellationToken,
) -> anyhow::Result<Option<SocketAddr>> {
    let Some(addr) = config.metrics.listen.filter(|_| config.metrics.enabled) else {
        return Ok(None);
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (metrics.listen)"))?;
    let bound = listener.local_addr()?;
    tracing::info!(addr = %bound, "metrics listening");
    let caps = Arc::new(Caps::new("metrics", 64, 16));
    tracker.spawn(crate::http::serve::serve(
        crate::http::limit::Limited::new(listener, caps),
        crate::http::metrics::exposition(metrics.clone(), &config.metrics),
        crate::http::serve::Options {
            timeouts: config.http_timeouts,
            tls: None,
        },
        shutdown.clone(),
        tracker.clone(),
    ));
    Ok(Some(bound))
}

/// Binds an LDAP listener and serves it on the tracker.
async fn listen_ldap(
    tracker: &TaskTracker,
    shutdown: &CancellationToken,
    ctx: &Arc<LdapContext>,
    caps: &Arc<Caps>,
    addr: SocketAddr,
    mode: Mode,
) -> anyhow::Result<SocketAddr> {
    let key = if mode == Mode::Ldaps {
        "ldap.ldaps_listen"
    } else {
        "ldap.listen"
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} ({key})"))?;
    let bound = listener.local_addr()?;
    tracing::info!(addr = %bound, ldaps = mode == Mode::Ldaps, "ldap listening");
    tracker.spawn(crate::ldap::listener::serve(
        listener,
        mode,
        ctx.clone(),
        caps.clone(),
        shutdown.clone(),
        tracker.clone(),
    ));
    Ok(bound)
}

impl Server {
    /// Re-reads the TLS certificate and key (SIGHUP); connections keep theirs.
    pub fn reload_tls(&self) {
        match &self.tls {
            Some(tls) => match tls.reload() {
                Ok(()) => tracing::info!("TLS certificate reloaded"),
                Err(e) => {
                    tracing::error!(error = %e, "TLS reload failed; keeping the old certificate")
                }
            },
            None => {
                tracing::info!("SIGHUP received: no TLS certificate configured, nothing to reload")
            }
        }
    }

    /// Waits until shutdown is requested and the listeners have stopped (or the
    /// grace period ran out).
    pub async fn wait(&self) {
        self.shutdown.cancelled().await;
        if tokio::time::timeout(SHUTDOWN_GRACE, self.tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!("connections still open after the grace period; stopping anyway");
        }
        // Bind audit events still queued are committed before the process ends.
        let dir = self.directory.clone();
        let _ = tokio::task::spawn_blocking(move || dir.flush_journal()).await;
        tracing::info!("stopped");
    }
}

/// How often pending access requests past their expiry are closed (a
/// request past it already reads as expired; this tells the requester and
/// writes the audit event).
const EXPIRE_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Closes expired access requests every [`EXPIRE_EVERY`] until `shutdown`.
async fn expire_requests(dir: Directory, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(EXPIRE_EVERY);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        match dir.blocking(|d| d.expire_requests()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "access requests expired"),
            // A follower cut off from its set, or a lost race: next time.
            Err(e) => tracing::warn!(error = %e, "could not expire access requests"),
        }
    }
}

/// Runs the daemon until `shutdown` is cancelled.
pub async fn run(config: Config, shutdown: CancellationToken) -> anyhow::Result<()> {
    start(config, shutdown).await?.wait().await;
    Ok(())
}

/// Opens (or creates) the store and bootstraps the system administrator.
async fn open_directory(
    config: &Config,
) -> anyhow::Result<(Directory, Option<crate::cluster::node::Node>)> {
    let config = config.clone();
    tokio::task::spawn_blocking(move || {
        create_data_dir(&config.data_dir)?;
        let path = config.store_path();
        let cache = config
            .store_cache_bytes
            .unwrap_or_else(|| crate::store::cache_for(&path));
        let store = Store::open_sized(&path, config.first_id_number, cache)?;
        // In a server set the store holds the log's head before anything runs.
        let node = match &config.cluster {
            Some(c) => Some(
                crate::cluster::node::join(&store, c, &config.data_dir).with_context(|| {
                    format!("cannot join the server set at {:?}", c.etcd_endpoints)
                })?,
            ),
            None => None,
        };
        let mut outbox = Outbox::new(channels(&config)?, config.notify.outbox);
        if let Some(n) = &node {
            outbox.deliver_only_from(&n.name);
        }
        let directory = Directory::with_outbox(store, config.directory.clone(), outbox)?;
        if let Some(n) = &node {
            directory.trust_peers(n.secret());
        }
        match bootstrap(&directory)? {
            Some(b) => {
                write_bootstrap(&config, &b)?;
                tracing::info!(
                    path = %config.bootstrap_path().display(),
                    "system administrator created; its credential is in this file (mode 0600)"
                );
            }
            None => tracing::info!(store = %config.store_path().display(), "store opened"),
        }
        Ok((directory, node))
    })
    .await?
}

/// Creates the system administrator on an empty directory. In a server set
/// two nodes may start at once: the one whose write reached the log second
/// finds the administrator there on its next try.
fn bootstrap(directory: &Directory) -> anyhow::Result<Option<Bootstrap>> {
    let mut tries = 0;
    loop {
        match directory.bootstrap() {
            Err(crate::directory::error::Error::Unavailable(_)) if tries < 3 => tries += 1,
            other => return Ok(other?),
        }
    }
}

/// The configured notification channels (webhook, mail; none: the log).
fn channels(config: &Config) -> anyhow::Result<Vec<Arc<dyn Channel>>> {
    let n = &config.notify;
    let ca = match &n.ca_file {
        Some(path) => Some(
            std::fs::read(path)
                .with_context(|| format!("cannot read {} (notify.ca_file)", path.display()))?,
        ),
        None => None,
    };
    let mut channels: Vec<Arc<dyn Channel>> = Vec::new();
    if let Some(w) = &n.webhook {
        let hook = crate::webhook::Webhook::new(w, ca.as_deref(), n.timeout)
            .map_err(anyhow::Error::msg)?;
        channels.push(Arc::new(hook));
    }
    if let Some(m) = &n.smtp {
        channels.push(Arc::new(crate::smtp::Smtp::new(
            m,
            ca.as_deref(),
            n.timeout,
        )?));
    }
    Ok(channels)
}

fn create_data_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create data_dir {}", dir.display()))
}

/// Writes `DN=`, `LOGIN=`, `PASSWORD=` lines, readable by the owner only. Written
/// to a temporary file first so a crash never leaves half a credential.
fn write_bootstrap(config: &Config, b: &Bootstrap) -> anyhow::Result<()> {
    let path = config.bootstrap_path();
    let tmp = path.with_extension("tmp");
    let dn = format!("cn={},{}", b.login, config.base_dn);
    let body = format!("DN={dn}\nLOGIN={}\nPASSWORD={}\n", b.login, b.password);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    f.write_all(body.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
