//! The `[metrics]` section: whether `/metrics` is served, and the bearer
//! token a scraper must present (none: open, as Prometheus endpoints
//! usually are on a private network; the figures hold no names and no
//! secrets). `DIRGATE_METRICS_ENABLED` and `DIRGATE_METRICS_TOKEN` override
//! the file, as every key does (`config::env`).

use serde::Deserialize;

/// The shortest token accepted: a guessable one would be no lock at all.
const MIN_TOKEN: usize = 16;

/// `[metrics]` as written.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsSection {
    enabled: Option<bool>,
    token: Option<String>,
    /// A listener of its own for `/metrics` (address:port); unset: the HTTP
    /// listener serves it.
    listen: Option<String>,
}

/// `[metrics]`, validated.
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsConfig {
    pub enabled: bool,
    /// Served on a listener of its own (and not on the HTTP listener).
    pub listen: Option<std::net::SocketAddr>,
    /// `Authorization: Bearer <token>` a scrape must carry.
    pub token: Option<String>,
}

impl std::fmt::Debug for MetricsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsConfig")
            .field("enabled", &self.enabled)
            .field("listen", &self.listen)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            enabled: true,
            listen: None,
            token: None,
        }
    }
}

impl MetricsSection {
    /// The section validated; `Err` names the key and what is wrong.
    pub fn validate(&self) -> Result<MetricsConfig, (&'static str, String)> {
        let token = self.token.clone().filter(|t| !t.is_empty());
        if let Some(t) = &token
            && t.len() < MIN_TOKEN
        {
            return Err((
                "metrics.token",
                format!("must be at least {MIN_TOKEN} characters"),
            ));
        }
        Ok(MetricsConfig {
            enabled: self.enabled.unwrap_or(true),
            listen: self
                .listen
                .as_deref()
                .map(|a| {
                    a.parse().map_err(|_| {
                        (
                            "metrics.listen",
                            format!("'{a}' is not an address:port such as 127.0.0.1:9464"),
                        )
                    })
                })
                .transpose()?,
            token,
        })
    }
}
