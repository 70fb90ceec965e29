//! The LDAP view of a role record, in one place: which classes and
//! attributes a role entry shows and where each value comes from — the
//! name, descriptions, `gidNumber`, rights and external id the core
//! interprets, the members (dirgate's one membership) under the attributes
//! the entry's classes name them by, and the attributes kept as the client
//! wrote them (`owner`, `seeAlso`, `businessCategory`, more `cn` values, …).
//!
//! A role whose client named classes shows exactly those (plus
//! `dirgateRole` when it carries rights or an external id, whose attributes
//! no other class allows): a groupOfNames shows its members as `member`, a
//! groupOfUniqueNames as `uniqueMember`, a posixGroup as `memberUid` with
//! its `gidNumber`. A role made without classes (SCIM, the admin API, older
//! stores) shows dirgate's default shape, all three at once, as it always
//! did; an export writes that shape as posixGroup plus `dirgateGroup`, the
//! one form of it slapd accepts. Searches, LDAP writes (the entry as it
//! stands, which a modify changes) and the export all read it here.

use super::super::schema::{self, AttributeType};
use super::ROLE_CLASSES;
use super::users::Sink;
use crate::directory::model::Role;

/// Attributes a role's typed fields and membership hold: never kept as
/// written. (`cn` and `description` are kept only when there are more
/// values than the name and the one description.)
pub const INTERPRETED: &[&str] = &[
    "gidNumber",
    "member",
    "uniqueMember",
    "memberUid",
    "dirgateRight",
    "dirgateExternalId",
];

/// The attributes members are written under; all land in one membership.
pub const MEMBER_ATTRS: [&str; 3] = ["member", "uniqueMember", "memberUid"];

/// The auxiliary class that marks dirgate's default shape (see
/// [`EXPORT_CLASSES`]); an add naming it makes a role without classes.
pub const DEFAULT_SHAPE: &str = "dirgateGroup";

/// How a role in dirgate's default shape is exported: one structural class
/// (posixGroup, whose members may be none), and dirgate's class carrying
/// `member` and `uniqueMember`.
pub const EXPORT_CLASSES: &[&str] = &["top", "posixGroup", DEFAULT_SHAPE];

/// A role's members as LDAP names them: every member's DN, and the logins
/// of the users among them (`memberUid`).
#[derive(Debug, Default)]
pub struct Members {
    pub dns: Vec<String>,
    pub logins: Vec<String>,
}

/// Which form of the entry: what reads show, or what an export writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Read,
    Export,
}

/// Whether `ty` is one dirgate interprets on roles.
pub fn interpreted(ty: &AttributeType) -> bool {
    INTERPRETED.iter().any(|n| ty.has_name(n))
}

/// Whether one of `classes` (names as written) allows the attribute `name`.
fn allowed_by(classes: &[String], name: &str) -> bool {
    let Some(ty) = schema::attribute(name) else {
        return false;
    };
    classes
        .iter()
        .any(|c| schema::object_class(c).is_some_and(|class| class.allows(ty)))
}

/// Whether `classes` (as written) name dirgate's default shape.
pub fn names_default_shape(classes: &[String]) -> bool {
    classes
        .iter()
        .any(|c| c.eq_ignore_ascii_case(DEFAULT_SHAPE))
}

/// The classes a role shows, and whether nobody wrote them.
pub fn classes(r: &Role, form: Form) -> (Vec<String>, bool) {
    let written = r.attrs.get("objectClass");
    let default = match form {
        Form::Read => ROLE_CLASSES,
        Form::Export => EXPORT_CLASSES,
    };
    let mut classes: Vec<String> = match written {
        [] => default.iter().map(|c| (*c).to_owned()).collect(),
        some => some.to_vec(),
    };
    let own = !r.rights.is_empty() || r.external_id.as_ref().is_some_and(|x| !x.is_empty());
    if own
        && !classes
            .iter()
            .any(|c| c.eq_ignore_ascii_case("dirgateRole"))
    {
        classes.push("dirgateRole".to_owned());
    }
    (classes, written.is_empty())
}

/// The role's attributes as LDAP shows them (in `form`), into `sink`.
pub fn role_values(r: &Role, members: &Members, form: Form, sink: Sink<'_>) {
    let mut push = |name: &str, values: Vec<String>, derived: bool| {
        if let Some(ty) = schema::attribute(name).filter(|_| !values.is_empty()) {
            sink(ty, values, derived);
        }
    };
    let (classes, classless) = classes(r, form);
    let shows = |name: &str| classless || allowed_by(&classes, name);
    let (member, unique, uid, gid) = (
        shows("member"),
        shows("uniqueMember"),
        shows("memberUid"),
        shows("gidNumber"),
    );
    push("objectClass", classes, classless);
    push("cn", r.common_names(), false);
    push("description", r.descriptions(), false);
    if gid {
        push("gidNumber", vec![r.gid_number.to_string()], false);
    }
    if member {
        push("member", members.dns.clone(), false);
    }
    if unique {
        push("uniqueMember", members.dns.clone(), false);
    }
    if uid {
        push("memberUid", members.logins.clone(), false);
    }
    for (name, values) in r.attrs.iter() {
        if !matches!(name, "objectClass" | "cn" | "description") {
            push(name, values.to_vec(), false);
        }
    }
    let rights = r.rights.iter().map(|x| x.as_str().to_owned()).collect();
    push("dirgateRight", rights, false);
    if let Some(x) = r.external_id.as_ref().filter(|x| !x.is_empty()) {
        push("dirgateExternalId", vec![x.clone()], false);
    }
}

/// The structural class a role entry reports (`structuralObjectClass`).
pub fn structural(r: &Role) -> &'static str {
    r.attrs
        .get("objectClass")
        .iter()
        .filter_map(|c| schema::object_class(c))
        .find(|c| c.kind == schema::ClassKind::Structural)
        .map_or("groupOfNames", |c| c.canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::kept::Kept;
    use crate::directory::model::Right;
    use uuid::Uuid;

    fn role(classes: &[&str], rights: Vec<Right>) -> Role {
        // posixGroup allows no owner: the other classes keep one.
        let owner = match classes {
            ["posixGroup"] => Vec::new(),
            _ => vec!["cn=x,dc=example,dc=com".to_owned()],
        };
        let kept: Kept = [
            (
                "objectClass".to_owned(),
                classes.iter().map(|c| (*c).to_owned()).collect(),
            ),
            ("owner".to_owned(), owner),
        ]
        .into_iter()
        .collect();
        Role {
            id: Uuid::new_v4(),
            name: "R".into(),
            org: None,
            unit: None,
            rights,
            description: Some("d".into()),
            external_id: Some("ext".into()),
            gid_number: 7,
            created: 0,
            modified: 0,
            version: 0,
            attrs: kept,
        }
    }

    fn shown(r: &Role, form: Form) -> Vec<(&'static AttributeType, Vec<String>)> {
        let members = Members {
            dns: vec!["uid=a,dc=example,dc=com".into()],
            logins: vec!["a".into()],
        };
        let mut out = Vec::new();
        role_values(r, &members, form, &mut |ty, v, _| out.push((ty, v)));
        out
    }

    /// What a role entry shows is what the subschema says its classes
    /// allow, in every form; an export has one structural class.
    #[test]
    fn every_attribute_shown_is_allowed_by_the_classes_shown() {
        let cases = [
            role(&[], vec![]),
            role(&[], vec![Right::UserManagement]),
            role(&["groupOfNames"], vec![]),
            role(&["top", "groupOfUniqueNames"], vec![Right::AccountUnlock]),
            role(&["posixGroup"], vec![]),
        ];
        for r in &cases {
            for form in [Form::Read, Form::Export] {
                let attrs = shown(r, form);
                let classes: Vec<&schema::ObjectClass> = attrs
                    .iter()
                    .find(|(ty, _)| ty.has_name("objectClass"))
                    .map(|(_, v)| v.iter().filter_map(|c| schema::object_class(c)).collect())
                    .unwrap_or_default();
                for (ty, _) in &attrs {
                    assert!(
                        ty.has_name("objectClass") || classes.iter().any(|c| c.allows(ty)),
                        "{form:?} {:?}: {}",
                        r.attrs,
                        ty.canonical()
                    );
                }
                let structural = classes
                    .iter()
                    .filter(|c| c.kind == schema::ClassKind::Structural)
                    .count();
                if form == Form::Export {
                    assert_eq!(structural, 1, "{:?}", r.attrs);
                }
            }
        }
    }

    /// The members show under the attributes the classes name them by.
    #[test]
    fn members_show_per_class() {
        let names = |r: &Role, form| -> Vec<&str> {
            shown(r, form)
                .into_iter()
                .map(|(ty, _)| ty.canonical())
                .filter(|n| MEMBER_ATTRS.contains(n) || *n == "gidNumber")
                .collect()
        };
        let all = ["gidNumber", "member", "uniqueMember", "memberUid"];
        assert_eq!(names(&role(&[], vec![]), Form::Read), all);
        assert_eq!(names(&role(&[], vec![]), Form::Export), all);
        assert_eq!(
            names(&role(&["groupOfNames"], vec![]), Form::Read),
            ["member"]
        );
        assert_eq!(
            names(&role(&["groupOfUniqueNames"], vec![]), Form::Read),
            ["uniqueMember"]
        );
        assert_eq!(
            names(&role(&["posixGroup"], vec![]), Form::Read),
            ["gidNumber", "memberUid"]
        );
    }
}
