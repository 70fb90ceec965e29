//! The effective configuration as TOML (`dirgate check-config`): what the
//! daemon would run with after the file, the environment and the defaults,
//! in the file's own sections and keys, so that it can be read next to the
//! file or saved as one. Secrets are masked: the metrics token, the webhook
//! secret, the SMTP password, and any user and password written into the
//! webhook's URL.

use super::Config;
use std::time::Duration;
use toml::{Table, Value};

/// A day in milliseconds, for the policy's periods.
const DAY_MS: i64 = 24 * 3600 * 1000;

/// `user:password@` in a URL replaced by `***@`.
fn mask_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host_end = rest.find('/').unwrap_or(rest.len());
    match rest[..host_end].rfind('@') {
        Some(at) if !scheme.is_empty() => format!("{scheme}://***@{}", &rest[at + 1..]),
        Some(at) => format!("***@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

fn int(n: impl TryInto<i64>) -> Value {
    Value::Integer(n.try_into().unwrap_or(i64::MAX))
}

fn secs(d: Duration) -> Value {
    int(d.as_secs())
}

fn text(s: impl Into<String>) -> Value {
    Value::String(s.into())
}

/// A section from its keys and values.
fn section(pairs: Vec<(&str, Value)>) -> Value {
    Value::Table(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

impl Config {
    /// The effective configuration as TOML, secrets masked.
    pub fn describe(&self) -> String {
        let l = &self.ldap;
        let d = &self.directory;
        let mut ldap = vec![
            ("listen", text(self.ldap_listen.to_string())),
            ("require_tls", Value::Boolean(l.require_tls)),
            (
                "anonymous_read",
                Value::Boolean(d.policy.anonymous_read.is_some()),
            ),
            ("max_message_bytes", int(l.max_message_bytes)),
            ("max_connections", int(l.max_connections)),
            (
                "max_connections_per_address",
                int(l.max_connections_per_address),
            ),
            ("idle_timeout_secs", secs(l.idle_timeout)),
            ("unbound_idle_timeout_secs", secs(l.unbound_idle_timeout)),
            ("size_limit", int(l.size_limit)),
            ("time_limit_secs", secs(l.time_limit)),
            ("sort_limit", int(l.sort_limit)),
            ("max_paged_cursors", int(l.max_paged_cursors)),
        ];
        if let Some(a) = self.ldaps_listen {
            ldap.push(("ldaps_listen", text(a.to_string())));
        }
        if let Some((cert, key)) = &self.tls {
            ldap.push(("tls_cert", text(cert.display().to_string())));
            ldap.push(("tls_key", text(key.display().to_string())));
        }
        let notify = describe_notify(&self.notify);
        let mut metrics = vec![("enabled", Value::Boolean(self.metrics.enabled))];
        if let Some(a) = self.metrics.listen {
            metrics.push(("listen", text(a.to_string())));
        }
        if self.metrics.token.is_some() {
            metrics.push(("token", text("***")));
        }
        let i = &self.import;
        let mut top = Table::new();
        top.insert("data_dir".into(), text(self.data_dir.display().to_string()));
        top.insert("base_dn".into(), text(self.base_dn.to_string()));
        for (name, value) in [
            ("ldap", section(ldap)),
            (
                "http",
                section(vec![
                    ("listen", text(self.http_listen.to_string())),
                    ("tls", Value::Boolean(self.http_tls)),
                    ("max_connections", int(self.http_max_connections)),
                    (
                        "max_connections_per_address",
                        int(self.http_max_connections_per_address),
                    ),
                    ("header_timeout_secs", secs(self.http_timeouts.header)),
                    ("body_timeout_secs", secs(self.http_timeouts.body)),
                ]),
            ),
            (
                "logins",
                section(vec![("require_suffix", Value::Boolean(d.require_suffix))]),
            ),
            (
                "users",
                section(vec![(
                    "self_service",
                    Value::Array(d.self_service.iter().map(|f| text(f.as_str())).collect()),
                )]),
            ),
            (
                "passwords",
                section(vec![
                    ("argon2_memory_kib", int(d.hash.memory_kib)),
                    ("argon2_iterations", int(d.hash.iterations)),
                    ("argon2_parallelism", int(d.hash.parallelism)),
                    ("rehash_on_login", Value::Boolean(d.rehash_on_login)),
                    ("hash_workers", int(d.hash_workers)),
                    ("hash_queue", int(d.hash_queue)),
                ]),
            ),
            (
                "lockout",
                section(vec![
                    ("threshold", int(d.lockout.threshold)),
                    ("window_secs", int(d.lockout.window / 1000)),
                    ("duration_secs", int(d.lockout.duration / 1000)),
                ]),
            ),
            (
                "audit",
                section(vec![("retention_days", int(d.audit_retention_days))]),
            ),
            (
                "password_policy",
                section(vec![
                    ("min_length", int(d.password_policy.min_length)),
                    ("min_classes", int(d.password_policy.min_classes)),
                    (
                        "reject_names",
                        Value::Boolean(d.password_policy.reject_names),
                    ),
                    ("history", int(d.password_policy.history)),
                    ("max_age_days", int(d.password_policy.max_age / DAY_MS)),
                    ("warn_days", int(d.password_policy.warn / DAY_MS)),
                    ("grace_logins", int(d.password_policy.grace_logins)),
                    (
                        "mailed_reset",
                        Value::Boolean(d.password_policy.mailed_reset),
                    ),
                    (
                        "require_second_factor",
                        Value::Boolean(d.password_policy.require_second_factor),
                    ),
                ]),
            ),
            (
                "applications",
                section(vec![(
                    "request_expiry_hours",
                    int(d.request_ttl / 3600 / 1000),
                )]),
            ),
            (
                "ids",
                section(vec![("first_number", int(self.first_id_number))]),
            ),
            (
                "store",
                // Unset, the cache is sized when the store opens: no key.
                section(
                    self.store_cache_bytes
                        .map(|b| ("cache_mb", int(b >> 20)))
                        .into_iter()
                        .collect(),
                ),
            ),
            (
                "posix",
                section(vec![
                    ("home_directory", text(d.posix.home_directory.clone())),
                    (
                        "login_shell",
                        text(d.posix.login_shell.clone().unwrap_or_default()),
                    ),
                    (
                        "user_private_groups",
                        Value::Boolean(d.posix.private_groups),
                    ),
                ]),
            ),
            (
                "import",
                section(vec![
                    ("max_rows", int(i.limits.max_rows)),
                    ("max_bytes", int(i.limits.max_bytes)),
                    ("preview_ttl_secs", secs(i.preview_ttl)),
                    ("created_state", text(i.created_state.as_str())),
                    (
                        "max_preview_bytes_per_actor",
                        int(i.max_preview_bytes_per_actor),
                    ),
                    ("max_preview_bytes_total", int(i.max_preview_bytes_total)),
                ]),
            ),
            (
                "scim",
                section(vec![(
                    "max_filter_matches",
                    int(self.scim.max_filter_matches.unwrap_or(0)),
                )]),
            ),
            ("notify", section(notify)),
            ("metrics", section(metrics)),
            ("backup", section(describe_backup(&self.backup))),
            ("cluster", section(describe_cluster(self.cluster.as_ref()))),
        ] {
            top.insert(name.to_owned(), value);
        }
        toml::to_string(&top).unwrap_or_default()
    }
}

/// `[cluster]` (empty for a single node).
fn describe_cluster(c: Option<&super::ClusterConfig>) -> Vec<(&'static str, Value)> {
    let Some(c) = c else {
        return Vec::new();
    };
    vec![
        (
            "etcd_endpoints",
            Value::Array(c.etcd_endpoints.iter().map(|e| text(e.clone())).collect()),
        ),
        ("prefix", text(c.prefix.clone())),
        ("node_name", text(c.node_name.clone())),
        ("timeout_secs", secs(c.timeout)),
    ]
}

/// `[backup]`.
fn describe_backup(b: &super::BackupConfig) -> Vec<(&'static str, Value)> {
    let mut out = vec![
        ("interval_minutes", int(b.interval.as_secs() / 60)),
        ("keep", int(b.keep)),
    ];
    if let Some(dir) = &b.dir {
        out.push(("dir", text(dir.display().to_string())));
    }
    out
}

/// `[notify]`; the webhook secret and the SMTP password masked.
fn describe_notify(n: &super::NotifyConfig) -> Vec<(&'static str, Value)> {
    let o = &n.outbox;
    let hours = |ms: i64| int(ms / (3600 * 1000));
    let mut out = vec![
        ("timeout_secs", secs(n.timeout)),
        ("expire_after_hours", hours(o.expire_after)),
        ("keep_days", int(o.keep / (24 * 3600 * 1000))),
    ];
    if let Some(m) = o.max_attempts {
        out.push(("retries", int(m.saturating_sub(1))));
    }
    if let Some(ca) = &n.ca_file {
        out.push(("ca_file", text(ca.display().to_string())));
    }
    if let Some(w) = &n.webhook {
        out.push(("webhook", text(mask_userinfo(&w.url))));
        if w.secret.is_some() {
            out.push(("webhook_secret", text("***")));
        }
    }
    if let Some(s) = &n.smtp {
        out.push(("smtp", text(format!("{}:{}", s.host, s.port))));
        out.push(("smtp_security", text(s.security.as_str())));
        out.push(("smtp_from", text(s.from.clone())));
        if let Some((user, _)) = &s.credentials {
            out.push(("smtp_user", text(user.clone())));
            out.push(("smtp_password", text("***")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_urls_are_masked() {
        assert_eq!(
            mask_userinfo("smtp://user:pw@mail.example.com:587"),
            "smtp://***@mail.example.com:587"
        );
        assert_eq!(mask_userinfo("mail.example.com:25"), "mail.example.com:25");
        assert_eq!(
            mask_userinfo("http://hooks.example.com/a@b"),
            "http://hooks.example.com/a@b"
        );
    }
}
