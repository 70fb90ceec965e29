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
    pub formatted_name: Option<String>,
    pub middle_name: Option<String>,
    pub honorific_prefix: Option<String>,
    pub honorific_suffix: Option<String>,
    pub nick_name: Option<String>,
    pub title: Option<String>,
    pub user_type: Option<String>,
    pub preferred_language: Option<String>,
    pub locale: Option<String>,
    pub timezone: Option<String>,
    pub profile_url: Option<String>,
    /// Every email address; the user's indexed `email` is the primary one.
    pub emails: Vec<Contact>,
    pub phone_numbers: Vec<Contact>,
    pub addresses: Vec<Address>,
    pub employee_number: Option<String>,
    pub cost_center: Option<String>,
    /// The organization's name as the identity provider wrote it.
    pub organization: Option<String>,
    pub division: Option<String>,
    pub department: Option<String>,
    /// The manager: an id the identity provider knows, and its display name.
    pub manager_id: Option<String>,
    pub manager_name: Option<String>,
    /// The manager's URI as the identity provider sent it.
    pub manager_ref: Option<String>,
    /// Boolean attributes (`active`, account flags) the identity provider
    /// removed: shown as unassigned until it sets them again. The account's
    /// state and flags themselves keep their values.
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
