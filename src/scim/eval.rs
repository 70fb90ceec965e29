//! Evaluates a parsed SCIM filter against a rendered resource (RFC 7644
//! §3.4.2.2): every operator, and/or/not, value filters on multi-valued
//! attributes, sub-attributes and URN-qualified paths, comparing strings with
//! or without case as the schema says. Also resolves attribute paths to values
//! for sorting. What cannot be compared (`gt` on a boolean, `co` on a number)
//! is an invalidFilter error.

use super::error::{ScimError, ScimResult};
use super::filter::{AttrPath, CompValue, CompareOp, Filter};
use super::json::get;
use super::schema;
use serde_json::{Map, Value};
use std::cmp::Ordering;

/// The resource a filter runs against, with its core schema's URN.
pub struct Target<'a> {
    pub core: &'static str,
    pub obj: &'a Map<String, Value>,
}

/// Whether the resource matches `f`.
pub fn matches(t: &Target<'_>, f: &Filter) -> ScimResult<bool> {
    match f {
        Filter::And(a, b) => Ok(matches(t, a)? && matches(t, b)?),
        Filter::Or(a, b) => Ok(matches(t, a)? || matches(t, b)?),
        Filter::Not(a) => Ok(!matches(t, a)?),
        Filter::Present(p) => Ok(values(t, p).iter().any(|v| present(v))),
        Filter::Compare(p, op, lit) => {
            let exact = case_exact(t.core, p);
            compare_any(&values(t, p), *op, lit, exact)
        }
        Filter::ValuePath { attr, filter } => {
            let schema = attr
                .urn
                .as_deref()
                .and_then(schema::schema)
                .map_or(t.core, |s| s.id);
            for item in elements(t, attr) {
                if let Value::Object(o) = item {
                    let inner = Target {
                        core: schema,
                        obj: o,
                    };
                    if matches_sub(&inner, &attr.attr, filter)? {
                        return Ok(true);
                    }
                }
            }
            Ok(false)
        }
    }
}

/// A value filter's inner expression: paths are sub-attributes of `parent`.
pub fn matches_sub(t: &Target<'_>, parent: &str, f: &Filter) -> ScimResult<bool> {
    match f {
        Filter::And(a, b) => Ok(matches_sub(t, parent, a)? && matches_sub(t, parent, b)?),
        Filter::Or(a, b) => Ok(matches_sub(t, parent, a)? || matches_sub(t, parent, b)?),
        Filter::Not(a) => Ok(!matches_sub(t, parent, a)?),
        Filter::Present(p) => Ok(get(t.obj, &p.attr).is_some_and(present)),
        Filter::Compare(p, op, lit) => {
            let exact = schema::case_exact(t.core, parent, Some(&p.attr));
            let vals: Vec<&Value> = get(t.obj, &p.attr).into_iter().collect();
            compare_any(&vals, *op, lit, exact)
        }
        Filter::ValuePath { .. } => Err(ScimError::invalid_filter("value filters cannot nest")),
    }
}

fn case_exact(core: &str, p: &AttrPath) -> bool {
    let urn = p.urn.as_deref().unwrap_or(core);
    schema::case_exact(urn, &p.attr, p.sub_attr.as_deref())
}

fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

/// The object a path's attribute lives in: the resource, or an extension's.
fn container<'a>(t: &Target<'a>, p: &AttrPath) -> Option<&'a Map<String, Value>> {
    match p.urn.as_deref() {
        Some(urn) if !urn.eq_ignore_ascii_case(t.core) => get(t.obj, urn)?.as_object(),
        _ => Some(t.obj),
    }
}

/// The attribute a path names, before any flattening.
fn attribute<'a>(t: &Target<'a>, p: &AttrPath) -> Option<&'a Value> {
    let base = container(t, p)?;
    get(base, &p.attr).or_else(|| {
        // An unqualified name may belong to an extension (employeeNumber).
        if p.urn.is_some() {
            return None;
        }
        base.iter()
            .filter(|(k, _)| k.starts_with("urn:"))
            .find_map(|(_, v)| v.as_object().and_then(|o| get(o, &p.attr)))
    })
}

/// The elements of a (multi-valued) attribute, as stored.
fn elements<'a>(t: &Target<'a>, p: &AttrPath) -> Vec<&'a Value> {
    match attribute(t, p) {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(other) => vec![other],
        None => Vec::new(),
    }
}

/// Every value a path names: array items are flattened, and a multi-valued
/// complex attribute without a sub-attribute stands for its `value`s.
pub fn values<'a>(t: &Target<'a>, p: &AttrPath) -> Vec<&'a Value> {
    let Some(top) = attribute(t, p) else {
        return Vec::new();
    };
    let items: Vec<&Value> = match top {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let sub = p.sub_attr.as_deref();
    let mut out = Vec::new();
    for item in items {
        match (item, sub) {
            (Value::Object(o), Some(s)) => out.extend(get(o, s)),
            (Value::Object(o), None) if top.is_array() => out.extend(get(o, "value")),
            (v, None) => out.push(v),
            _ => {}
        }
    }
    out
}

fn compare_any(vals: &[&Value], op: CompareOp, lit: &CompValue, exact: bool) -> ScimResult<bool> {
    if op == CompareOp::Ne {
        return Ok(!compare_any(vals, CompareOp::Eq, lit, exact)?);
    }
    if let (CompValue::Null, CompareOp::Eq) = (lit, op) {
        return Ok(!vals.iter().any(|v| present(v)));
    }
    for v in vals {
        if compare(v, op, lit, exact)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn compare(v: &Value, op: CompareOp, lit: &CompValue, exact: bool) -> ScimResult<bool> {
    use CompareOp::*;
    match (v, lit) {
        (Value::String(s), CompValue::Str(l)) => {
            let (a, b) = if exact {
                (s.clone(), l.clone())
            } else {
                (s.to_lowercase(), l.to_lowercase())
            };
            Ok(match op {
                Eq => a == b,
                Ne => a != b,
                Co => a.contains(&b),
                Sw => a.starts_with(&b),
                Ew => a.ends_with(&b),
                Gt => a > b,
                Ge => a >= b,
                Lt => a < b,
                Le => a <= b,
            })
        }
        (Value::Bool(b), CompValue::Bool(l)) => match op {
            Eq => Ok(b == l),
            Ne => Ok(b != l),
            _ => Err(ScimError::invalid_filter(format!(
                "'{op}' does not apply to booleans"
            ))),
        },
        (Value::Number(n), CompValue::Num(l)) => {
            let (Some(a), Some(b)) = (n.as_f64(), l.as_f64()) else {
                return Ok(false);
            };
            let ord = a.partial_cmp(&b).unwrap_or(Ordering::Equal);
            match op {
                Eq => Ok(ord == Ordering::Equal),
                Ne => Ok(ord != Ordering::Equal),
                Gt => Ok(ord == Ordering::Greater),
                Ge => Ok(ord != Ordering::Less),
                Lt => Ok(ord == Ordering::Less),
                Le => Ok(ord != Ordering::Greater),
                _ => Err(ScimError::invalid_filter(format!(
                    "'{op}' does not apply to numbers"
                ))),
            }
        }
        (_, CompValue::Bool(_)) | (Value::Bool(_), _) if !matches!(op, Eq | Ne) => Err(
            ScimError::invalid_filter(format!("'{op}' does not apply to booleans")),
        ),
        // Different types never match (a string never equals a number).
        _ => Ok(false),
    }
}
