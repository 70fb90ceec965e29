//! A user's profile texts over the admin API, from the core's table of
//! shared texts (`directory::attributes`): `profile` in a user's view names
//! each set text by its SCIM name (`title`, `employeeNumber`,
//! `costCenter`, …), and the same object in a create or change body sets
//! them (`null` or `""` clears one; a name left out stays as it is). A
//! name the table does not have is refused, never dropped.

use crate::directory::Result as CoreResult;
use crate::directory::attributes::{SHARED_TEXTS, SharedText};
use crate::directory::error::Error;
use crate::directory::profile::Profile;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Texts to set, by SCIM (or LDAP) name; `None` clears.
pub type ProfilePatch = BTreeMap<String, Option<String>>;

/// The set texts of `p`, by SCIM name.
pub fn view(p: &Profile) -> Value {
    let mut m = Map::new();
    for t in SHARED_TEXTS {
        if let Some(v) = (t.get)(p) {
            m.insert(t.scim.into(), Value::String(v.clone()));
        }
    }
    Value::Object(m)
}

/// `old` with the patch's texts set; an unknown name is refused whole.
pub fn apply(patch: &ProfilePatch, old: &Profile) -> CoreResult<Profile> {
    let mut p = old.clone();
    for (name, value) in patch {
        let text = find(name).ok_or_else(|| {
            let known: Vec<&str> = SHARED_TEXTS.iter().map(|t| t.scim).collect();
            Error::invalid(format!(
                "unknown profile text '{name}': use one of {}",
                known.join(", ")
            ))
        })?;
        (text.set)(&mut p, value.clone().filter(|v| !v.is_empty()));
    }
    Ok(p)
}

fn find(name: &str) -> Option<&'static SharedText> {
    SHARED_TEXTS
        .iter()
        .find(|t| t.scim.eq_ignore_ascii_case(name) || t.ldap.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_set_cleared_and_shown_by_scim_name() {
        let old = Profile {
            title: Some("Old".into()),
            division: Some("North".into()),
            ..Profile::default()
        };
        let patch: ProfilePatch = [
            ("title".to_owned(), Some("Lead".to_owned())),
            ("departmentNumber".to_owned(), Some("R&D".to_owned())),
            ("division".to_owned(), None),
        ]
        .into();
        let p = apply(&patch, &old).unwrap();
        assert_eq!(p.title.as_deref(), Some("Lead"));
        assert_eq!(p.department.as_deref(), Some("R&D"));
        assert_eq!(p.division, None);
        assert_eq!(
            view(&p),
            serde_json::json!({"title": "Lead", "department": "R&D"})
        );
        let bad: ProfilePatch = [("shoeSize".to_owned(), Some("44".to_owned()))].into();
        let e = apply(&bad, &old).unwrap_err().to_string();
        assert!(e.contains("'shoeSize'") && e.contains("costCenter"), "{e}");
    }
}
