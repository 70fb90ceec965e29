//! The admin API's route table and its OpenAPI 3 document. Every route is added
//! through [`Routes::add`] with an [`Op`] that names its method, path, summary
//! and the Rust types of its body and query string; the router and the document
//! (`GET /admin/v1/openapi.json`) are both built from that one list, and the
//! schemas are derived from the same types the handlers deserialize, so the
//! document cannot drift from the routes.

use super::AdminState;
use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodFilter, on};
use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

/// One operation as documented.
pub struct Op {
    method: MethodFilter,
    method_name: &'static str,
    path: &'static str,
    summary: &'static str,
    body: Option<fn() -> Value>,
    query: Option<fn() -> Value>,
    /// Needs no credential (the body carries one, or it is the document).
    public: bool,
    /// The success status.
    ok: u16,
    /// Also answers `text/csv` (with `?format=csv`).
    csv: bool,
    /// Answers this media type instead of JSON.
    media: Option<&'static str>,
}

/// The JSON Schema of `T`, inlined, in OpenAPI 3's dialect.
fn schema<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::openapi3()
        .with(|s| s.inline_subschemas = true)
        .into_generator();
    let mut v = generator.into_root_schema_for::<T>().to_value();
    if let Some(m) = v.as_object_mut() {
        m.remove("$schema");
        m.remove("title");
    }
    v
}

impl Op {
    fn new(
        method: MethodFilter,
        name: &'static str,
        path: &'static str,
        summary: &'static str,
    ) -> Op {
        let ok = if name == "POST" { 201 } else { 200 };
        Op {
            method,
            method_name: name,
            path,
            summary,
            body: None,
            query: None,
            public: false,
            ok,
            csv: false,
            media: None,
        }
    }
    pub fn get(path: &'static str, summary: &'static str) -> Op {
        Op::new(MethodFilter::GET, "GET", path, summary)
    }
    pub fn post(path: &'static str, summary: &'static str) -> Op {
        Op::new(MethodFilter::POST, "POST", path, summary)
    }
    pub fn put(path: &'static str, summary: &'static str) -> Op {
        Op::new(MethodFilter::PUT, "PUT", path, summary)
    }
    pub fn patch(path: &'static str, summary: &'static str) -> Op {
        Op::new(MethodFilter::PATCH, "PATCH", path, summary)
    }
    pub fn delete(path: &'static str, summary: &'static str) -> Op {
        Op::new(MethodFilter::DELETE, "DELETE", path, summary).status(204)
    }
    pub fn body<T: JsonSchema>(mut self) -> Op {
        self.body = Some(schema::<T>);
        self
    }
    pub fn query<T: JsonSchema>(mut self) -> Op {
        self.query = Some(schema::<T>);
        self
    }
    pub fn public(mut self) -> Op {
        self.public = true;
        self
    }
    pub fn csv(mut self) -> Op {
        self.csv = true;
        self
    }
    /// The success body is `media` (text), not JSON.
    pub fn answers(mut self, media: &'static str) -> Op {
        self.media = Some(media);
        self
    }
    pub fn status(mut self, ok: u16) -> Op {
        self.ok = ok;
        self
    }
}

/// A router and the operations it serves, built together.
pub struct Routes {
    router: Router<AdminState>,
    ops: Vec<Op>,
}

impl Routes {
    pub fn new() -> Routes {
        Routes {
            router: Router::new(),
            ops: Vec::new(),
        }
    }

    /// Serves `handler` for `op` and records `op` for the document.
    pub fn add<H, T>(mut self, op: Op, handler: H) -> Routes
    where
        H: Handler<T, AdminState>,
        T: 'static,
    {
        self.router = self.router.route(op.path, on(op.method, handler));
        self.ops.push(op);
        self
    }

    /// Records `op` for a route served outside this table (the document itself,
    /// which exists only once the table is finished).
    pub fn describe(mut self, op: Op) -> Routes {
        self.ops.push(op);
        self
    }

    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.ops.extend(other.ops);
        self
    }

    /// The router, and the document of everything added.
    pub fn finish(self) -> (Router<AdminState>, Value) {
        let doc = document(&self.ops);
        (self.router, doc)
    }
}

/// `{name}` segments of a path, as path parameters.
fn path_params(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect()
}

/// A query type's properties, as query parameters.
fn query_params(schema: &Value) -> Vec<Value> {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(props) = schema["properties"].as_object() else {
        return Vec::new();
    };
    props
        .iter()
        .map(|(name, s)| {
            json!({"name": name, "in": "query", "required": required.contains(&name.as_str()),
                   "schema": s, "description": s.get("description").cloned().unwrap_or(Value::Null)})
        })
        .collect()
}

/// `GET /users/{user}` → `get_users_user`: unique, and an identifier.
fn operation_id(op: &Op) -> String {
    let path: String = op
        .path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let words: Vec<&str> = path.split('_').filter(|w| !w.is_empty()).collect();
    format!(
        "{}_{}",
        op.method_name.to_ascii_lowercase(),
        words.join("_")
    )
}

fn operation(op: &Op) -> Value {
    let mut params = path_params(op.path);
    if let Some(q) = op.query {
        params.extend(query_params(&q()));
    }
    let error = json!({"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let mut responses = Map::new();
    let mut ok = if op.ok == 204 {
        json!({"description": "done"})
    } else {
        json!({"description": "success", "content": {"application/json": {"schema": {"type": "object"}}}})
    };
    if op.csv {
        ok["content"]["text/csv"] = json!({"schema": {"type": "string"}});
    }
    if let Some(media) = op.media {
        ok["content"] = json!({media: {"schema": {"type": "string"}}});
    }
    responses.insert(op.ok.to_string(), ok);
    for code in ["400", "401", "403", "404", "409", "500"] {
        responses.insert(code.into(), error.clone());
    }
    let mut o = json!({
        "summary": op.summary,
        "operationId": operation_id(op),
        "parameters": params,
        "responses": responses,
    });
    if let Some(b) = op.body {
        o["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": b()}}});
    }
    if op.public {
        o["security"] = json!([]);
    }
    o
}

fn document(ops: &[Op]) -> Value {
    let mut paths = Map::new();
    for op in ops {
        let entry = paths
            .entry(op.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[op.method_name.to_ascii_lowercase()] = operation(op);
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "dirgate admin API", "version": env!("CARGO_PKG_VERSION")},
        "servers": [{"url": "/admin/v1"}],
        "security": [{"basic": []}, {"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "basic": {"type": "http", "scheme": "basic", "description": "bind DN, login or email, and password"},
                "bearer": {"type": "http", "scheme": "bearer", "description": "an admin token (POST /tokens {\"kind\": \"admin\"})"},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {
                        "error": {"type": "string", "enum": ["invalid", "unauthorized", "denied", "not_found", "exists", "conflict", "taken", "seats_exhausted", "busy", "internal"]},
                        "message": {"type": "string"},
                    },
                },
            },
        },
    })
}
