//! A person's descriptive profile beyond the login and the primary name fields:
//! what identity providers push over SCIM (RFC 7643 §4.1 and the enterprise
//! extension §4.3) — nick name, title, all email addresses, phone numbers, postal
//! addresses, employee details and the manager. Plain data kept inside the user
//! record with a serde default, so records written before it existed still load.
//! Holds no access rule and imports no protocol crate.

use serde::{Deserialize, Serialize};

/// Everything descriptive about a person that the core does not interpret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    /// The full name as it should be displayed (`name.formatted`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formatted_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honorific_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honorific_suffix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_url: Option<String>,
    /// What follows the URL in LDAP's first `labeledURI` value, as written
    /// (the spaces before the label included): SCIM's `profileUrl` is the
    /// URL alone, and LDAP reads back the value it wrote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_url_label: Option<String>,
    /// Every email address; the user's indexed `email` is the primary one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<Contact>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<Contact>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    /// Pictures of the person, as URLs (RFC 7643 `photos`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<Contact>,
    /// Instant-messaging addresses (RFC 7643 `ims`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ims: Vec<Contact>,
    /// Entitlements as the identity provider names them (RFC 7643
    /// `entitlements`): data for applications, not dirgate rights.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entitlements: Vec<Contact>,
    /// RFC 7643's `roles`: labels from the identity provider ("Admin",
    /// "Sales"), plain data. dirgate's own roles are groups, not these.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub idp_roles: Vec<Contact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_center: Option<String>,
    /// The organization's name as the identity provider wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The manager: an id the identity provider knows, and its display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager_name: Option<String>,
    /// The manager's URI as the identity provider sent it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager_ref: Option<String>,
    /// Boolean attributes (`active`, account flags) the identity provider
    /// removed: shown as unassigned until it sets them again. The account's
    /// state and flags themselves keep their values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unassigned: Vec<String>,
}

/// One value of a multi-valued SCIM attribute with its label: an email
/// address, a phone number, a photo's URL, an instant-messaging address, an
/// entitlement or a role.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    pub value: String,
    /// `work`, `home`, `mobile`, `photo`, … as sent.
    pub kind: Option<String>,
    pub display: Option<String>,
    /// `None` when the sender did not say.
    pub primary: Option<bool>,
}

/// A postal address (RFC 7643 §4.1.2 `addresses`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    pub formatted: Option<String>,
    pub street_address: Option<String>,
    pub locality: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub kind: Option<String>,
    pub primary: Option<bool>,
}

impl Profile {
    /// Nothing set: the record then stores no profile at all (records are
    /// read on every bind; an empty profile would cost a decode of ~20 keys).
    pub fn is_empty(&self) -> bool {
        *self == Profile::default()
    }

    /// The addresses set to `values` (LDAP's `mail`, the first one primary),
    /// keeping the type and display of every address already known. One
    /// address and no typed list before stays a plain `email` with no list.
    pub fn with_addresses(&self, values: &[String]) -> Profile {
        let mut p = self.clone();
        if values.len() <= 1 && self.emails.is_empty() {
            return p;
        }
        p.emails = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let known = self
                    .emails
                    .iter()
                    .find(|c| c.value.eq_ignore_ascii_case(v))
                    .cloned()
                    .unwrap_or_default();
                Contact {
                    value: v.clone(),
                    primary: if i == 0 {
                        Some(true)
                    } else {
                        known.primary.filter(|p| !p)
                    },
                    ..known
                }
            })
            .collect();
        p
    }

    /// The profile URL as LDAP's `labeledURI` shows it (RFC 2079: the URL,
    /// then the label LDAP wrote after it, if any).
    pub fn labeled_uri(&self) -> Option<String> {
        let url = self.profile_url.as_deref()?;
        Some(format!(
            "{url}{}",
            self.profile_url_label.as_deref().unwrap_or("")
        ))
    }

    /// Sets the profile URL from a `labeledURI` value: the URL is the text
    /// up to the first space, the label whatever follows (kept as written).
    pub fn set_labeled_uri(&mut self, value: Option<&str>) {
        let (url, label) = match value.map(|v| (v, v.find(' '))) {
            None => (None, None),
            // A value that starts with a space has no URL to split off:
            // kept whole, so that it reads back as written.
            Some((v, Some(at))) if at > 0 => (Some(&v[..at]), Some(&v[at..])),
            Some((v, _)) => (Some(v), None),
        };
        self.profile_url = url.map(str::to_owned);
        self.profile_url_label = label.map(str::to_owned);
    }

    /// This profile as a writer that knows only the URL (SCIM) wrote it
    /// over `old`: LDAP's label stays while the URL is the same.
    pub fn keeping_label_of(mut self, old: &Profile) -> Profile {
        if self.profile_url == old.profile_url {
            self.profile_url_label = old.profile_url_label.clone();
        }
        self
    }

    /// The address the user's indexed `email` should hold: the primary one,
    /// else the first.
    pub fn primary_email(&self) -> Option<&str> {
        self.emails
            .iter()
            .find(|c| c.primary == Some(true))
            .or_else(|| self.emails.first())
            .map(|c| c.value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_labeled_uri(v: &str) -> Profile {
        let mut p = Profile::default();
        p.set_labeled_uri(Some(v));
        p
    }

    #[test]
    fn a_labeled_uri_is_the_url_and_its_label_as_written() {
        let p = with_labeled_uri("https://x.example/~kim  Kim's page");
        assert_eq!(p.profile_url.as_deref(), Some("https://x.example/~kim"));
        assert_eq!(p.profile_url_label.as_deref(), Some("  Kim's page"));
        for v in [
            "https://x.example/~kim  Kim's page",
            "https://x.example",
            "https://x.example ",
            " lead",
        ] {
            assert_eq!(with_labeled_uri(v).labeled_uri().as_deref(), Some(v));
        }
        let mut p = with_labeled_uri("https://x.example Home");
        p.set_labeled_uri(None);
        assert_eq!(p, Profile::default());
    }

    #[test]
    fn the_label_stays_while_the_url_does() {
        let old = with_labeled_uri("https://x.example Home");
        let same = Profile {
            profile_url: Some("https://x.example".into()),
            ..Profile::default()
        };
        let kept = same.keeping_label_of(&old);
        assert_eq!(
            kept.labeled_uri().as_deref(),
            Some("https://x.example Home")
        );
        let other = Profile {
            profile_url: Some("https://y.example".into()),
            ..Profile::default()
        };
        assert_eq!(other.keeping_label_of(&old).profile_url_label, None);
    }
}
