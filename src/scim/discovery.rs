//! The discovery endpoints (RFC 7644 §4): ServiceProviderConfig, ResourceTypes
//! and Schemas, rendered from the same tables the service runs on, so what is
//! advertised is what is served. They need a valid token like everything else.
//! The Schemas answer depends on the caller in one place: the organizations
//! it may place users in are suggested as `organizationUnit` values.

use super::context::Call;
use super::error::{ScimError, ScimResult};
use super::list::{DEFAULT_COUNT, MAX_COUNT};
use super::response::scim_json;
use super::schema::{
    self, Attr, DIRGATE, ENTERPRISE, GROUP, LIST, Mutability, ORGANIZATION_UNIT, POSIX, Returned,
    SCHEMAS, Schema, Ty, USER,
};
use crate::directory::orgs::Placement;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

pub async fn service_provider_config(call: Call) -> ScimResult<Response> {
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://github.com/dirgate/dirgate#scim",
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_COUNT},
        "changePassword": {"supported": true},
        "sort": {"supported": true},
        "etag": {"supported": true},
        "pagination": {"cursor": false, "index": true, "defaultPaginationMethod": "index",
                       "defaultPageSize": DEFAULT_COUNT, "maxPageSize": MAX_COUNT},
        "authenticationSchemes": [{
            "type": "oauthbearertoken", "name": "Bearer token",
            "description": "A token issued by a dirgate administrator", "primary": true,
        }],
        "meta": {"resourceType": "ServiceProviderConfig",
                 "location": format!("{}/ServiceProviderConfig", call.base)},
    });
    Ok(scim_json(StatusCode::OK, &body))
}

fn resource_types(base: &str) -> Vec<Value> {
    vec![
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User", "name": "User", "endpoint": "/Users",
            "description": "User Account", "schema": USER,
            "schemaExtensions": [{"schema": ENTERPRISE, "required": false},
                                 {"schema": DIRGATE, "required": false},
                                 {"schema": POSIX, "required": true}],
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User")},
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group", "name": "Group", "endpoint": "/Groups",
            "description": "Group (a dirgate role)", "schema": GROUP,
            "schemaExtensions": [],
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group")},
        }),
    ]
}

fn list_of(items: Vec<Value>) -> Value {
    json!({"schemas": [LIST], "totalResults": items.len(), "startIndex": 1,
           "itemsPerPage": items.len(), "Resources": items})
}

pub async fn resource_type_list(call: Call) -> ScimResult<Response> {
    Ok(scim_json(
        StatusCode::OK,
        &list_of(resource_types(&call.base)),
    ))
}

pub async fn resource_type(call: Call, Path(id): Path<String>) -> ScimResult<Response> {
    resource_types(&call.base)
        .into_iter()
        .find(|t| {
            t["id"]
                .as_str()
                .is_some_and(|i| i.eq_ignore_ascii_case(&id))
        })
        .map(|t| scim_json(StatusCode::OK, &t))
        .ok_or_else(|| ScimError::not_found(format!("resource type {id} not found")))
}

pub async fn schema_list(call: Call) -> ScimResult<Response> {
    let orgs = placeable(&call).await?;
    let all = SCHEMAS
        .iter()
        .map(|s| render_schema(s, &call.base, &orgs))
        .collect();
    Ok(scim_json(StatusCode::OK, &list_of(all)))
}

pub async fn schema_one(call: Call, Path(id): Path<String>) -> ScimResult<Response> {
    let schema = schema::schema(&id)
        .ok_or_else(|| ScimError::not_found(format!("schema {id} not found")))?;
    let orgs = placeable(&call).await?;
    Ok(scim_json(
        StatusCode::OK,
        &render_schema(schema, &call.base, &orgs),
    ))
}

/// At most this many organizations are suggested as `organizationUnit` values.
const MAX_SUGGESTED_ORGS: usize = 100;

/// Where the caller may place users: the organizations are suggested values
/// of `organizationUnit`, so a generic client fills it with one that exists,
/// and a caller that may not move users sees it read-only.
async fn placeable(call: &Call) -> ScimResult<Placement> {
    call.run(|d, r| d.placement_choices(r, MAX_SUGGESTED_ORGS))
        .await
}

fn render_schema(s: &Schema, base: &str, placement: &Placement) -> Value {
    let attrs: Vec<Value> = s
        .attrs
        .iter()
        .map(|a| {
            let mut v = render_attr(a);
            if a.name == ORGANIZATION_UNIT && s.id == DIRGATE {
                if !placement.orgs.is_empty() {
                    v["canonicalValues"] = json!(placement.orgs);
                }
                if !placement.moves {
                    v["mutability"] = json!("readOnly");
                    v["returned"] = json!("request");
                }
            }
            v
        })
        .collect();
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": s.id, "name": s.name, "description": s.description,
        "attributes": attrs,
        "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/{}", s.id)},
    })
}

fn render_attr(a: &Attr) -> Value {
    let ty = match a.ty {
        Ty::Str => "string",
        Ty::Bool => "boolean",
        Ty::Int => "integer",
        Ty::DateTime => "dateTime",
        Ty::Reference => "reference",
        Ty::Complex => "complex",
        Ty::Binary => "binary",
    };
    let mutability = match a.mutability {
        Mutability::ReadOnly => "readOnly",
        Mutability::ReadWrite => "readWrite",
        Mutability::Immutable => "immutable",
        Mutability::WriteOnly => "writeOnly",
    };
    let returned = match a.returned {
        Returned::Always => "always",
        Returned::Never => "never",
        Returned::Default => "default",
        Returned::Request => "request",
    };
    let mut v = json!({
        "name": a.name, "type": ty, "multiValued": a.multi, "description": a.description,
        "required": a.required, "caseExact": a.case_exact, "mutability": mutability,
        "returned": returned, "uniqueness": if a.unique { "server" } else { "none" },
    });
    if a.ty == Ty::Complex {
        v["subAttributes"] = Value::Array(a.subs.iter().map(render_attr).collect());
    }
    if !a.canonical.is_empty() {
        v["canonicalValues"] = json!(a.canonical);
    }
    if a.ty == Ty::Reference {
        v["referenceTypes"] = json!(a.refs);
    }
    v
}
