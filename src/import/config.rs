//! The `[import]` section of the configuration: its keys as written (unknown
//! keys refused, like every section) and the validated [`ImportConfig`] the
//! import service runs with. `crate::config` embeds the section and reports
//! its errors under the key named here.

use super::read::Limits;
use crate::directory::model::Lifecycle;
use serde::Deserialize;
use std::time::Duration;

/// The `[import]` settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportConfig {
    /// `import.max_rows` and `import.max_bytes`.
    pub limits: Limits,
    /// How long a preview is kept for its confirm (`import.preview_ttl_secs`).
    pub preview_ttl: Duration,
    /// State of the users an import creates (`import.created_state`).
    pub created_state: Lifecycle,
    /// Most memory one actor's previews may hold while they wait for a
    /// confirm (`import.max_preview_bytes_per_actor`).
    pub max_preview_bytes_per_actor: usize,
    /// Most memory all previews may hold (`import.max_preview_bytes_total`).
    pub max_preview_bytes_total: usize,
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig {
            limits: Limits::default(),
            preview_ttl: Duration::from_secs(3600),
            created_state: Lifecycle::Provisioned,
            // A preview of 10,000 ordinary rows holds about 6 MB; one whose
            // cells hold max_bytes (16 MiB) of text, twice that text and more.
            max_preview_bytes_per_actor: 64 << 20,
            max_preview_bytes_total: 256 << 20,
        }
    }
}

/// The section as written; every key optional.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ImportSection {
    max_rows: Option<usize>,
    max_bytes: Option<usize>,
    preview_ttl_secs: Option<u64>,
    created_state: Option<String>,
    max_preview_bytes_per_actor: Option<usize>,
    max_preview_bytes_total: Option<usize>,
}

impl ImportSection {
    /// The settings, or the key at fault and what to fix.
    pub(crate) fn validate(&self) -> Result<ImportConfig, (&'static str, String)> {
        let d = ImportConfig::default();
        let limits = Limits {
            max_rows: self.max_rows.unwrap_or(d.limits.max_rows),
            max_bytes: self.max_bytes.unwrap_or(d.limits.max_bytes),
        };
        if limits.max_rows == 0 {
            return Err(("import.max_rows", "must be above 0".into()));
        }
        if limits.max_bytes == 0 {
            return Err(("import.max_bytes", "must be above 0".into()));
        }
        if self.preview_ttl_secs == Some(0) {
            let why = "must be above 0: a preview must live long enough to be confirmed";
            return Err(("import.preview_ttl_secs", why.into()));
        }
        let (per_actor, total) = self.preview_caps(&d)?;
        Ok(ImportConfig {
            limits,
            preview_ttl: self
                .preview_ttl_secs
                .map_or(d.preview_ttl, Duration::from_secs),
            created_state: self.created_state()?,
            max_preview_bytes_per_actor: per_actor,
            max_preview_bytes_total: total,
        })
    }

    /// The memory caps of kept previews: above 0, one actor's no larger
    /// than all of them.
    fn preview_caps(&self, d: &ImportConfig) -> Result<(usize, usize), (&'static str, String)> {
        let per_actor = self
            .max_preview_bytes_per_actor
            .unwrap_or(d.max_preview_bytes_per_actor);
        let total = self
            .max_preview_bytes_total
            .unwrap_or(d.max_preview_bytes_total);
        if per_actor == 0 {
            return Err((
                "import.max_preview_bytes_per_actor",
                "must be above 0".into(),
            ));
        }
        if total < per_actor {
            let why = format!("must be at least import.max_preview_bytes_per_actor ({per_actor})");
            return Err(("import.max_preview_bytes_total", why));
        }
        Ok((per_actor, total))
    }

    /// Only the two states an account may start in: provisioned (it then
    /// registers) or active (the file's source is trusted).
    fn created_state(&self) -> Result<Lifecycle, (&'static str, String)> {
        let Some(s) = self.created_state.as_deref() else {
            return Ok(Lifecycle::Provisioned);
        };
        match Lifecycle::parse(s) {
            Some(state @ (Lifecycle::Provisioned | Lifecycle::Active)) => Ok(state),
            _ => Err((
                "import.created_state",
                format!("'{s}' is not provisioned or active"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn import_section() {
        let c = Config::from_str_with_env("", &no_env).unwrap();
        assert_eq!(c.import.limits.max_rows, 10_000);
        assert_eq!(c.import.created_state, Lifecycle::Provisioned);
        let text = "[import]\nmax_rows = 5\nmax_bytes = 100\npreview_ttl_secs = 60\ncreated_state = \"Active\"\n";
        let c = Config::from_str_with_env(text, &no_env).unwrap();
        assert_eq!(c.import.limits.max_rows, 5);
        assert_eq!(c.import.limits.max_bytes, 100);
        assert_eq!(c.import.preview_ttl, Duration::from_secs(60));
        assert_eq!(c.import.created_state, Lifecycle::Active);
        let err = Config::from_str_with_env("[import]\ncreated_state = \"disabled\"\n", &no_env)
            .unwrap_err();
        assert!(err.to_string().starts_with("import.created_state"), "{err}");
        let err =
            Config::from_str_with_env("[import]\npreview_ttl_secs = 0\n", &no_env).unwrap_err();
        assert!(
            err.to_string().starts_with("import.preview_ttl_secs"),
            "{err}"
        );
        assert_eq!(c.import.max_preview_bytes_per_actor, 64 << 20);
        let text = "[import]\nmax_preview_bytes_per_actor = 10\nmax_preview_bytes_total = 20\n";
        let c = Config::from_str_with_env(text, &no_env).unwrap();
        assert_eq!(
            (
                c.import.max_preview_bytes_per_actor,
                c.import.max_preview_bytes_total
            ),
            (10, 20)
        );
        let text = "[import]\nmax_preview_bytes_per_actor = 30\nmax_preview_bytes_total = 20\n";
        let err = Config::from_str_with_env(text, &no_env).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("import.max_preview_bytes_total"),
            "{err}"
        );
        let err = Config::from_str_with_env("[import]\nmax_row = 5\n", &no_env).unwrap_err();
        assert!(err.to_string().contains("max_row"), "{err}");
    }
}
