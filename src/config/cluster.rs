//! The `[cluster]` section: with it the node joins a server set (issue 14):
//! `etcd_endpoints` (client URLs of the etcd members), `prefix` (the set's
//! keys in etcd; several sets may share one etcd), `node_name` (this node in
//! logs; default the host name), `timeout_secs` (one etcd call) and
//! `max_staleness_secs` (how long a node out of step with the set still
//! answers reads; 0: always), `advertise_url` (where peers reach this
//! node's HTTP listener for a snapshot; default from the listener),
//! `compact_every_secs` (how often the node compacts etcd's history up to
//! what every node holds; 0: never, leave it to etcd) and
//! `forget_after_secs` (a node silent that long no longer holds compaction
//! back), and for etcd members that speak TLS `ca_file` (trusted instead of
//! the public roots, also for peers' https listeners) and
//! `cert_file`/`key_file` (a client certificate, for etcd's
//! `--client-cert-auth`), and `consistent_reads` (each request first waits
//! until the node holds every write acknowledged anywhere before it came).
//! Without it dirgate runs as a single node.
//! Defaults and validation live here.

use serde::Deserialize;
use std::time::Duration;

const DEFAULT_PREFIX: &str = "/dirgate";
const DEFAULT_TIMEOUT_SECS: u64 = 5;
const DEFAULT_MAX_STALENESS_SECS: u64 = 30;
const DEFAULT_COMPACT_EVERY_SECS: u64 = 300;
const DEFAULT_FORGET_AFTER_SECS: u64 = 86_400;

/// `[cluster]` as written.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ClusterSection {
    etcd_endpoints: Option<Vec<String>>,
    prefix: Option<String>,
    node_name: Option<String>,
    timeout_secs: Option<u64>,
    max_staleness_secs: Option<u64>,
    advertise_url: Option<String>,
    compact_every_secs: Option<u64>,
    forget_after_secs: Option<u64>,
    ca_file: Option<std::path::PathBuf>,
    cert_file: Option<std::path::PathBuf>,
    key_file: Option<std::path::PathBuf>,
    consistent_reads: Option<bool>,
}

/// `[cluster]`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterConfig {
    pub etcd_endpoints: Vec<String>,
    pub prefix: String,
    pub node_name: String,
    pub timeout: Duration,
    /// Zero: reads are answered however stale.
    pub max_staleness: Duration,
    /// `None`: derived from the HTTP listener.
    pub advertise_url: Option<String>,
    /// Zero: never.
    pub compact_every: Duration,
    pub forget_after: Duration,
    /// PEM: the CA trusted for etcd and peers (none: the public roots).
    pub ca_file: Option<std::path::PathBuf>,
    /// PEM: the client certificate chain and key presented to etcd.
    pub identity: Option<(std::path::PathBuf, std::path::PathBuf)>,
    /// Each request first waits for the log's head (one etcd call, shared).
    pub consistent_reads: bool,
}

impl ClusterSection {
    /// `None` without endpoints: a single node.
    pub fn validate(&self) -> Result<Option<ClusterConfig>, (&'static str, String)> {
        let endpoints = self.etcd_endpoints.clone().unwrap_or_default();
        if endpoints.is_empty() {
            if self.prefix.is_some() || self.node_name.is_some() {
                return Err((
                    "cluster.etcd_endpoints",
                    "a [cluster] needs the etcd members' client URLs".into(),
                ));
            }
            return Ok(None);
        }
        if let Some(bad) = endpoints
            .iter()
            .find(|e| !(e.starts_with("http://") || e.starts_with("https://")))
        {
            return Err((
                "cluster.etcd_endpoints",
                format!("'{bad}' is not an http:// or https:// URL"),
            ));
        }
        let prefix = self.prefix.clone().unwrap_or_else(|| DEFAULT_PREFIX.into());
        if !prefix.starts_with('/') {
            return Err(("cluster.prefix", format!("'{prefix}' must start with /")));
        }
        let timeout = Duration::from_secs(self.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS));
        if timeout.is_zero() {
            return Err(("cluster.timeout_secs", "must be at least 1".into()));
        }
        let advertise_url = self
            .advertise_url
            .as_ref()
            .map(|u| u.trim_end_matches('/').to_owned());
        if let Some(bad) = advertise_url
            .as_ref()
            .filter(|u| !(u.starts_with("http://") || u.starts_with("https://")))
        {
            return Err((
                "cluster.advertise_url",
                format!("'{bad}' is not an http:// or https:// URL"),
            ));
        }
        let forget_after =
            Duration::from_secs(self.forget_after_secs.unwrap_or(DEFAULT_FORGET_AFTER_SECS));
        if forget_after < Duration::from_secs(3) {
            return Err(("cluster.forget_after_secs", "must be at least 3".into()));
        }
        let identity = match (&self.cert_file, &self.key_file) {
            (Some(c), Some(k)) => Some((c.clone(), k.clone())),
            (None, None) => None,
            _ => {
                return Err((
                    "cluster.cert_file",
                    "cert_file and key_file go together: set both or neither".into(),
                ));
            }
        };
        let node_name = self.node_name.clone().unwrap_or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .map(|h| h.trim().to_owned())
                .unwrap_or_else(|_| "dirgate".into())
        });
        Ok(Some(ClusterConfig {
            etcd_endpoints: endpoints
                .into_iter()
                .map(|e| e.trim_end_matches('/').to_owned())
                .collect(),
            prefix,
            node_name,
            timeout,
            max_staleness: Duration::from_secs(
                self.max_staleness_secs
                    .unwrap_or(DEFAULT_MAX_STALENESS_SECS),
            ),
            advertise_url,
            compact_every: Duration::from_secs(
                self.compact_every_secs
                    .unwrap_or(DEFAULT_COMPACT_EVERY_SECS),
            ),
            forget_after,
            ca_file: self.ca_file.clone(),
            identity,
            consistent_reads: self.consistent_reads.unwrap_or(false),
        }))
    }
}
