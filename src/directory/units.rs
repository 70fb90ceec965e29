//! Use cases for the organizational units a tenant brings inside its
//! organization (`ou=People,ou=<Org>`, `ou=Groups,ou=<Org>`, departments, at
//! any depth): create, change, delete, and the rule that places users and
//! roles in them. A unit belongs to one organization and only places what is
//! in it: users and roles in a unit belong to the organization for every
//! rule (seats, delegation, the policy, reports). Its administrators manage
//! the units ([`Action::ManageUnits`]).

use super::acl::{Action, Target};
use super::error::{Error, Result};
use super::kept::Kept;
use super::model::{Unit, now};
use super::names::check_text;
use super::{Change, Directory, Request};
use crate::store::Tx;
use uuid::Uuid;

/// The name an organization's own roles container has (`ou=roles,ou=<Org>`):
/// no unit directly in an organization may take it.
const ROLES: &str = "roles";
/// Likewise its applications container (`ou=applications,ou=<Org>`).
const APPLICATIONS: &str = "applications";

/// A new unit.
#[derive(Clone, Debug)]
pub struct NewUnit {
    pub org: Uuid,
    /// The enclosing unit (`None`: directly in the organization).
    pub parent: Option<Uuid>,
    pub name: String,
    pub attrs: Kept,
    /// The id a load keeps (see `identity`); `None`: a new one.
    pub id: Option<Uuid>,
}

/// The unit or "not found".
pub(crate) fn unit_by_id(tx: &Tx, id: Uuid) -> Result<Unit> {
    tx.unit(id)?
        .ok_or_else(|| Error::not_found(format!("unit {id}")))
}

/// Refuses to place something of `org` in a unit of another organization.
pub(crate) fn check_unit_of(tx: &Tx, org: Option<Uuid>, unit: Option<Uuid>) -> Result<()> {
    let Some(unit) = unit else {
        return Ok(());
    };
    if Some(unit_by_id(tx, unit)?.org) != org {
        return Err(Error::invalid(
            "a unit holds users and roles of its own organization only",
        ));
    }
    Ok(())
}

fn check_unit_name(name: &str, parent: Option<Uuid>) -> Result<()> {
    check_text("unit name", name)?;
    if name.trim().is_empty() {
        return Err(Error::invalid("a unit needs a name"));
    }
    if parent.is_none() && name.trim().eq_ignore_ascii_case(ROLES) {
        return Err(Error::invalid(
            "'roles' directly in an organization is dirgate's container of its roles",
        ));
    }
    if parent.is_none() && name.trim().eq_ignore_ascii_case(APPLICATIONS) {
        return Err(Error::invalid(
            "'applications' directly in an organization is dirgate's container of its applications",
        ));
    }
    Ok(())
}

impl Directory {
    /// Creates a unit inside a caller's transaction.
    pub(crate) fn create_unit_in(&self, tx: &mut Tx, req: &Request, new: NewUnit) -> Result<Unit> {
        self.authorize(req, Action::ManageUnits, Target::org(Some(new.org)))?;
        check_unit_name(&new.name, new.parent)?;
        new.attrs.check()?;
        if let Some(parent) = new.parent {
            check_unit_of(tx, Some(new.org), Some(parent))?;
        }
        if let Some(existing) = tx.unit_by_name(new.org, new.parent, &new.name)? {
            return Err(Error::exists(format!("unit {}", existing.name)));
        }
        let id = self.new_id(tx, req, new.id)?;
        let change = Change {
            action: "unit.create",
            target: &new.name,
            target_id: Some(id),
            org: Some(new.org),
            detail: None,
        };
        let version = self.log(tx, req, change)?;
        let t = now();
        let unit = Unit {
            id,
            org: new.org,
            parent: new.parent,
            name: new.name,
            attrs: new.attrs,
            created: t,
            modified: t,
            version,
        };
        tx.put_unit(&unit)?;
        Ok(unit)
    }

    /// The unit a front end is about to change, refused unless the actor may
    /// read it (see [`Directory::authorize_visible`]).
    /// Readable is not enough to change it: its organization's
    /// administrators manage it.
    pub(crate) fn unit_to_change(&self, tx: &Tx, req: &Request, id: Uuid) -> Result<Unit> {
        let unit = unit_by_id(tx, id)?;
        let target = Target::org(Some(unit.org));
        self.authorize_visible(req, Action::ManageUnits, target, || format!("unit {id}"))?;
        self.authorize(req, Action::ManageUnits, target)?;
        Ok(unit)
    }

    /// Renames a unit and/or places it in another unit of its organization
    /// (`parent`; `None`: directly in the organization), with the
    /// attributes it keeps besides its name (its `ou` values may change
    /// with it). Refused when the new place is inside the unit itself or
    /// another unit there already has the name.
    pub(crate) fn rename_unit_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        id: Uuid,
        name: String,
        parent: Option<Uuid>,
        attrs: Kept,
    ) -> Result<Unit> {
        let mut unit = self.unit_to_change(tx, req, id)?;
        check_unit_name(&name, parent)?;
        attrs.check()?;
        check_unit_of(tx, Some(unit.org), parent)?;
        let mut at = parent;
        while let Some(p) = at {
            if p == id {
                return Err(Error::invalid("a unit cannot be placed inside itself"));
            }
            at = unit_by_id(tx, p)?.parent;
        }
        if let Some(other) = tx.unit_by_name(unit.org, parent, &name)?
            && other.id != id
        {
            return Err(Error::exists(format!("unit {}", other.name)));
        }
        let change = Change {
            action: "unit.rename",
            target: &unit.name,
            target_id: Some(id),
            org: Some(unit.org),
            detail: Some(name.clone()),
        };
        unit.version = self.log(tx, req, change)?;
        unit.modified = now();
        unit.name = name;
        unit.parent = parent;
        unit.attrs = attrs;
        tx.put_unit(&unit)?;
        Ok(unit)
    }

    /// Replaces the attributes a unit carries besides its name.
    pub(crate) fn set_unit_attrs_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        id: Uuid,
        attrs: Kept,
    ) -> Result<Unit> {
        let mut unit = self.unit_to_change(tx, req, id)?;
        attrs.check()?;
        if attrs == unit.attrs {
            return Ok(unit);
        }
        let change = Change {
            action: "unit.modify",
            target: &unit.name,
            target_id: Some(id),
            org: Some(unit.org),
            detail: None,
        };
        unit.version = self.log(tx, req, change)?;
        unit.modified = now();
        unit.attrs = attrs;
        tx.put_unit(&unit)?;
        Ok(unit)
    }

    /// Deletes an empty unit; one that still holds units, users or roles is
    /// refused with `Conflict` (LDAP's notAllowedOnNonLeaf).
    pub(crate) fn delete_unit_in(&self, tx: &mut Tx, req: &Request, id: Uuid) -> Result<()> {
        let unit = self.unit_to_change(tx, req, id)?;
        let here = Some(id);
        let holds_units = tx.units_in(unit.org)?.iter().any(|u| u.parent == here);
        let mut holds = holds_units;
        for user in tx.users_in(Some(unit.org))? {
            holds = holds || tx.user(user)?.is_some_and(|u| u.unit == here);
        }
        for role in tx.roles_in(Some(unit.org))? {
            holds = holds || tx.role(role)?.is_some_and(|r| r.unit == here);
        }
        if holds {
            return Err(Error::conflict(format!(
                "unit {} still holds units, users or roles",
                unit.name
            )));
        }
        let change = Change {
            action: "unit.delete",
            target: &unit.name,
            target_id: Some(id),
            org: Some(unit.org),
            detail: None,
        };
        self.log(tx, req, change)?;
        tx.delete_unit(id)?;
        Ok(())
    }
}
