//! Small helpers for reading client JSON the lenient way identity providers
//! need: attribute names matched ignoring case (RFC 7643 §2.1), booleans that
//! arrive as the strings "True"/"False" (Entra ID), and numbers as strings.

use super::error::{ScimError, ScimResult};
use serde_json::{Map, Value};

/// The value under `name` (ignoring case), if present and not null.
pub fn get<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .filter(|v| !v.is_null())
}

/// The key under which `name` is stored (ignoring case).
pub fn key_of(obj: &Map<String, Value>, name: &str) -> Option<String> {
    obj.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

/// A mutable reference to the value under `name` (ignoring case).
pub fn get_mut<'a>(obj: &'a mut Map<String, Value>, name: &str) -> Option<&'a mut Value> {
    obj.iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// Removes `name` (ignoring case); true when something was there.
pub fn remove(obj: &mut Map<String, Value>, name: &str) -> bool {
    match key_of(obj, name) {
        Some(k) => obj.remove(&k).is_some(),
        None => false,
    }
}

/// Sets `name`, reusing the existing key's spelling when there is one.
pub fn set(obj: &mut Map<String, Value>, name: &str, value: Value) {
    let key = key_of(obj, name).unwrap_or_else(|| name.to_owned());
    obj.insert(key, value);
}

/// An optional string attribute; an empty string counts as absent.
pub fn opt_str(obj: &Map<String, Value>, name: &str) -> ScimResult<Option<String>> {
    match get(obj, name) {
        None => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(Value::Bool(b)) => Ok(Some(b.to_string())),
        Some(_) => Err(ScimError::invalid_value(format!(
            "'{name}' must be a string"
        ))),
    }
}

/// A boolean, accepting "true"/"false" strings in any case.
pub fn as_bool(name: &str, v: &Value) -> ScimResult<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(ScimError::invalid_value(format!(
            "'{name}' must be a boolean"
        ))),
    }
}

/// An optional boolean attribute.
pub fn opt_bool(obj: &Map<String, Value>, name: &str) -> ScimResult<Option<bool>> {
    get(obj, name).map(|v| as_bool(name, v)).transpose()
}

/// An object attribute, or an error naming it.
pub fn as_object<'a>(name: &str, v: &'a Value) -> ScimResult<&'a Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| ScimError::invalid_value(format!("'{name}' must be an object")))
}

/// A list attribute (a single object is taken as a list of one).
pub fn as_list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter(|v| !v.is_null()).collect(),
        Some(other) => vec![other],
    }
}

/// Drops null members and empty strings, so rendered resources omit what is unset.
pub fn compact(obj: Map<String, Value>) -> Map<String, Value> {
    obj.into_iter()
        .filter(|(_, v)| match v {
            Value::Null => false,
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
            _ => true,
        })
        .collect()
}
