//! Configuration: the TOML file (every key optional, unknown keys refused with
//! their name), then `DIRGATE_*` environment overrides, validated into a
//! [`Config`]. With no file at all the daemon runs on these defaults.

use crate::directory::Settings;
use crate::ldap::dn::Dn;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod backup;
mod cluster;
mod describe;
pub mod env;
mod notify;
mod raw;
mod sections;
pub use backup::BackupConfig;
pub use cluster::ClusterConfig;
pub use notify::{NotifyConfig, SmtpConfig, SmtpSecurity, WebhookConfig};
use raw::*;
use sections::*;

/// Why a configuration was refused; the message names the key and the fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{key}: {message}")]
    Invalid { key: &'static str, message: String },
    /// A `DIRGATE_*` variable's value cannot be the key's type.
    #[error("{variable}: {message}")]
    Env { variable: String, message: String },
}

/// LDAP listener settings.
#[derive(Clone, Debug)]
pub struct LdapConfig {
    /// Refuse everything but StartTLS, the root DSE and the schema before TLS.
    pub require_tls: bool,
    /// Whether a certificate is configured (StartTLS and LDAPS need one).
    pub tls_configured: bool,
    /// Largest LDAP message accepted; bigger ones get a Notice of Disconnection.
    pub max_message_bytes: usize,
    pub max_connections: usize,
    /// Connections from one client address at most (0 = no such cap).
    pub max_connections_per_address: usize,
    /// Connections idle this long are closed (zero = never).
    pub idle_timeout: Duration,
    /// Connections that have not bound (or bound anonymously) and are idle
    /// this long (or `idle_timeout`, if shorter) are closed (zero = never):
    /// they hold a slot and need not wait `idle_timeout` to give it back.
    pub unbound_idle_timeout: Duration,
    /// Most entries one search returns (0 = no limit); the system administrator
    /// is exempt, and paged searches apply it per page.
    pub size_limit: usize,
    pub time_limit: Duration,
    /// Most entries a server-side sort handles.
    pub sort_limit: usize,
    /// Open paged-results cursors per connection (the oldest is dropped).
    pub max_paged_cursors: usize,
}

impl Default for LdapConfig {
    fn default() -> Self {
        LdapConfig {
            require_tls: false,
            tls_configured: false,
            max_message_bytes: 1 << 20,
            max_connections: 4096,
            max_connections_per_address: DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
            idle_timeout: Duration::from_secs(900),
            unbound_idle_timeout: Duration::from_secs(30),
            size_limit: 10_000,
            time_limit: Duration::from_secs(60),
            sort_limit: 100_000,
            max_paged_cursors: 8,
        }
    }
}

/// The validated configuration the daemon runs with.
#[derive(Clone, Debug)]
pub struct Config {
    /// `[notify]`: the webhook, the mail relay and the outbox's lifetimes.
    pub notify: NotifyConfig,
    pub data_dir: PathBuf,
    pub base_dn: Dn,
    pub ldap: LdapConfig,
    pub ldap_listen: SocketAddr,
    /// LDAPS listener, when configured (needs the certificate).
    pub ldaps_listen: Option<SocketAddr>,
    /// PEM certificate chain and private key for LDAPS and StartTLS.
    pub tls: Option<(PathBuf, PathBuf)>,
    pub http_listen: SocketAddr,
    /// Open HTTP connections at most; more are closed at once.
    pub http_max_connections: usize,
    /// Open HTTP connections from one client address at most (0 = no such cap).
    pub http_max_connections_per_address: usize,
    /// How long a request's head and body may take to arrive.
    pub http_timeouts: crate::http::serve::Timeouts,
    /// Serve HTTPS on the HTTP listener, with the LDAP certificate.
    pub http_tls: bool,
    /// First uidNumber/gidNumber handed out in a new store.
    pub first_id_number: u32,
    /// Bytes of store pages kept in memory (`[store] cache_mb`); `None`:
    /// sized from the store file when it opens
    /// ([`crate::store::auto_cache_bytes`]).
    pub store_cache_bytes: Option<usize>,
    pub directory: Settings,
    /// Bulk import limits and choices (`[import]`).
    pub import: crate::import::ImportConfig,
    /// The SCIM front end's limits (`[scim]`).
    pub scim: crate::scim::config::ScimConfig,
    /// `/metrics` on or off, and its token (`[metrics]`).
    pub metrics: crate::metrics::config::MetricsConfig,
    /// Scheduled backups (`[backup]`).
    pub backup: BackupConfig,
    /// The server set this node joins (`[cluster]`); none: a single node.
    pub cluster: Option<ClusterConfig>,
}

pub const DEFAULT_DATA_DIR: &str = "./data";
pub const DEFAULT_BASE_DN: &str = "dc=example,dc=com";
pub const DEFAULT_LDAP_LISTEN: &str = "127.0.0.1:3389";
pub const DEFAULT_HTTP_LISTEN: &str = "127.0.0.1:8080";
const DEFAULT_FIRST_ID_NUMBER: u32 = 10_000;
const DEFAULT_HTTP_MAX_CONNECTIONS: usize = 4096;
/// Both listeners: enough for a busy application server or reverse proxy,
/// few enough that one client cannot take the 4096 slots.
const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS: usize = 256;
/// hyper's own default; also how long an idle keep-alive connection stays.
pub(crate) const DEFAULT_HTTP_HEADER_TIMEOUT_SECS: u64 = 30;
/// Room for a 16 MB spreadsheet upload at about 1 Mbit/s.
pub(crate) const DEFAULT_HTTP_BODY_TIMEOUT_SECS: u64 = 120;

impl Config {
    /// Reads `path` (if given), applies the environment, validates.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let (text, origin) = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.to_path_buf(),
                    source,
                })?;
                (text, p.to_path_buf())
            }
            None => (String::new(), PathBuf::from("<defaults>")),
        };
        from_text(&text, origin, &|k| std::env::var(k).ok())
    }

    /// Parses configuration text with the given environment (for tests).
    pub fn from_str_with_env(
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        from_text(text, PathBuf::from("<text>"), env)
    }

    /// The store file inside the data directory.
    pub fn store_path(&self) -> PathBuf {
        self.data_dir.join("dirgate.redb")
    }

    /// Where the bootstrap credential is written.
    pub fn bootstrap_path(&self) -> PathBuf {
        self.data_dir.join("bootstrap-admin")
    }
}

/// The file (read straight into its shape first, so its errors carry line
/// numbers), then the environment over it (`env`), validated.
fn from_text(
    text: &str,
    origin: PathBuf,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigError> {
    let parse_error = |message: String| ConfigError::Parse {
        path: origin.clone(),
        message,
    };
    let mut raw: RawConfig = toml::from_str(text).map_err(|e| parse_error(e.to_string()))?;
    let mut table: toml::Table = toml::from_str(text).map_err(|e| parse_error(e.to_string()))?;
    let before = table.clone();
    env::overlay(&mut table, env)?;
    if table != before {
        raw = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| parse_error(format!("with the environment: {e}")))?;
    }
    validate(raw)
}

/// Every section validated; the first fault names its key.
fn validate(raw: RawConfig) -> Result<Config, ConfigError> {
    let base_dn = raw.base_dn.as_deref().unwrap_or(DEFAULT_BASE_DN);
    let base_dn = Dn::parse(base_dn).map_err(|e| invalid("base_dn", e.to_string()))?;
    if base_dn.is_root() {
        return Err(invalid(
            "base_dn",
            "must not be empty (e.g. dc=example,dc=com)".into(),
        ));
    }
    let net = listeners(&raw)?;
    Ok(Config {
        notify: section(raw.notify.validate())?,
        data_dir: raw
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
        base_dn,
        ldap: net.ldap,
        ldap_listen: net.ldap_listen,
        ldaps_listen: net.ldaps_listen,
        tls: net.tls,
        http_listen: net.http_listen,
        http_max_connections: raw
            .http
            .max_connections
            .unwrap_or(DEFAULT_HTTP_MAX_CONNECTIONS),
        http_max_connections_per_address: raw
            .http
            .max_connections_per_address
            .unwrap_or(DEFAULT_MAX_CONNECTIONS_PER_ADDRESS),
        http_timeouts: http_timeouts(&raw.http),
        http_tls: net.http_tls,
        first_id_number: raw.ids.first_number.unwrap_or(DEFAULT_FIRST_ID_NUMBER),
        store_cache_bytes: store_cache(&raw)?,
        directory: directory_settings(&raw)?,
        import: section(raw.import.validate())?,
        scim: raw.scim.validate(),
        metrics: section(raw.metrics.validate())?,
        backup: section(raw.backup.validate())?,
        cluster: section(raw.cluster.validate())?,
    })
}

/// `[store] cache_mb` in bytes: at least 8 MB (redb needs room for a
/// transaction's pages) and at most 1 TiB. Unset: `None`, sized from the
/// store file (see `conf/dirgate.toml` for what the sizes cost and buy).
fn store_cache(raw: &RawConfig) -> Result<Option<usize>, ConfigError> {
    let Some(mb) = raw.store.cache_mb else {
        return Ok(None);
    };
    if !(8..=1 << 20).contains(&mb) {
        return Err(invalid(
            "store.cache_mb",
            format!("must be between 8 and 1048576, got {mb}"),
        ));
    }
    Ok(Some(mb << 20))
}

/// The listeners and their certificate (`[ldap]`, `[http]`).
struct Listeners {
    ldap: LdapConfig,
    ldap_listen: SocketAddr,
    ldaps_listen: Option<SocketAddr>,
    http_listen: SocketAddr,
    tls: Option<(PathBuf, PathBuf)>,
    http_tls: bool,
}

fn listeners(raw: &RawConfig) -> Result<Listeners, ConfigError> {
    let mut ldap = ldap_config(&raw.ldap);
    let tls = match (raw.ldap.tls_cert.clone(), raw.ldap.tls_key.clone()) {
        (Some(c), Some(k)) => Some((c, k)),
        (None, None) => None,
        _ => {
            return Err(invalid(
                "ldap.tls_cert",
                "tls_cert and tls_key go together: give both or neither".into(),
            ));
        }
    };
    ldap.tls_configured = tls.is_some();
    let needs_cert = |key, on: bool, more: &str| {
        if on && tls.is_none() {
            return Err(invalid(
                key,
                format!("needs ldap.tls_cert and ldap.tls_key{more}"),
            ));
        }
        Ok(())
    };
    needs_cert("ldap.require_tls", ldap.require_tls, "")?;
    let http_tls = raw.http.tls.unwrap_or(false);
    needs_cert(
        "http.tls",
        http_tls,
        " (the HTTP listener serves the same certificate)",
    )?;
    let ldaps_listen = raw
        .ldap
        .ldaps_listen
        .as_deref()
        .map(|a| parse_addr("ldap.ldaps_listen", a))
        .transpose()?;
    needs_cert("ldap.ldaps_listen", ldaps_listen.is_some(), "")?;
    let ldap_listen = raw.ldap.listen.as_deref().unwrap_or(DEFAULT_LDAP_LISTEN);
    let http_listen = raw.http.listen.as_deref().unwrap_or(DEFAULT_HTTP_LISTEN);
    Ok(Listeners {
        ldap,
        ldap_listen: parse_addr("ldap.listen", ldap_listen)?,
        ldaps_listen,
        http_listen: parse_addr("http.listen", http_listen)?,
        tls,
        http_tls,
    })
}

/// The core's settings: `[passwords]`, `[lockout]`, `[logins]`, `[users]`,
/// `[audit]`, `[posix]`, `[applications]`, `[password_policy]` and `[ldap]
/// anonymous_read`.
fn directory_settings(raw: &RawConfig) -> Result<Settings, ConfigError> {
    let core_defaults = Settings::default();
    let (hash, hash_workers) = password_hashing(&raw.passwords)?;
    let policy = crate::directory::acl::Policy {
        anonymous_read: raw
            .ldap
            .anonymous_read
            .unwrap_or(false)
            .then_some(crate::directory::model::Scope::Server),
    };
    Ok(Settings {
        require_suffix: raw.logins.require_suffix.unwrap_or(true),
        hash,
        policy,
        lockout: lockout_policy(&raw.lockout),
        self_service: self_service(&raw.users)?,
        audit_retention_days: raw
            .audit
            .retention_days
            .unwrap_or(core_defaults.audit_retention_days),
        rehash_on_login: raw.passwords.rehash_on_login.unwrap_or(true),
        posix: posix_defaults(&raw.posix)?,
        hash_workers,
        hash_queue: raw.passwords.hash_queue.unwrap_or(core_defaults.hash_queue),
        request_ttl: request_ttl(raw.applications.request_expiry_hours)?
            .unwrap_or(core_defaults.request_ttl),
        password_policy: password_policy(&raw.password_policy)?,
        ..core_defaults
    })
}

/// `[password_policy]`, over the core's defaults (the same rules an
/// organization's own settings are checked by).
fn password_policy(
    raw: &raw::RawPasswordPolicy,
) -> Result<crate::directory::password::policy::PasswordPolicy, ConfigError> {
    use crate::directory::password::policy::{PasswordPolicy, PolicyOverride};
    let o = PolicyOverride {
        min_length: raw.min_length,
        min_classes: raw.min_classes,
        reject_names: raw.reject_names,
        history: raw.history,
        max_age_days: raw.max_age_days,
        warn_days: raw.warn_days,
        grace_logins: raw.grace_logins,
        mailed_reset: raw.mailed_reset,
        require_second_factor: raw.require_second_factor,
    };
    o.check().map_err(|(key, why)| ConfigError::Invalid {
        key: match key {
            "min_length" => "password_policy.min_length",
            "min_classes" => "password_policy.min_classes",
            _ => "password_policy.history",
        },
        message: why,
    })?;
    Ok(PasswordPolicy::default().with(&o))
}

/// `[applications] request_expiry_hours`: at least one hour.
fn request_ttl(hours: Option<u32>) -> Result<Option<crate::directory::model::Millis>, ConfigError> {
    match hours {
        Some(0) => Err(invalid(
            "applications.request_expiry_hours",
            "must be at least 1 (requests need time to be decided)".into(),
        )),
        Some(h) => Ok(Some(crate::directory::model::Millis::from(h) * 3600 * 1000)),
        None => Ok(None),
    }
}

/// A section's own validation, its fault as a [`ConfigError`].
fn section<T>(checked: Result<T, (&'static str, String)>) -> Result<T, ConfigError> {
    checked.map_err(|(key, m)| invalid(key, m))
}

fn invalid(key: &'static str, message: String) -> ConfigError {
    ConfigError::Invalid { key, message }
}

fn parse_addr(key: &'static str, value: &str) -> Result<SocketAddr, ConfigError> {
    value.parse().map_err(|_| {
        invalid(
            key,
            format!("'{value}' is not an address:port such as 127.0.0.1:3389"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn defaults_without_a_file() {
        let c = Config::from_str_with_env("", &no_env).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.base_dn.to_string(), "dc=example,dc=com");
        assert_eq!(c.ldap_listen.to_string(), "127.0.0.1:3389");
        assert_eq!(c.http_listen.to_string(), "127.0.0.1:8080");
        assert!(c.directory.require_suffix);
    }

    #[test]
    fn unknown_keys_are_named() {
        let err =
            Config::from_str_with_env("[ldap]\nlisten = \"127.0.0.1:1\"\nlistne = 3\n", &no_env)
                .unwrap_err()
                .to_string();
        assert!(err.contains("listne"), "{err}");
        let err = Config::from_str_with_env("colour = 1\n", &no_env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn environment_overrides_the_file() {
        let env = |k: &str| match k {
            "DIRGATE_BASE_DN" => Some("o=Acme".to_owned()),
            "DIRGATE_HTTP_LISTEN" => Some("127.0.0.1:0".to_owned()),
            "DIRGATE_LOGINS_REQUIRE_SUFFIX" => Some("false".to_owned()),
            _ => None,
        };
        let c = Config::from_str_with_env("base_dn = \"dc=x\"\n", &env).unwrap();
        assert_eq!(c.base_dn.to_string(), "o=Acme");
        assert_eq!(c.http_listen.port(), 0);
        assert!(!c.directory.require_suffix);
    }

    #[test]
    fn every_key_follows_one_rule() {
        let env = |k: &str| match k {
            "DIRGATE_PASSWORDS_ARGON2_MEMORY_KIB" => Some("1024".to_owned()),
            "DIRGATE_USERS_SELF_SERVICE" => Some("email, display_name".to_owned()),
            "DIRGATE_NOTIFY_SMTP" => Some("mail.example.com:587".to_owned()),
            "DIRGATE_NOTIFY_SMTP_USER" => Some("relay".to_owned()),
            "DIRGATE_NOTIFY_SMTP_PASSWORD" => Some("from-the-environment".to_owned()),
            "DIRGATE_LDAP_MAX_CONNECTIONS" => Some("7".to_owned()),
            "DIRGATE_BACKUP_KEEP" => Some("3".to_owned()),
            "DIRGATE_LDAPS_LISTEN" => Some("nowhere".to_owned()),
            _ => None,
        };
        // The older DIRGATE_LDAPS_LISTEN still reaches ldap.ldaps_listen.
        let err = Config::from_str_with_env("", &env).unwrap_err().to_string();
        assert!(err.starts_with("ldap.ldaps_listen"), "{err}");
        let env2 = |k: &str| (k != "DIRGATE_LDAPS_LISTEN").then(|| env(k)).flatten();
        let file = "[passwords]\nargon2_memory_kib = 4096\n[ldap]\nmax_connections = 1\n";
        let c = Config::from_str_with_env(file, &env2).unwrap();
        assert_eq!(c.directory.hash.memory_kib, 1024);
        assert_eq!(c.directory.self_service.len(), 2);
        assert_eq!(c.ldap.max_connections, 7);
        assert_eq!(c.backup.keep, 3);
        let smtp = c.notify.smtp.unwrap();
        assert_eq!(smtp.credentials.unwrap().1, "from-the-environment");
        // A value of the wrong type names the variable and the key.
        let bad = |k: &str| (k == "DIRGATE_LOCKOUT_THRESHOLD").then(|| "many".to_owned());
        let err = Config::from_str_with_env("", &bad).unwrap_err().to_string();
        assert!(
            err.starts_with("DIRGATE_LOCKOUT_THRESHOLD") && err.contains("lockout.threshold"),
            "{err}"
        );
    }

    #[test]
    fn store_cache_size() {
        let c = Config::from_str_with_env("", &no_env).unwrap();
        assert_eq!(c.store_cache_bytes, None);
        let c = Config::from_str_with_env("[store]\ncache_mb = 128\n", &no_env).unwrap();
        assert_eq!(c.store_cache_bytes, Some(128 << 20));
        let env = |k: &str| (k == "DIRGATE_STORE_CACHE_MB").then(|| "256".to_owned());
        let c = Config::from_str_with_env("[store]\ncache_mb = 128\n", &env).unwrap();
        assert_eq!(c.store_cache_bytes, Some(256 << 20));
        let err = Config::from_str_with_env("[store]\ncache_mb = 2\n", &no_env).unwrap_err();
        assert!(err.to_string().starts_with("store.cache_mb"), "{err}");
    }

    #[test]
    fn hashing_pool_settings() {
        let c = Config::from_str_with_env("", &no_env).unwrap();
        assert!(c.directory.hash_workers >= 1);
        assert_eq!(c.directory.hash_queue, 64);
        let text = "[passwords]\nhash_workers = 3\nhash_queue = 0\n";
        let c = Config::from_str_with_env(text, &no_env).unwrap();
        assert_eq!((c.directory.hash_workers, c.directory.hash_queue), (3, 0));
        let err = Config::from_str_with_env("[passwords]\nhash_workers = 0\n", &no_env);
        assert!(
            err.unwrap_err()
                .to_string()
                .starts_with("passwords.hash_workers")
        );
    }

    #[test]
    fn connection_limits() {
        let c = Config::from_str_with_env("", &no_env).unwrap();
        assert_eq!(c.http_timeouts.header, Duration::from_secs(30));
        assert_eq!(c.http_timeouts.body, Duration::from_secs(120));
        assert_eq!(c.http_max_connections_per_address, 256);
        assert_eq!(c.ldap.max_connections_per_address, 256);
        assert_eq!(c.ldap.unbound_idle_timeout, Duration::from_secs(30));
        let text = "[http]\nheader_timeout_secs = 0\nbody_timeout_secs = 5\n\
                    max_connections_per_address = 0\n[ldap]\nunbound_idle_timeout_secs = 7\n";
        let c = Config::from_str_with_env(text, &no_env).unwrap();
        assert!(c.http_timeouts.header.is_zero());
        assert_eq!(c.http_timeouts.body, Duration::from_secs(5));
        assert_eq!(c.http_max_connections_per_address, 0);
        assert_eq!(c.ldap.unbound_idle_timeout, Duration::from_secs(7));
    }

    #[test]
    fn bad_values_name_their_key() {
        let err = Config::from_str_with_env("base_dn = \"dc=x,,\"\n", &no_env).unwrap_err();
        assert!(err.to_string().starts_with("base_dn"), "{err}");
        let err = Config::from_str_with_env("[http]\nlisten = \"nowhere\"\n", &no_env).unwrap_err();
        assert!(err.to_string().starts_with("http.listen"), "{err}");
        // HTTPS without a certificate to serve.
        let err = Config::from_str_with_env("[http]\ntls = true\n", &no_env).unwrap_err();
        assert!(err.to_string().starts_with("http.tls"), "{err}");
    }
}
