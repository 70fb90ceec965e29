//! Configuration: the TOML file (every key optional, unknown keys refused with
//! their name), then `DIRGATE_*` environment overrides, validated into a
//! [`Config`]. With no file at all the daemon runs on these defaults.

use crate::directory::Settings;
use crate::directory::password::HashParams;
use crate::ldap::dn::Dn;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod backup;
mod describe;
mod notify;
mod raw;
mod sections;
pub use backup::BackupConfig;
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
    pub directory: Settings,
    /// Bulk import limits and choices (`[import]`).
    pub import: crate::import::ImportConfig,
    /// The SCIM front end's limits (`[scim]`).
    pub scim: crate::scim::config::ScimConfig,
    /// `/metrics` on or off, and its token (`[metrics]`).
    pub metrics: crate::metrics::config::MetricsConfig,
    /// Scheduled backups (`[backup]`).
    pub backup: BackupConfig,
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
        let raw = match path {
            Some(p) => parse_file(p)?,
            None => RawConfig::default(),
        };
        validate(raw, &|k| std::env::var(k).ok())
    }

    /// Parses configuration text with the given environment (for tests).
    pub fn from_str_with_env(
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let raw = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: PathBuf::from("<text>"),
            message: e.to_string(),
        })?;
        validate(raw, env)
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

fn parse_file(path: &Path) -> Result<RawConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

fn validate(raw: RawConfig, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let data_dir = env("DIRGATE_DATA_DIR")
        .map(PathBuf::from)
        .or(raw.data_dir)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
    let base_dn = pick(env("DIRGATE_BASE_DN"), raw.base_dn, DEFAULT_BASE_DN);
    let base_dn = Dn::parse(&base_dn).map_err(|e| invalid("base_dn", e.to_string()))?;
    if base_dn.is_root() {
        return Err(invalid(
            "base_dn",
            "must not be empty (e.g. dc=example,dc=com)".into(),
        ));
    }
    let ldap = pick(
        env("DIRGATE_LDAP_LISTEN"),
        raw.ldap.listen.clone(),
        DEFAULT_LDAP_LISTEN,
    );
    let http = pick(
        env("DIRGATE_HTTP_LISTEN"),
        raw.http.listen.clone(),
        DEFAULT_HTTP_LISTEN,
    );
    let require_suffix = match env("DIRGATE_LOGINS_REQUIRE_SUFFIX") {
        Some(v) => parse_bool("logins.require_suffix", &v)?,
        None => raw.logins.require_suffix.unwrap_or(true),
    };
    let defaults = HashParams::default();
    let hash = HashParams {
        memory_kib: raw
            .passwords
            .argon2_memory_kib
            .unwrap_or(defaults.memory_kib),
        iterations: raw
            .passwords
            .argon2_iterations
            .unwrap_or(defaults.iterations),
        parallelism: raw
            .passwords
            .argon2_parallelism
            .unwrap_or(defaults.parallelism),
    };
    hash.validate()
        .map_err(|e| invalid("passwords", e.to_string()))?;
    let core_defaults = Settings::default();
    let hash_workers = raw
        .passwords
        .hash_workers
        .unwrap_or(core_defaults.hash_workers);
    if hash_workers == 0 {
        return Err(invalid(
            "passwords.hash_workers",
            "must be at least 1 (argon2id checks run on these threads)".into(),
        ));
    }
    let mut ldap_cfg = ldap_config(&raw.ldap);
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
    ldap_cfg.tls_configured = tls.is_some();
    if ldap_cfg.require_tls && tls.is_none() {
        return Err(invalid(
            "ldap.require_tls",
            "needs ldap.tls_cert and ldap.tls_key".into(),
        ));
    }
    let http_tls = match env("DIRGATE_HTTP_TLS") {
        Some(v) => parse_bool("http.tls", &v)?,
        None => raw.http.tls.unwrap_or(false),
    };
    if http_tls && tls.is_none() {
        return Err(invalid(
            "http.tls",
            "needs ldap.tls_cert and ldap.tls_key (the HTTP listener serves the same certificate)"
                .into(),
        ));
    }
    let ldaps = env("DIRGATE_LDAPS_LISTEN").or(raw.ldap.ldaps_listen.clone());
    let ldaps_listen = ldaps
        .map(|a| parse_addr("ldap.ldaps_listen", &a))
        .transpose()?;
    if ldaps_listen.is_some() && tls.is_none() {
        return Err(invalid(
            "ldap.ldaps_listen",
            "needs ldap.tls_cert and ldap.tls_key".into(),
        ));
    }
    let import = raw.import.validate().map_err(|(key, m)| invalid(key, m))?;
    let metrics_enabled = env("DIRGATE_METRICS_ENABLED")
        .map(|v| parse_bool("metrics.enabled", &v))
        .transpose()?;
    let metrics = raw
        .metrics
        .validate(metrics_enabled, env("DIRGATE_METRICS_TOKEN"))
        .map_err(|(key, m)| invalid(key, m))?;
    let policy = crate::directory::acl::Policy {
        anonymous_read: raw
            .ldap
            .anonymous_read
            .unwrap_or(false)
            .then_some(crate::directory::model::Scope::Server),
    };
    Ok(Config {
        notify: raw.notify.validate().map_err(|(key, m)| invalid(key, m))?,
        data_dir,
        base_dn,
        ldap: ldap_cfg,
        ldap_listen: parse_addr("ldap.listen", &ldap)?,
        ldaps_listen,
        tls,
        http_listen: parse_addr("http.listen", &http)?,
        http_max_connections: raw
            .http
            .max_connections
            .unwrap_or(DEFAULT_HTTP_MAX_CONNECTIONS),
        http_max_connections_per_address: raw
            .http
            .max_connections_per_address
            .unwrap_or(DEFAULT_MAX_CONNECTIONS_PER_ADDRESS),
        http_timeouts: http_timeouts(&raw.http),
        http_tls,
        first_id_number: raw.ids.first_number.unwrap_or(DEFAULT_FIRST_ID_NUMBER),
        directory: Settings {
            require_suffix,
            hash,
            policy,
            lockout: lockout_policy(&raw.lockout),
            self_service: self_service(&raw.users)?,
            audit_retention_days: raw
                .audit
                .retention_days
                .unwrap_or(core_defaults.audit_retention_days),
            rehash_on_login: match env("DIRGATE_PASSWORDS_REHASH_ON_LOGIN") {
                Some(v) => parse_bool("passwords.rehash_on_login", &v)?,
                None => raw.passwords.rehash_on_login.unwrap_or(true),
            },
            posix: posix_defaults(&raw.posix)?,
            hash_workers,
            hash_queue: raw.passwords.hash_queue.unwrap_or(core_defaults.hash_queue),
            ..core_defaults
        },
        import,
        scim: raw.scim.validate(),
        metrics,
        backup: raw.backup.validate().map_err(|(key, m)| invalid(key, m))?,
    })
}

fn pick(env: Option<String>, file: Option<String>, default: &str) -> String {
    env.or(file).unwrap_or_else(|| default.to_owned())
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

fn parse_bool(key: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(invalid(key, format!("'{value}' is not true or false"))),
    }
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
