//! What a load keeps of another directory's entries: each record's id (its
//! `entryUUID` there) and its times (`createTimestamp`, `modifyTimestamp`),
//! so that applications keyed on `entryUUID` find their entries after a
//! move, and an export loaded into an empty dirgate is the directory it
//! came from. Only the system administrator and dirgate itself may set
//! them ([`Action::KeepIdentity`]).

use super::acl::{Action, Target};
use super::error::{Error, Result};
use super::model::Millis;
use super::{Directory, Request};
use crate::store::Tx;
use uuid::Uuid;

/// A new record's id: a UUIDv7 (RFC 9562), whose first bits are the time
/// (and which rises within this process), so records made one after another
/// sit side by side in every table keyed by id, and a create appends to the
/// tree's last leaf instead of dirtying a random one: a load, an import and a
/// batch of SCIM creates write far fewer pages. It tells when the record was
/// made, which its `createTimestamp` and SCIM `meta.created` say anyway, as
/// slapd's time-based entryUUIDs do.
pub(crate) fn fresh_id() -> Uuid {
    Uuid::now_v7()
}

impl Directory {
    /// The id of a new record: `kept` (a load's), when the actor may keep
    /// one and no record has it (ids are unique across kinds: a member or
    /// an `entryUUID` names one record), else a [`fresh_id`].
    pub(crate) fn new_id(&self, tx: &Tx, req: &Request, kept: Option<Uuid>) -> Result<Uuid> {
        let Some(id) = kept else {
            return Ok(fresh_id());
        };
        self.authorize(req, Action::KeepIdentity, Target::default())?;
        if id.is_nil() || tx.id_taken(id)? {
            return Err(Error::exists(format!("an entry with entryUUID {id}")));
        }
        Ok(id)
    }

    /// Gives the record `id` (a user, role, organization, unit, service
    /// account or application) the times a load keeps; `None` leaves a time
    /// as it is. `password_changed` (slapd's `pwdChangedTime`) is a user's.
    pub(crate) fn keep_times_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        id: Uuid,
        created: Option<Millis>,
        modified: Option<Millis>,
        password_changed: Option<Millis>,
    ) -> Result<()> {
        self.authorize(req, Action::KeepIdentity, Target::default())?;
        let times = |c: &mut Millis, m: &mut Millis| {
            *c = created.unwrap_or(*c);
            *m = modified.unwrap_or(*m);
        };
        if let Some(mut r) = tx.user(id)? {
            times(&mut r.created, &mut r.modified);
            r.password_changed = password_changed.or(r.password_changed);
            tx.put_user(&r)?;
        } else if let Some(mut r) = tx.role(id)? {
            times(&mut r.created, &mut r.modified);
            tx.put_role(&r)?;
        } else if let Some(mut r) = tx.org(id)? {
            times(&mut r.created, &mut r.modified);
            tx.put_org(&r)?;
        } else if let Some(mut r) = tx.unit(id)? {
            times(&mut r.created, &mut r.modified);
            tx.put_unit(&r)?;
        } else if let Some(mut r) = tx.service(id)? {
            times(&mut r.created, &mut r.modified);
            tx.put_service(&r)?;
        } else if let Some(mut r) = tx.app(id)? {
            times(&mut r.created, &mut r.modified);
            tx.put_app(&r)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::fresh_id;

    /// Fresh ids are UUIDv7 and rise one after another, so new records
    /// append to the tables keyed by id.
    #[test]
    fn fresh_ids_are_time_ordered() {
        let ids: Vec<_> = (0..1000).map(|_| fresh_id()).collect();
        assert!(ids.iter().all(|id| id.get_version_num() == 7));
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }
}
