//! The Group resource both ways: a core [`RoleView`] rendered as SCIM JSON, and
//! a client's Group JSON read into a name, an external id and member ids.

use super::error::{ScimError, ScimResult};
use super::json::{as_list, as_object, compact, get, opt_str};
use super::schema::GROUP;
use super::time::rfc3339;
use crate::directory::model::Member;
use crate::directory::scim_view::RoleView;
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// What a client's Group body says.
#[derive(Debug)]
pub struct GroupInput {
    pub name: String,
    pub external_id: Option<String>,
    /// Member ids as sent; `None` when the body has no `members`.
    pub members: Option<Vec<Uuid>>,
}

/// The Group resource for `view`.
pub fn render(view: &RoleView, base: &str) -> Value {
    let r = &view.role;
    let members: Vec<Value> = view
        .members
        .iter()
        .map(|(m, _name)| {
            let (kind, path) = match m {
                Member::User(_) => ("User", "Users"),
                Member::Role(_) => ("Group", "Groups"),
            };
            let id = m.id();
            // No `display`: clients compare members as they wrote them.
            json!({"value": id.to_string(), "$ref": format!("{base}/{path}/{id}"), "type": kind})
        })
        .collect();
    let mut obj = Map::new();
    obj.insert("schemas".into(), json!([GROUP]));
    obj.insert("id".into(), json!(r.id.to_string()));
    obj.insert("externalId".into(), json!(r.external_id));
    obj.insert("displayName".into(), json!(r.name));
    obj.insert("members".into(), Value::Array(members));
    obj.insert(
        "meta".into(),
        json!({
            "resourceType": "Group",
            "created": rfc3339(r.created),
            "lastModified": rfc3339(r.modified),
            "location": format!("{base}/Groups/{}", r.id),
            "version": super::response::etag(r.version),
        }),
    );
    Value::Object(compact(obj))
}

/// Reads a Group body (POST, PUT, or a resource after PATCH).
pub fn parse(body: &Value) -> ScimResult<GroupInput> {
    let obj = as_object("body", body)?;
    super::known::check(GROUP, &[], obj)?;
    let name = opt_str(obj, "displayName")?
        .ok_or_else(|| ScimError::invalid_value("'displayName' is required"))?;
    let members = match get(obj, "members") {
        None => None,
        Some(v) => Some(member_ids(v)?),
    };
    Ok(GroupInput {
        name,
        external_id: opt_str(obj, "externalId")?,
        members,
    })
}

/// The ids in a members list (objects with `value`, or bare id strings).
pub fn member_ids(v: &Value) -> ScimResult<Vec<Uuid>> {
    let mut out = Vec::new();
    for item in as_list(Some(v)) {
        let id = match item {
            Value::String(s) => s.clone(),
            other => opt_str(as_object("members", other)?, "value")?
                .ok_or_else(|| ScimError::invalid_value("a member needs a 'value'"))?,
        };
        let id = Uuid::parse_str(&id)
            .map_err(|_| ScimError::invalid_value(format!("member '{id}' is not a known id")))?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}
