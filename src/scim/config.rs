//! The `[scim]` section of the configuration: the SCIM front end's own limits,
//! read by `config.rs` (which refuses unknown keys here too) and handed to the
//! router as a request extension (see `server.rs`).
//!
//! `max_filter_matches` is where a filtered list or search answers 400
//! `tooMany` (RFC 7644 §3.12: "the specified filter yields many more results
//! than the server is willing to calculate or process"). Only requests with a
//! filter are refused: an unfiltered list is how Okta and Entra ID page through
//! everything, and `count` already caps every page at `filter.maxResults`.

use serde::Deserialize;

/// The most resources a filter may match before the request is refused; the
/// same default as LDAP's `size_limit`, so both protocols stop at one bound.
pub const DEFAULT_MAX_FILTER_MATCHES: usize = 10_000;

/// `[scim]` as written.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ScimSection {
    /// 0 = no limit.
    max_filter_matches: Option<usize>,
}

/// The SCIM front end's settings, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScimConfig {
    /// A filter matching more resources than this answers `tooMany`; `None`
    /// (configured as 0) never refuses.
    pub max_filter_matches: Option<usize>,
}

impl Default for ScimConfig {
    fn default() -> Self {
        ScimConfig {
            max_filter_matches: Some(DEFAULT_MAX_FILTER_MATCHES),
        }
    }
}

impl ScimSection {
    /// Every value is acceptable; 0 turns the limit off.
    pub fn validate(&self) -> ScimConfig {
        let max = self
            .max_filter_matches
            .unwrap_or(DEFAULT_MAX_FILTER_MATCHES);
        ScimConfig {
            max_filter_matches: (max > 0).then_some(max),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    fn max(text: &str) -> Option<usize> {
        Config::from_str_with_env(text, &|_| None)
            .unwrap()
            .scim
            .max_filter_matches
    }

    #[test]
    fn the_limit_defaults_to_ldap_size_limit_and_zero_turns_it_off() {
        assert_eq!(max(""), Some(10_000));
        assert_eq!(max("[scim]\nmax_filter_matches = 50\n"), Some(50));
        assert_eq!(max("[scim]\nmax_filter_matches = 0\n"), None);
        let err = Config::from_str_with_env("[scim]\nmax_matches = 1\n", &|_| None).unwrap_err();
        assert!(err.to_string().contains("max_matches"), "{err}");
    }
}
