//! The records of applications and access requests: plain data with serde
//! derives so the store can persist them. An application (Gitea, Grafana) is
//! given to users through roles that carry it; a user asks for one with an
//! access request, which an approver of its organization decides. The rules
//! live in `apps`; this module only holds the shapes. Imports no protocol
//! crate and no redb.

use super::model::{Member, Millis};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An application users get access to through roles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub id: Uuid,
    /// Unique among the applications of its owner ignoring case; the `cn`
    /// of its LDAP entry.
    pub name: String,
    /// The organization that owns it; `None`: server-wide, offered to every
    /// organization (each sets its own approvers and default role).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where its users sign in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The service account it binds with over LDAP, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Uuid>,
    /// The SCIM token it provisions with, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Uuid>,
    /// Whether users may ask for it.
    pub requestable: bool,
    /// Each organization's settings (sorted by organization, one each).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub orgs: Vec<AppInOrg>,
    pub created: Millis,
    pub modified: Millis,
    pub version: u64,
}

impl Application {
    /// The settings `org` made for this application (defaults when none).
    pub fn in_org(&self, org: Uuid) -> AppInOrg {
        self.orgs
            .iter()
            .find(|s| s.org == org)
            .cloned()
            .unwrap_or(AppInOrg {
                org,
                default_role: None,
                approvers: Vec::new(),
            })
    }

    /// Replaces `org`'s settings (dropping them when they are all defaults).
    pub fn set_in_org(&mut self, settings: AppInOrg) {
        self.orgs.retain(|s| s.org != settings.org);
        if settings.default_role.is_some() || !settings.approvers.is_empty() {
            self.orgs.push(settings);
            self.orgs.sort_by_key(|s| s.org);
        }
    }
}

/// What one organization decided for an application: the role an approval
/// puts the user in, and who besides its administrators approves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppInOrg {
    pub org: Uuid,
    /// A role of `org` that carries the application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_role: Option<Uuid>,
    /// Users of `org`, or roles of `org` whose members (nested ones
    /// included) approve.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<Member>,
}

/// Where an access request stands. Only `Pending` ones can change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestState {
    Pending,
    Approved,
    Rejected,
    Withdrawn,
    Expired,
}

impl RequestState {
    pub const ALL: [RequestState; 5] = [
        RequestState::Pending,
        RequestState::Approved,
        RequestState::Rejected,
        RequestState::Withdrawn,
        RequestState::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Pending => "pending",
            RequestState::Approved => "approved",
            RequestState::Rejected => "rejected",
            RequestState::Withdrawn => "withdrawn",
            RequestState::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<RequestState> {
        RequestState::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// A user's request for access to an application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessRequest {
    pub id: Uuid,
    pub app: Uuid,
    /// The application's name when asked (shown after it is gone).
    pub app_name: String,
    pub user: Uuid,
    /// The requester's login when it asked (shown after it is gone).
    pub login: String,
    /// The requester's organization when it asked: whose approvers decide.
    pub org: Uuid,
    pub reason: String,
    pub state: RequestState,
    pub created: Millis,
    /// When a pending request expires.
    pub expires: Millis,
    /// When it left `Pending`, by whom (as the audit trail names the actor),
    /// why, and for an approval the role the user joined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Uuid>,
    pub version: u64,
}
