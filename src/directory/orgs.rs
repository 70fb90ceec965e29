//! Use cases for organizations and login suffixes: creating, listing, changing
//! seats, and deleting (refused while anything is left inside). Only the system
//! administrator changes these; the policy says so, not this file.

use super::acl::{Action, Target};
use super::error::{Error, Result};
use super::kept::Kept;
use super::model::{Organization, Suffix, now};
use super::names::{check_org_name, check_suffix, check_text};
use super::users::OrgRef;
use super::{Change, Directory, Request};
use crate::store::Tx;
use uuid::Uuid;

/// A new organization as an administrator describes it.
#[derive(Clone, Debug, Default)]
pub struct NewOrg {
    pub name: String,
    pub seats: u32,
    pub description: Option<String>,
    /// The id a load keeps (see `identity`); `None`: a new one.
    pub id: Option<Uuid>,
}

/// Finds an organization by name, as a "not found" error when absent.
pub(crate) fn org_named(tx: &Tx, name: &str) -> Result<Organization> {
    tx.org_by_name(name)?
        .ok_or_else(|| Error::not_found(format!("organization {name}")))
}

pub(crate) fn org_by_id(tx: &Tx, id: Uuid) -> Result<Organization> {
    tx.org(id)?
        .ok_or_else(|| Error::not_found(format!("organization {id}")))
}

impl Directory {
    /// The organization `name` names, wanted for `action`: absent, or out of
    /// the actor's reach, it is the same "organization <name> not found"
    /// (see [`Directory::known`]).
    pub(crate) fn org_named_for(
        &self,
        tx: &Tx,
        req: &Request,
        action: Action,
        name: &str,
    ) -> Result<Organization> {
        let org = org_named(tx, name)?;
        self.known(req, action, Target::org(Some(org.id)), || {
            format!("organization {name}")
        })?;
        Ok(org)
    }

    /// Where `org` points (`None`: no organization), wanted for `action`,
    /// as [`Self::org_named_for`] finds it.
    pub(crate) fn org_ref_for(
        &self,
        tx: &Tx,
        req: &Request,
        action: Action,
        org: &OrgRef,
    ) -> Result<Option<Uuid>> {
        match org {
            OrgRef::Name(n) => Ok(Some(self.org_named_for(tx, req, action, n)?.id)),
            OrgRef::Id(id) => {
                // Whether it exists: its name is the cheapest part to read.
                if tx.org_name(*id)?.is_none() {
                    return Err(Error::not_found(format!("organization {id}")));
                }
                self.known(req, action, Target::org(Some(*id)), || {
                    format!("organization {id}")
                })?;
                Ok(Some(*id))
            }
            OrgRef::NoOrg => Ok(None),
        }
    }
}

/// See [`Directory::placement_choices`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    pub orgs: Vec<String>,
    pub moves: bool,
}

impl Directory {
    pub fn create_org(&self, req: &Request, new: NewOrg) -> Result<Organization> {
        self.write(req, |tx| self.create_org_in(tx, req, new.clone()))
    }

    /// The body of [`Self::create_org`], for loads that create many records in
    /// one transaction.
    pub(crate) fn create_org_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        new: NewOrg,
    ) -> Result<Organization> {
        check_org_name(&new.name)?;
        if let Some(d) = &new.description {
            check_text("description", d)?;
        }
        self.authorize(req, Action::CreateOrganization, Target::default())?;
        if let Some(existing) = tx.org_by_name(&new.name)? {
            return Err(Error::exists(format!("organization {}", existing.name)));
        }
        let id = self.new_id(tx, req, new.id)?;
        let change = Change {
            action: "org.create",
            target: &new.name,
            target_id: Some(id),
            org: Some(id),
            detail: Some(format!("seats={}", new.seats)),
        };
        let version = self.log(tx, req, change)?;
        let t = now();
        let org = Organization {
            id,
            name: new.name,
            seats: new.seats,
            description: new.description,
            admin: None,
            attrs: Kept::default(),
            created: t,
            modified: t,
            version,
            password_policy: Default::default(),
        };
        tx.put_org(&org)?;
        Ok(org)
    }

    /// An organization by name, if the actor may read it.
    pub fn get_org(&self, req: &Request, name: &str) -> Result<Organization> {
        self.read(|tx| {
            let org = org_named(tx, name)?;
            self.authorize(req, Action::Read, Target::org(Some(org.id)))
                .map_err(|_| Error::not_found(format!("organization {name}")))?;
            Ok(org)
        })
    }

    /// The organization a front end is about to change, refused unless the
    /// actor may read it (see [`Directory::authorize_visible`]).
    pub(crate) fn org_to_change(&self, tx: &Tx, req: &Request, id: Uuid) -> Result<Organization> {
        let org = org_by_id(tx, id)?;
        self.authorize_visible(
            req,
            Action::ModifyOrganization,
            Target::org(Some(id)),
            || format!("organization {id}"),
        )?;
        Ok(org)
    }

    /// The organizations the actor may read, sorted by name.
    pub fn list_orgs(&self, req: &Request) -> Result<Vec<Organization>> {
        let mut orgs = self.read(|tx| Ok(tx.orgs()?))?;
        orgs.retain(|o| {
            self.policy()
                .authorize(&req.actor, Action::Read, &Target::org(Some(o.id)))
                .is_ok()
        });
        orgs.sort_by_key(|o| o.name.to_lowercase());
        Ok(orgs)
    }

    /// Where the actor may place users: the names of the organizations it
    /// may create users in (sorted, at most `limit`), and whether it may move
    /// users between organizations and out of them. What a SCIM client is
    /// offered for dirgate's `organizationUnit`.
    pub fn placement_choices(&self, req: &Request, limit: usize) -> Result<Placement> {
        let may = |action, org| {
            self.policy()
                .authorize(&req.actor, action, &Target::org(org))
                .is_ok()
        };
        let mut orgs = self.read(|tx| Ok(tx.orgs()?))?;
        orgs.retain(|o| may(Action::CreateUser, Some(o.id)));
        let mut names: Vec<String> = orgs.into_iter().map(|o| o.name).collect();
        names.sort_by_key(|n| n.to_lowercase());
        names.truncate(limit);
        Ok(Placement {
            orgs: names,
            moves: self.may_move_users(req),
        })
    }

    /// Whether the actor may move users between organizations and out of
    /// them (the system administrator, a server-wide token). For the others
    /// an organization named in a request is not theirs to choose.
    pub fn may_move_users(&self, req: &Request) -> bool {
        self.policy()
            .authorize(&req.actor, Action::MoveUser, &Target::org(None))
            .is_ok()
    }

    /// Changes the seat count. Lowering it below the seats in use is allowed (new
    /// users are then refused until enough are disabled), as the documents imply.
    pub fn set_seats(&self, req: &Request, name: &str, seats: u32) -> Result<Organization> {
        self.write(req, |tx| self.set_seats_in(tx, req, name, seats))
    }

    /// The body of [`Self::set_seats`] inside a caller's transaction.
    pub(crate) fn set_seats_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        name: &str,
        seats: u32,
    ) -> Result<Organization> {
        let mut org = self.org_named_for(tx, req, Action::ModifyOrganization, name)?;
        self.authorize(req, Action::ModifyOrganization, Target::org(Some(org.id)))?;
        let change = Change {
            action: "org.seats",
            target: &org.name,
            target_id: Some(org.id),
            org: Some(org.id),
            detail: Some(format!("seats {} -> {seats}", org.seats)),
        };
        org.version = self.log(tx, req, change)?;
        org.seats = seats;
        org.modified = now();
        tx.put_org(&org)?;
        Ok(org)
    }

    /// Sets or clears an organization's description.
    pub fn set_org_description(
        &self,
        req: &Request,
        name: &str,
        description: Option<String>,
    ) -> Result<Organization> {
        self.write(req, |tx| {
            self.set_org_description_in(tx, req, name, description.clone())
        })
    }

    /// The body of [`Self::set_org_description`] inside a caller's transaction.
    pub(crate) fn set_org_description_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        name: &str,
        description: Option<String>,
    ) -> Result<Organization> {
        if let Some(d) = &description {
            check_text("description", d)?;
        }
        self.modify_org_in(tx, req, name, "description", |org| {
            (org.description != description).then(|| org.description = description)
        })
    }

    /// Replaces what an organization's entry keeps as written besides its
    /// name, description and seats (LDAP's view of the rest of the OU).
    pub(crate) fn set_org_attrs_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        name: &str,
        attrs: Kept,
    ) -> Result<Organization> {
        attrs.check()?;
        self.modify_org_in(tx, req, name, "attributes", |org| {
            (org.attrs != attrs).then(|| org.attrs = attrs)
        })
    }

    /// One change of an organization the policy allows as ModifyOrganization:
    /// `apply` changes the record and says whether it did; only then is the
    /// change logged (its `detail` names what changed) and stored.
    pub(crate) fn modify_org_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        name: &str,
        detail: &str,
        apply: impl FnOnce(&mut Organization) -> Option<()>,
    ) -> Result<Organization> {
        let mut org = self.org_named_for(tx, req, Action::ModifyOrganization, name)?;
        self.authorize(req, Action::ModifyOrganization, Target::org(Some(org.id)))?;
        if apply(&mut org).is_none() {
            return Ok(org);
        }
        let change = Change {
            action: "org.modify",
            target: &org.name,
            target_id: Some(org.id),
            org: Some(org.id),
            detail: Some(detail.into()),
        };
        org.version = self.log(tx, req, change)?;
        org.modified = now();
        tx.put_org(&org)?;
        Ok(org)
    }

    /// Deletes an empty organization; refused with counts while users or roles remain.
    pub fn delete_org(&self, req: &Request, name: &str) -> Result<()> {
        self.write(req, |tx| self.delete_org_in(tx, req, name))
    }

    /// The body of [`Self::delete_org`] inside a caller's transaction.
    pub(crate) fn delete_org_in(&self, tx: &mut Tx, req: &Request, name: &str) -> Result<()> {
        let org = self.org_named_for(tx, req, Action::DeleteOrganization, name)?;
        self.authorize(req, Action::DeleteOrganization, Target::org(Some(org.id)))?;
        let users = tx.users_in(Some(org.id))?.len();
        let roles = tx.roles_in(Some(org.id))?.len();
        let units = tx.units_in(org.id)?.len();
        let apps = tx.apps_in(Some(org.id))?.len();
        if users > 0 || roles > 0 || units > 0 || apps > 0 {
            let units = match units {
                0 => String::new(),
                n => format!(" and {n} organizational unit(s)"),
            };
            let units = match apps {
                0 => units,
                n => format!("{units} and {n} application(s)"),
            };
            return Err(Error::conflict(format!(
                "organization {} still has {users} user(s) and {roles} role(s){units}; move or delete them first",
                org.name
            )));
        }
        let change = Change {
            action: "org.delete",
            target: &org.name,
            target_id: Some(org.id),
            org: Some(org.id),
            detail: None,
        };
        self.log(tx, req, change)?;
        super::apps::forget_org(tx, org.id)?;
        tx.delete_org(org.id)?;
        Ok(())
    }

    pub fn add_suffix(&self, req: &Request, name: &str) -> Result<Suffix> {
        self.write(req, |tx| self.add_suffix_in(tx, req, name))
    }

    /// [`Directory::add_suffix`] inside a transaction the caller holds (a
    /// load adds the suffixes its logins need with the entries).
    pub fn add_suffix_in(&self, tx: &mut Tx, req: &Request, name: &str) -> Result<Suffix> {
        check_suffix(name)?;
        self.authorize(req, Action::ManageSuffixes, Target::default())?;
        if let Some(existing) = tx.suffix(name)? {
            return Err(Error::exists(format!("login suffix {}", existing.name)));
        }
        let change = Change {
            action: "suffix.create",
            target: name,
            target_id: None,
            org: None,
            detail: None,
        };
        self.log(tx, req, change)?;
        let suffix = Suffix {
            name: name.to_owned(),
            created: now(),
        };
        tx.put_suffix(&suffix)?;
        Ok(suffix)
    }

    /// Whether the login suffix `name` exists (ignoring case).
    pub fn has_suffix_in(&self, tx: &Tx, name: &str) -> Result<bool> {
        Ok(tx.suffix(name)?.is_some())
    }

    /// Removes a suffix no login uses any more.
    pub fn delete_suffix(&self, req: &Request, name: &str) -> Result<()> {
        self.write(req, |tx| {
            self.authorize(req, Action::ManageSuffixes, Target::default())?;
            let suffix = tx
                .suffix(name)?
                .ok_or_else(|| Error::not_found(format!("login suffix {name}")))?;
            let tail = format!("@{}", suffix.name.to_lowercase());
            let in_use = tx
                .users()?
                .iter()
                .filter(|u| u.login.to_lowercase().ends_with(&tail))
                .count();
            if in_use > 0 {
                return Err(Error::conflict(format!(
                    "login suffix {} is used by {in_use} login(s)",
                    suffix.name
                )));
            }
            let change = Change {
                action: "suffix.delete",
                target: &suffix.name,
                target_id: None,
                org: None,
                detail: None,
            };
            self.log(tx, req, change)?;
            tx.delete_suffix(name)?;
            Ok(())
        })
    }

    pub fn list_suffixes(&self) -> Result<Vec<Suffix>> {
        let mut all = self.read(|tx| Ok(tx.suffixes()?))?;
        all.sort_by_key(|s| s.name.to_lowercase());
        Ok(all)
    }
}
