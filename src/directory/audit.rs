//! Audit events: one record per change, refusal, and password check, kept in the
//! store's append-only change log. The sequence number the store assigns is also
//! the version (ETag source) of whatever the change touched.

use crate::directory::model::Millis;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Which surface a request came through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Ldap,
    Scim,
    Admin,
    /// The web console (a signed-in browser).
    Console,
    Import,
    Internal,
}

/// Where a request came from: the audit trail records both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub protocol: Protocol,
    /// The client's address, when there is one.
    pub source: Option<String>,
}

impl Origin {
    pub fn internal() -> Origin {
        Origin {
            protocol: Protocol::Internal,
            source: None,
        }
    }
}

/// How the attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
    /// Refused by the policy.
    Denied,
    /// Failed for another reason (bad credentials, invalid input).
    Failure,
}

/// One line of the audit trail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Assigned by the store when the event is appended.
    pub seq: u64,
    pub time: Millis,
    pub actor: String,
    #[serde(default)]
    pub actor_id: Option<Uuid>,
    /// Dotted verb such as `user.create`, `org.delete`, `bind`.
    pub action: String,
    /// What was acted on, as people name it (a login, an organization name).
    pub target: String,
    #[serde(default)]
    pub target_id: Option<Uuid>,
    /// The organization the target belongs to, if any.
    #[serde(default)]
    pub org: Option<Uuid>,
    pub protocol: Protocol,
    #[serde(default)]
    pub source: Option<String>,
    pub outcome: Outcome,
    #[serde(default)]
    pub detail: Option<String>,
}
