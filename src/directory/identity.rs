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

impl Directory {
    /// The id of a new record: `kept` (a load's), when the actor may keep
    /// one and no record has it (ids are unique across kinds: a member or
    /// an `entryUUID` names one record), else a fresh one.
    pub(crate) fn new_id(&self, tx: &Tx, req: &Request, kept: Option<Uuid>) -> Result<Uuid> {
        let Some(id) = kept else {
            return Ok(Uuid::new_v4());
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
