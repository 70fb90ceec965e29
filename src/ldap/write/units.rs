//! Modify DN of an organizational unit inside an organization: a new `ou`
//! name, and with newSuperior another place in the same organization (the
//! organization itself or another of its units). Everything below the unit
//! moves with it, as its DN is built from its place. Without deleteoldrdn
//! the old name stays one of the unit's `ou` values, as in slapd.

use super::{Outcome, fail, locate};
use crate::directory::kept::Kept;
use crate::directory::model::Unit;
use crate::directory::{Directory, Request};
use crate::ldap::dn::Dn;
use crate::ldap::session::Context;
use crate::ldap::tree::Node;
use crate::store::Tx;
use ldap3_proto::proto::LdapResultCode as Code;
use uuid::Uuid;

/// Renames unit `id` to `name`, below `sup` when given.
pub fn rename_unit(
    dir: &Directory,
    ctx: &Context,
    req: &Request,
    tx: &mut Tx,
    id: Uuid,
    (name, sup, delete_old): (String, Option<&Dn>, bool),
) -> Outcome<()> {
    let Some(unit) = super::view(ctx, req, tx).unit(id)? else {
        return Ok(());
    };
    let parent = match sup {
        None => unit.parent,
        Some(sup) => match locate(ctx, req, tx, sup)? {
            Node::Org(org) if org == unit.org => None,
            Node::Unit(p) => Some(p),
            _ => {
                return Err(fail(
                    Code::UnwillingToPerform,
                    "a unit stays in its organization: below it or one of its units",
                )
                .into());
            }
        },
    };
    let attrs = renamed_ou(&unit, &name, delete_old);
    dir.rename_unit_in(tx, req, id, name, parent, attrs)?;
    Ok(())
}

/// The unit's kept attributes once named `name`: its `ou` values lose the
/// old name (with deleteoldrdn) and gain the new one; an `ou` that says
/// only the name is not kept (it is the name).
fn renamed_ou(unit: &Unit, name: &str, delete_old: bool) -> Kept {
    let mut ou: Vec<String> = match unit.attrs.get("ou") {
        [] => vec![unit.name.clone()],
        written => written.to_vec(),
    };
    if delete_old {
        ou.retain(|v| !v.eq_ignore_ascii_case(&unit.name));
    }
    if !ou.iter().any(|v| v.eq_ignore_ascii_case(name)) {
        ou.push(name.to_owned());
    }
    let mut kept = unit.attrs.clone();
    let only_name = ou.len() == 1 && ou[0] == name;
    kept.set("ou", if only_name { Vec::new() } else { ou });
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str, ou: &[&str]) -> Unit {
        let mut attrs = Kept::default();
        attrs.set("ou", ou.iter().map(|s| (*s).to_owned()).collect());
        Unit {
            id: Uuid::nil(),
            org: Uuid::nil(),
            parent: None,
            name: name.into(),
            attrs,
            created: 0,
            modified: 0,
            version: 0,
        }
    }

    #[test]
    fn the_old_name_stays_only_without_deleteoldrdn() {
        let u = unit("Sales", &[]);
        assert!(renamed_ou(&u, "Vertrieb", true).get("ou").is_empty());
        assert_eq!(
            renamed_ou(&u, "Vertrieb", false).get("ou"),
            ["Sales", "Vertrieb"]
        );
        let u = unit("Sales", &["Sales", "Verkauf"]);
        assert_eq!(
            renamed_ou(&u, "Vertrieb", true).get("ou"),
            ["Verkauf", "Vertrieb"]
        );
    }
}
