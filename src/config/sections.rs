//! One section of the configuration each: the `[posix]` defaults, the
//! self-service fields, password hashing, the lockout policy, the LDAP listener's
//! settings and the HTTP timeouts, validated from their raw TOML shapes.

use super::raw::*;
use super::{
    ConfigError, DEFAULT_HTTP_BODY_TIMEOUT_SECS, DEFAULT_HTTP_HEADER_TIMEOUT_SECS, LdapConfig,
};
use crate::directory::PosixDefaults;
use crate::directory::password::HashParams;
use crate::directory::users::ProfileField;
use std::time::Duration;

pub(super) fn posix_defaults(raw: &RawPosix) -> Result<PosixDefaults, ConfigError> {
    let d = PosixDefaults::default();
    let home_directory = raw.home_directory.clone().unwrap_or(d.home_directory);
    if !home_directory.starts_with('/') {
        return Err(ConfigError::Invalid {
            key: "posix.home_directory",
            message: "must be an absolute path (\"{login}\" stands for the login)".into(),
        });
    }
    let login_shell = match &raw.login_shell {
        None => d.login_shell,
        Some(s) if s.is_empty() => None,
        Some(s) => Some(s.clone()),
    };
    Ok(PosixDefaults {
        home_directory,
        login_shell,
        private_groups: raw.user_private_groups.unwrap_or(d.private_groups),
    })
}

pub(super) fn self_service(raw: &RawUsers) -> Result<Vec<ProfileField>, ConfigError> {
    let Some(names) = &raw.self_service else {
        return Ok(ProfileField::DEFAULT_SELF_SERVICE.to_vec());
    };
    names
        .iter()
        .map(|n| {
            ProfileField::parse(n).ok_or_else(|| ConfigError::Invalid {
                key: "users.self_service",
                message: format!(
                    "unknown field '{n}'; use email, given_name, family_name or display_name"
                ),
            })
        })
        .collect()
}

/// `[passwords]`: argon2id's cost, and the threads it runs on.
pub(super) fn password_hashing(raw: &RawPasswords) -> Result<(HashParams, usize), ConfigError> {
    let d = HashParams::default();
    let hash = HashParams {
        memory_kib: raw.argon2_memory_kib.unwrap_or(d.memory_kib),
        iterations: raw.argon2_iterations.unwrap_or(d.iterations),
        parallelism: raw.argon2_parallelism.unwrap_or(d.parallelism),
    };
    hash.validate().map_err(|e| ConfigError::Invalid {
        key: "passwords",
        message: e.to_string(),
    })?;
    let workers = raw
        .hash_workers
        .unwrap_or(crate::directory::Settings::default().hash_workers);
    if workers == 0 {
        return Err(ConfigError::Invalid {
            key: "passwords.hash_workers",
            message: "must be at least 1 (argon2id checks run on these threads)".into(),
        });
    }
    Ok((hash, workers))
}

pub(super) fn lockout_policy(raw: &RawLockout) -> crate::directory::LockoutPolicy {
    let d = crate::directory::LockoutPolicy::default();
    let millis =
        |secs: Option<u64>, default| secs.map_or(default, |s| (s.saturating_mul(1000)) as i64);
    crate::directory::LockoutPolicy {
        threshold: raw.threshold.unwrap_or(d.threshold),
        window: millis(raw.window_secs, d.window),
        duration: millis(raw.duration_secs, d.duration),
    }
}

pub(super) fn ldap_config(raw: &RawLdap) -> LdapConfig {
    let d = LdapConfig::default();
    LdapConfig {
        require_tls: raw.require_tls.unwrap_or(d.require_tls),
        tls_configured: false,
        max_message_bytes: raw.max_message_bytes.unwrap_or(d.max_message_bytes),
        max_connections: raw.max_connections.unwrap_or(d.max_connections),
        max_connections_per_address: raw
            .max_connections_per_address
            .unwrap_or(d.max_connections_per_address),
        idle_timeout: raw
            .idle_timeout_secs
            .map_or(d.idle_timeout, Duration::from_secs),
        unbound_idle_timeout: raw
            .unbound_idle_timeout_secs
            .map_or(d.unbound_idle_timeout, Duration::from_secs),
        size_limit: raw.size_limit.unwrap_or(d.size_limit),
        time_limit: raw
            .time_limit_secs
            .map_or(d.time_limit, Duration::from_secs),
        sort_limit: raw.sort_limit.unwrap_or(d.sort_limit),
        max_paged_cursors: raw.max_paged_cursors.unwrap_or(d.max_paged_cursors),
    }
}

pub(super) fn http_timeouts(raw: &RawListen) -> crate::http::serve::Timeouts {
    let secs = |v: Option<u64>, default| Duration::from_secs(v.unwrap_or(default));
    crate::http::serve::Timeouts {
        header: secs(raw.header_timeout_secs, DEFAULT_HTTP_HEADER_TIMEOUT_SECS),
        body: secs(raw.body_timeout_secs, DEFAULT_HTTP_BODY_TIMEOUT_SECS),
    }
}
