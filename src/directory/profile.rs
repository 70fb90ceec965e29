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
    /// Every email address; the user's indexed `email` is the primary one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<Contact>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<Contact>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
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

/// One email address or phone number with its label.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    pub value: String,
    /// `work`, `home`, `mobile`, … as sent.
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
