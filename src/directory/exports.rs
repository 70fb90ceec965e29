//! The core's part of an LDIF export (the LDAP front end renders it):
//! whether the actor may have password hashes in it, which is the policy's
//! [`Action::ExportSecrets`], and the audit event every export leaves, since
//! an export reads a whole organization, or the whole directory, at once.

use super::acl::{Action, Target};
use super::audit::Outcome;
use super::{Change, Directory, Request};
use uuid::Uuid;

impl Directory {
    /// Whether an export by `req`'s actor may hold password hashes.
    pub fn may_export_secrets(&self, req: &Request) -> bool {
        self.authorize(req, Action::ExportSecrets, Target::default())
            .is_ok()
    }

    /// Records that `req`'s actor exported `entries` entries of the
    /// organization `org` (`None`: of the whole directory).
    pub fn audit_export(
        &self,
        req: &Request,
        org: Option<Uuid>,
        name: &str,
        entries: usize,
        secrets: bool,
    ) {
        let what = if secrets {
            "with password hashes"
        } else {
            "without password hashes"
        };
        let change = Change {
            action: "directory.export",
            target: name,
            target_id: org,
            org,
            detail: Some(format!("{entries} entries, {what}")),
        };
        self.journal()
            .event(self.event(req, &change, Outcome::Success));
    }
}
