//! The configuration file's shape as serde reads it: every key optional,
//! every section refusing keys it does not know. [`super::validate`] turns it
//! into the [`super::Config`] the daemon runs with.

use serde::Deserialize;
use std::path::PathBuf;

/// The file as written. Every section refuses keys it does not know.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawConfig {
    pub(super) data_dir: Option<PathBuf>,
    pub(super) base_dn: Option<String>,
    pub(super) ldap: RawLdap,
    pub(super) http: RawListen,
    pub(super) logins: RawLogins,
    pub(super) passwords: RawPasswords,
    pub(super) lockout: RawLockout,
    pub(super) ids: RawIds,
    pub(super) store: RawStore,
    pub(super) posix: RawPosix,
    pub(super) users: RawUsers,
    pub(super) audit: RawAudit,
    pub(super) applications: RawApplications,
    pub(super) password_policy: RawPasswordPolicy,
    pub(super) import: crate::import::config::ImportSection,
    pub(super) notify: super::notify::NotifySection,
    pub(super) scim: crate::scim::config::ScimSection,
    pub(super) metrics: crate::metrics::config::MetricsSection,
    pub(super) backup: super::backup::BackupSection,
    pub(super) cluster: super::cluster::ClusterSection,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawAudit {
    /// Days audit events are kept; 0 keeps them forever.
    pub(super) retention_days: Option<u32>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawPasswordPolicy {
    pub(super) min_length: Option<usize>,
    pub(super) min_classes: Option<usize>,
    pub(super) reject_names: Option<bool>,
    pub(super) history: Option<usize>,
    pub(super) max_age_days: Option<u32>,
    pub(super) warn_days: Option<u32>,
    pub(super) grace_logins: Option<u32>,
    pub(super) mailed_reset: Option<bool>,
    pub(super) require_second_factor: Option<bool>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawApplications {
    /// Hours an access request waits for a decision before it expires.
    pub(super) request_expiry_hours: Option<u32>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawUsers {
    /// Profile fields users may change on their own account.
    pub(super) self_service: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawLockout {
    pub(super) threshold: Option<u32>,
    pub(super) window_secs: Option<u64>,
    pub(super) duration_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawListen {
    pub(super) listen: Option<String>,
    pub(super) max_connections: Option<usize>,
    pub(super) max_connections_per_address: Option<usize>,
    pub(super) header_timeout_secs: Option<u64>,
    pub(super) body_timeout_secs: Option<u64>,
    pub(super) tls: Option<bool>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawLdap {
    pub(super) listen: Option<String>,
    pub(super) ldaps_listen: Option<String>,
    pub(super) tls_cert: Option<PathBuf>,
    pub(super) tls_key: Option<PathBuf>,
    pub(super) require_tls: Option<bool>,
    pub(super) anonymous_read: Option<bool>,
    pub(super) max_message_bytes: Option<usize>,
    pub(super) max_connections: Option<usize>,
    pub(super) max_connections_per_address: Option<usize>,
    pub(super) idle_timeout_secs: Option<u64>,
    pub(super) unbound_idle_timeout_secs: Option<u64>,
    pub(super) size_limit: Option<usize>,
    pub(super) time_limit_secs: Option<u64>,
    pub(super) sort_limit: Option<usize>,
    pub(super) max_paged_cursors: Option<usize>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawLogins {
    pub(super) require_suffix: Option<bool>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawPasswords {
    pub(super) argon2_memory_kib: Option<u32>,
    pub(super) argon2_iterations: Option<u32>,
    pub(super) argon2_parallelism: Option<u32>,
    pub(super) rehash_on_login: Option<bool>,
    pub(super) hash_workers: Option<usize>,
    pub(super) hash_queue: Option<usize>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawIds {
    pub(super) first_number: Option<u32>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawStore {
    /// Megabytes of store pages kept in memory (reads, and the write buffer
    /// of a large write).
    pub(super) cache_mb: Option<usize>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawPosix {
    pub(super) home_directory: Option<String>,
    /// An empty string shows no login shell.
    pub(super) login_shell: Option<String>,
    pub(super) user_private_groups: Option<bool>,
}
