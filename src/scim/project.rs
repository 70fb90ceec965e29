//! `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): which parts
//! of a rendered resource go out. `schemas` and `id` are always returned.

use super::error::{ScimError, ScimResult};
use super::filter::{AttrPath, parse_path};
use super::json::{get, key_of};
use super::schema::{self, Returned};
use serde_json::{Map, Value};

/// What the client asked to see.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub attributes: Vec<AttrPath>,
    pub excluded: Vec<AttrPath>,
    /// Attributes the request wrote: `returned: request` ones among them go
    /// out in the answer to a POST, PUT or PATCH (RFC 7643 §7).
    pub written: Vec<AttrPath>,
    /// Attributes this caller sees as `returned: request` although the
    /// schema returns them by default (read-only for it: see `users`).
    pub request_only: Vec<AttrPath>,
}

impl Selection {
    /// Reads the two comma-separated lists (either may be absent).
    pub fn parse(attributes: &[String], excluded: &[String]) -> ScimResult<Selection> {
        Ok(Selection {
            attributes: paths(attributes)?,
            excluded: paths(excluded)?,
            written: Vec::new(),
            request_only: Vec::new(),
        })
    }

    /// This selection showing `path` only when named, as `returned: request`.
    pub fn with_request_only(mut self, path: AttrPath) -> Selection {
        self.request_only.push(path);
        self
    }

    /// This selection for the answer to a write that named `written`.
    pub fn after_writing(&self, written: Vec<AttrPath>) -> Selection {
        Selection {
            written,
            ..self.clone()
        }
    }

    /// Whether the answer will contain `attr` of the `core` schema (named bare
    /// or qualified with the core schema's URN).
    pub fn returns(&self, core: &str, attr: &str) -> bool {
        let named = |l: &[AttrPath]| {
            l.iter()
                .any(|p| ext(core, p).is_none() && p.attr.eq_ignore_ascii_case(attr))
        };
        if !self.attributes.is_empty() {
            return named(&self.attributes);
        }
        !named(&self.excluded)
    }

    /// The resource with only the selected parts.
    pub fn apply(&self, core: &str, resource: Value) -> Value {
        let Value::Object(obj) = resource else {
            return resource;
        };
        let mut obj = if self.attributes.is_empty() {
            obj
        } else {
            let mut out = Map::new();
            for keep in ["schemas", "id"] {
                if let Some(v) = obj.get(keep) {
                    out.insert(keep.into(), v.clone());
                }
            }
            for p in &self.attributes {
                copy(core, &obj, &mut out, p);
            }
            out
        };
        for p in &self.excluded {
            if !(p.attr.eq_ignore_ascii_case("id") || p.attr.eq_ignore_ascii_case("schemas")) {
                drop_path(core, &mut obj, p);
            }
        }
        self.drop_unrequested(core, &mut obj);
        Value::Object(obj)
    }

    /// Removes `returned: request` attributes the client did not name.
    fn drop_unrequested(&self, core: &str, obj: &mut Map<String, Value>) {
        for s in schema::SCHEMAS {
            let urn = (!s.id.eq_ignore_ascii_case(core)).then_some(s.id);
            let by_caller = |name: &str| {
                self.request_only.iter().any(|p| {
                    p.attr.eq_ignore_ascii_case(name)
                        && p.urn
                            .as_deref()
                            .is_some_and(|u| u.eq_ignore_ascii_case(s.id))
                })
            };
            for a in s.attrs.iter() {
                if a.returned != Returned::Request && !by_caller(a.name) {
                    continue;
                }
                let named = self.attributes.iter().chain(&self.written).any(|p| {
                    p.attr.eq_ignore_ascii_case(a.name)
                        && p.urn.as_deref().map(|u| u.eq_ignore_ascii_case(s.id)) != Some(false)
                });
                if !named {
                    let path = AttrPath {
                        urn: urn.map(str::to_owned),
                        attr: a.name.to_owned(),
                        sub_attr: None,
                    };
                    drop_path(core, obj, &path);
                }
            }
            if let Some(u) = urn {
                let empty = get(obj, u)
                    .and_then(|v| v.as_object())
                    .is_some_and(|o| o.is_empty());
                if let Some(k) = key_of(obj, u).filter(|_| empty) {
                    obj.remove(&k);
                }
            }
        }
    }
}

/// The attributes a JSON object writes: its keys, and the keys inside the
/// schema extensions it carries (`urn` when the object is an extension's).
pub fn written_in(value: &Value, urn: Option<&str>) -> Vec<AttrPath> {
    let Value::Object(obj) = value else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in obj {
        let is_extension =
            urn.is_none() && schema::SCHEMAS.iter().any(|s| s.id.eq_ignore_ascii_case(k));
        if is_extension {
            out.extend(written_in(v, Some(k)));
        } else {
            out.push(AttrPath {
                urn: urn.map(str::to_owned),
                attr: k.clone(),
                sub_attr: None,
            });
        }
    }
    out
}

fn paths(lists: &[String]) -> ScimResult<Vec<AttrPath>> {
    let mut out = Vec::new();
    for item in lists.iter().flat_map(|l| l.split(',')) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let p = parse_path(item)
            .map_err(|e| ScimError::invalid_value(format!("attribute '{item}': {e}")))?;
        if p.filter.is_some() {
            return Err(ScimError::invalid_value(format!(
                "attribute '{item}' may not carry a filter"
            )));
        }
        out.push(p.attr);
    }
    Ok(out)
}

/// The extension URN a path lives under, when it is not the core schema.
fn ext<'a>(core: &str, p: &'a AttrPath) -> Option<&'a str> {
    p.urn.as_deref().filter(|u| !u.eq_ignore_ascii_case(core))
}

fn copy(core: &str, from: &Map<String, Value>, to: &mut Map<String, Value>, p: &AttrPath) {
    if let Some(urn) = ext(core, p) {
        let (Some(key), Some(Value::Object(src))) = (key_of(from, urn), get(from, urn)) else {
            return;
        };
        if p.is_schema_only() {
            to.insert(key, Value::Object(src.clone()));
            return;
        }
        let entry = to.entry(key).or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(dst) = entry {
            copy_attr(src, dst, p);
        }
        return;
    }
    copy_attr(from, to, p);
}

fn copy_attr(from: &Map<String, Value>, to: &mut Map<String, Value>, p: &AttrPath) {
    let (Some(key), Some(v)) = (key_of(from, &p.attr), get(from, &p.attr)) else {
        return;
    };
    let Some(sub) = &p.sub_attr else {
        to.insert(key, v.clone());
        return;
    };
    match v {
        Value::Array(items) => {
            let picked: Vec<Value> = items
                .iter()
                .filter_map(|i| i.as_object())
                .filter_map(|o| Some((key_of(o, sub)?, get(o, sub)?.clone())))
                .map(|(k, v)| Value::Object(Map::from_iter([(k, v)])))
                .collect();
            to.insert(key, Value::Array(picked));
        }
        Value::Object(o) => {
            if let (Some(k), Some(sv)) = (key_of(o, sub), get(o, sub)) {
                let entry = to.entry(key).or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(dst) = entry {
                    dst.insert(k, sv.clone());
                }
            }
        }
        _ => {}
    }
}

fn drop_path(core: &str, obj: &mut Map<String, Value>, p: &AttrPath) {
    let target = match ext(core, p) {
        Some(urn) if p.is_schema_only() => {
            if let Some(k) = key_of(obj, urn) {
                obj.remove(&k);
            }
            return;
        }
        Some(urn) => match key_of(obj, urn).and_then(|k| obj.get_mut(&k)) {
            Some(Value::Object(o)) => o,
            _ => return,
        },
        None => obj,
    };
    let Some(key) = key_of(target, &p.attr) else {
        return;
    };
    match &p.sub_attr {
        None => {
            target.remove(&key);
        }
        Some(sub) => match target.get_mut(&key) {
            Some(Value::Object(o)) => {
                if let Some(k) = key_of(o, sub) {
                    o.remove(&k);
                }
            }
            Some(Value::Array(items)) => {
                for o in items.iter_mut().filter_map(|i| i.as_object_mut()) {
                    if let Some(k) = key_of(o, sub) {
                        o.remove(&k);
                    }
                }
            }
            _ => {}
        },
    }
}
