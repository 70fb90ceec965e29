//! PATCH (RFC 7644 §3.5.2) applied to a rendered resource: add, remove and
//! replace, with or without a path, value paths (`emails[type eq "work"].value`,
//! `members[value eq "…"]`), and the shapes identity providers really send —
//! `op` in any case, a path-less replace whose keys are dotted (`name.givenName`)
//! or prefixed with an extension URN, and members removed as a value list. The
//! handler reads the patched resource back like a PUT and hands it to the core
//! in one transaction, so a PATCH is all or nothing.

use super::error::{ScimError, ScimResult};
use super::eval::{Target, matches_sub};
use super::filter::{AttrPath, CompValue, CompareOp, Filter, PatchPath, parse_path};
use super::json::{as_list, get, get_mut, key_of, remove, set};
use super::schema;
use serde_json::{Map, Value};

/// The three operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Remove,
    Replace,
}

/// One operation of a PatchOp request.
#[derive(Debug)]
pub struct PatchOp {
    pub op: Op,
    pub path: Option<PatchPath>,
    pub value: Option<Value>,
}

/// The attributes the operations write (their paths, or the keys of a
/// path-less value), for the answer's `returned: request` attributes.
pub fn written(ops: &[PatchOp]) -> Vec<AttrPath> {
    let mut out = Vec::new();
    for op in ops {
        match (&op.path, &op.value) {
            (Some(p), Some(v)) if p.attr.attr.is_empty() => {
                out.extend(super::project::written_in(v, p.attr.urn.as_deref()));
            }
            (Some(p), _) => out.push(p.attr.clone()),
            (None, Some(v)) => out.extend(super::project::written_in(v, None)),
            (None, None) => {}
        }
    }
    out
}

/// Reads the `Operations` of a PatchOp body.
pub fn parse_ops(body: &Value) -> ScimResult<Vec<PatchOp>> {
    let obj = body
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("a PatchOp must be a JSON object"))?;
    let ops = get(obj, "Operations")
        .and_then(|v| v.as_array())
        .ok_or_else(|| ScimError::invalid_syntax("a PatchOp needs an 'Operations' array"))?;
    ops.iter().map(parse_op).collect()
}

fn parse_op(v: &Value) -> ScimResult<PatchOp> {
    let o = v
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("each operation must be an object"))?;
    let name = get(o, "op").and_then(|v| v.as_str()).unwrap_or_default();
    let op = match name.to_ascii_lowercase().as_str() {
        "add" => Op::Add,
        "remove" => Op::Remove,
        "replace" => Op::Replace,
        _ => {
            return Err(ScimError::invalid_syntax(format!(
                "unknown PATCH op '{name}': use add, remove or replace"
            )));
        }
    };
    let path = match get(o, "path").and_then(|v| v.as_str()).map(str::trim) {
        None | Some("") => None,
        Some(p) => Some(parse_path(p).map_err(|e| ScimError::invalid_path(e.to_string()))?),
    };
    let value = get(o, "value").cloned();
    if op != Op::Remove && value.is_none() {
        return Err(ScimError::invalid_syntax(format!("'{name}' needs a value")));
    }
    Ok(PatchOp { op, path, value })
}

/// Applies every operation to the rendered resource `doc`, in order.
pub fn apply(core: &'static str, doc: &mut Value, ops: &[PatchOp]) -> ScimResult<()> {
    let Some(resource) = doc.as_object_mut() else {
        return Err(ScimError::invalid_syntax("resource is not an object"));
    };
    for op in ops {
        let value = op.value.clone().unwrap_or(Value::Null);
        match &op.path {
            None => without_path(core, resource, op.op, value)?,
            Some(p) => with_path(core, resource, op.op, p, value, false)?,
        }
    }
    Ok(())
}

// The value is an object of attributes; each key may itself be a path.
fn without_path(
    core: &'static str,
    obj: &mut Map<String, Value>,
    op: Op,
    value: Value,
) -> ScimResult<()> {
    if op == Op::Remove {
        return Err(ScimError::no_target("remove needs a path"));
    }
    let Value::Object(attrs) = value else {
        return Err(ScimError::invalid_syntax(
            "an operation without a path needs an object value",
        ));
    };
    for (key, v) in attrs {
        if key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        let path = parse_path(&key).map_err(|e| ScimError::invalid_path(e.to_string()))?;
        if path.attr.is_schema_only() {
            let Value::Object(inner) = v else {
                return Err(ScimError::invalid_syntax(format!(
                    "'{key}' must be an object"
                )));
            };
            for (k, iv) in inner {
                let p = PatchPath {
                    attr: AttrPath {
                        urn: path.attr.urn.clone(),
                        attr: k,
                        sub_attr: None,
                    },
                    filter: None,
                    sub_attr: None,
                };
                with_path(core, obj, op, &p, iv, true)?;
            }
        } else {
            with_path(core, obj, op, &path, v, true)?;
        }
    }
    Ok(())
}

fn is_core(core: &str, urn: Option<&str>) -> bool {
    urn.is_none_or(|u| u.eq_ignore_ascii_case(core))
}

fn with_path(
    core: &'static str,
    obj: &mut Map<String, Value>,
    op: Op,
    p: &PatchPath,
    value: Value,
    lenient: bool,
) -> ScimResult<()> {
    let a = &p.attr;
    let urn = a.urn.clone().unwrap_or_else(|| core.to_owned());
    if a.is_schema_only() {
        return schema_object(obj, op, &urn, value);
    }
    let def = schema::find(&urn, &a.attr, None);
    match def {
        // Even without a path: a value nobody keeps is refused, not dropped.
        None => return Err(ScimError::invalid_path(format!("no attribute '{a}'"))),
        Some(d) if d.mutability == schema::Mutability::ReadOnly => {
            if lenient {
                return Ok(());
            }
            return Err(ScimError::mutability(format!("'{a}' is read-only")));
        }
        _ => {}
    }
    let multi = def.is_some_and(|d| d.multi);
    let value = if value.is_null() && op == Op::Replace {
        return remove_attr(obj, core, a);
    } else {
        value
    };
    let container = container(obj, core, a.urn.as_deref(), op != Op::Remove);
    let Some(container) = container else {
        return Ok(());
    };
    match (&p.filter, &a.sub_attr) {
        (Some(f), _) => value_path(
            &urn,
            container,
            op,
            &a.attr,
            f,
            p.sub_attr.as_deref(),
            value,
        ),
        (None, Some(sub)) => sub_attr(container, op, &a.attr, sub, value),
        (None, None) => plain(container, op, &a.attr, multi, value),
    }
}

fn schema_object(obj: &mut Map<String, Value>, op: Op, urn: &str, value: Value) -> ScimResult<()> {
    match op {
        Op::Remove => {
            remove(obj, urn);
        }
        _ => {
            let Value::Object(v) = value else {
                return Err(ScimError::invalid_syntax(format!(
                    "'{urn}' needs an object"
                )));
            };
            let target = container(obj, "", Some(urn), true)
                .ok_or_else(|| ScimError::invalid_path(urn.to_owned()))?;
            for (k, iv) in v {
                set(target, &k, iv);
            }
        }
    }
    Ok(())
}

fn remove_attr(obj: &mut Map<String, Value>, core: &str, a: &AttrPath) -> ScimResult<()> {
    if let Some(c) = container(obj, core, a.urn.as_deref(), false) {
        match &a.sub_attr {
            None => {
                remove(c, &a.attr);
            }
            Some(sub) => {
                if let Some(Value::Object(o)) = get_mut(c, &a.attr) {
                    remove(o, sub);
                }
            }
        }
    }
    Ok(())
}

/// The object an attribute lives in: the resource or its extension's object.
fn container<'a>(
    obj: &'a mut Map<String, Value>,
    core: &str,
    urn: Option<&str>,
    create: bool,
) -> Option<&'a mut Map<String, Value>> {
    if is_core(core, urn) {
        return Some(obj);
    }
    let urn = urn?;
    let key = match key_of(obj, urn) {
        Some(k) => k,
        None if create => {
            obj.insert(urn.to_owned(), Value::Object(Map::new()));
            urn.to_owned()
        }
        None => return None,
    };
    match obj.get_mut(&key)? {
        Value::Object(o) => Some(o),
        other if create => {
            *other = Value::Object(Map::new());
            other.as_object_mut()
        }
        _ => None,
    }
}

fn sub_attr(
    c: &mut Map<String, Value>,
    op: Op,
    attr: &str,
    sub: &str,
    value: Value,
) -> ScimResult<()> {
    match get_mut(c, attr) {
        Some(Value::Array(items)) => {
            for o in items.iter_mut().filter_map(|i| i.as_object_mut()) {
                match op {
                    Op::Remove => {
                        remove(o, sub);
                    }
                    _ => set(o, sub, value.clone()),
                }
            }
        }
        Some(Value::Object(o)) => match op {
            Op::Remove => {
                remove(o, sub);
            }
            _ => set(o, sub, value),
        },
        _ if op == Op::Remove => {}
        _ => set(
            c,
            attr,
            Value::Object(Map::from_iter([(sub.to_owned(), value)])),
        ),
    }
    Ok(())
}

fn plain(
    c: &mut Map<String, Value>,
    op: Op,
    attr: &str,
    multi: bool,
    value: Value,
) -> ScimResult<()> {
    match op {
        Op::Remove if value.is_null() => {
            remove(c, attr);
        }
        // Entra ID removes members by listing them in the value; a value on a
        // single-valued attribute (its manager) removes the attribute.
        Op::Remove => {
            let gone: Vec<Value> = as_list(Some(&value)).into_iter().map(item_key).collect();
            match get_mut(c, attr) {
                Some(Value::Array(items)) => items.retain(|i| !gone.contains(&item_key(i))),
                _ => {
                    remove(c, attr);
                }
            }
        }
        Op::Add if multi => {
            let mut items = match get(c, attr) {
                Some(Value::Array(a)) => a.clone(),
                _ => Vec::new(),
            };
            for v in as_list(Some(&value)) {
                if !items.iter().any(|i| item_key(i) == item_key(v)) {
                    items.push(v.clone());
                }
            }
            set(c, attr, Value::Array(items));
        }
        Op::Replace if multi => {
            let items: Vec<Value> = as_list(Some(&value)).into_iter().cloned().collect();
            set(c, attr, Value::Array(items));
        }
        _ => match (get_mut(c, attr), value) {
            (Some(Value::Object(old)), Value::Object(new)) => {
                for (k, v) in new {
                    set(old, &k, v);
                }
            }
            (_, v) => set(c, attr, v),
        },
    }
    Ok(())
}

// Items of multi-valued attributes are the same when their `value`s are.
fn item_key(v: &Value) -> Value {
    match v.as_object().and_then(|o| get(o, "value")) {
        Some(inner) => inner.clone(),
        None => v.clone(),
    }
}

fn value_path(
    urn: &str,
    c: &mut Map<String, Value>,
    op: Op,
    attr: &str,
    f: &Filter,
    sub: Option<&str>,
    value: Value,
) -> ScimResult<()> {
    let schema_urn = schema::schema(urn).map_or(schema::USER, |s| s.id);
    if get(c, attr).is_none() {
        set(c, attr, Value::Array(Vec::new()));
    }
    let Some(Value::Array(items)) = get_mut(c, attr) else {
        return Err(ScimError::invalid_path(format!(
            "'{attr}' is not multi-valued"
        )));
    };
    let mut hits = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Value::Object(o) = item else { continue };
        let t = Target {
            core: schema_urn,
            obj: o,
        };
        if matches_sub(&t, attr, f)? {
            hits.push(i);
        }
    }
    match op {
        Op::Remove => {
            for i in hits.into_iter().rev() {
                match sub {
                    Some(s) => {
                        if let Some(o) = items[i].as_object_mut() {
                            remove(o, s);
                        }
                    }
                    None => {
                        items.remove(i);
                    }
                }
            }
        }
        _ if hits.is_empty() => {
            // Entra ID replaces emails[type eq "work"].value on users that have
            // no work address yet: make the element the filter describes.
            let mut fresh = Map::new();
            if !equalities(f, &mut fresh) {
                return Err(ScimError::no_target(format!(
                    "no value of '{attr}' matches the filter"
                )));
            }
            match (sub, value) {
                (Some(s), v) => set(&mut fresh, s, v),
                (None, Value::Object(o)) => fresh.extend(o),
                (None, _) => return Err(ScimError::invalid_syntax("the value must be an object")),
            }
            items.push(Value::Object(fresh));
        }
        _ => {
            for i in hits {
                let Some(o) = items[i].as_object_mut() else {
                    continue;
                };
                match (sub, &value) {
                    (Some(s), v) => set(o, s, v.clone()),
                    (None, Value::Object(new)) if op == Op::Replace => *o = new.clone(),
                    (None, Value::Object(new)) => {
                        for (k, v) in new {
                            set(o, k, v.clone());
                        }
                    }
                    (None, _) => {
                        return Err(ScimError::invalid_syntax("the value must be an object"));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Collects `a eq "x" and b eq "y"` into an object; false for anything else.
fn equalities(f: &Filter, out: &mut Map<String, Value>) -> bool {
    match f {
        Filter::And(a, b) => equalities(a, out) && equalities(b, out),
        Filter::Compare(p, CompareOp::Eq, lit) => {
            let v = match lit {
                CompValue::Str(s) => Value::String(s.clone()),
                CompValue::Bool(b) => Value::Bool(*b),
                CompValue::Num(n) => Value::Number(n.clone()),
                CompValue::Null => return false,
            };
            out.insert(p.attr.clone(), v);
            true
        }
        _ => false,
    }
}
