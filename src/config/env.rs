//! The environment over the file, by one rule: every key `k` of section
//! `[s]` is `DIRGATE_<S>_<K>`, every top-level key `DIRGATE_<K>` (upper
//! case). The keys and their types come from the file's own shape
//! (`raw::RawConfig`, through its JSON schema), so a key added to a section
//! is overridable without a line here. Values are read as that key's type:
//! `true`/`false` (also 1/0, yes/no), an integer, text, or a comma-separated
//! list. `DIRGATE_LDAPS_LISTEN` is kept as an older name of
//! `DIRGATE_LDAP_LDAPS_LISTEN`.

use super::ConfigError;
use super::raw::RawConfig;
use serde_json::Value as Json;
use toml::{Table, Value};

/// Older names that still work: (variable, section, key).
const ALIASES: &[(&str, &str, &str)] = &[("DIRGATE_LDAPS_LISTEN", "ldap", "ldaps_listen")];

/// One overridable key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvKey {
    pub variable: String,
    /// `None` for a top-level key.
    pub section: Option<String>,
    pub key: String,
    /// The JSON schema type: boolean, integer, string or array.
    kind: String,
}

impl EnvKey {
    /// `section.key`, as the file spells it.
    pub fn dotted(&self) -> String {
        match &self.section {
            Some(s) => format!("{s}.{}", self.key),
            None => self.key.clone(),
        }
    }
}

/// Every key of the file with its variable, in the file's order.
pub fn keys() -> Vec<EnvKey> {
    let schema = serde_json::to_value(schemars::schema_for!(RawConfig)).unwrap_or_default();
    let mut out = Vec::new();
    let Some(top) = schema["properties"].as_object() else {
        return out;
    };
    for (name, prop) in top {
        let resolved = resolve(&schema, prop);
        match resolved["properties"].as_object() {
            Some(section) => {
                for (key, p) in section {
                    out.push(EnvKey {
                        variable: format!("DIRGATE_{}_{}", name, key).to_ascii_uppercase(),
                        section: Some(name.clone()),
                        key: key.clone(),
                        kind: kind(resolve(&schema, p)),
                    });
                }
            }
            None => out.push(EnvKey {
                variable: format!("DIRGATE_{name}").to_ascii_uppercase(),
                section: None,
                key: name.clone(),
                kind: kind(resolved),
            }),
        }
    }
    out
}

/// A `$ref` (to a section's definition) followed, once.
fn resolve<'a>(schema: &'a Json, prop: &'a Json) -> &'a Json {
    let Some(r) = prop["$ref"].as_str() else {
        // `allOf: [{$ref}]` is how some generators spell a reference with a default.
        if let Some(first) = prop["allOf"].as_array().and_then(|a| a.first()) {
            return resolve(schema, first);
        }
        return prop;
    };
    let path = r.trim_start_matches("#/");
    path.split('/').fold(schema, |v, part| &v[part])
}

/// The key's type, without its `null` (every key is optional).
fn kind(prop: &Json) -> String {
    match &prop["type"] {
        Json::String(t) => t.clone(),
        Json::Array(ts) => ts
            .iter()
            .filter_map(|t| t.as_str())
            .find(|t| *t != "null")
            .unwrap_or("string")
            .to_owned(),
        _ => "string".to_owned(),
    }
}

/// Puts every variable that is set over `table` (the file as parsed).
pub(super) fn overlay(
    table: &mut Table,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    let mut keys = keys();
    for (alias, section, key) in ALIASES {
        if let Some(k) = keys
            .iter()
            .find(|k| k.section.as_deref() == Some(*section) && k.key == *key)
        {
            let mut old = k.clone();
            old.variable = (*alias).to_owned();
            // The rule's own name wins over the alias: it comes later.
            keys.insert(0, old);
        }
    }
    for k in keys {
        let Some(raw) = env(&k.variable) else {
            continue;
        };
        let value = parse(&k, &raw)?;
        let slot = match &k.section {
            Some(s) => {
                let section = table
                    .entry(s.clone())
                    .or_insert_with(|| Value::Table(Table::new()));
                match section {
                    Value::Table(t) => t,
                    _ => {
                        return Err(ConfigError::Env {
                            variable: k.variable,
                            message: format!("[{s}] in the file is not a section"),
                        });
                    }
                }
            }
            None => &mut *table,
        };
        slot.insert(k.key.clone(), value);
    }
    Ok(())
}

/// `raw` read as `k`'s type.
fn parse(k: &EnvKey, raw: &str) -> Result<Value, ConfigError> {
    let bad = |what: &str| ConfigError::Env {
        variable: k.variable.clone(),
        message: format!("'{raw}' is not {what} ({})", k.dotted()),
    };
    Ok(match k.kind.as_str() {
        "boolean" => match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Value::Boolean(true),
            "false" | "0" | "no" => Value::Boolean(false),
            _ => return Err(bad("true or false")),
        },
        "integer" => Value::Integer(raw.trim().parse().map_err(|_| bad("a whole number"))?),
        "array" => Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        ),
        _ => Value::String(raw.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_its_variable_and_none_is_taken() {
        let keys = keys();
        let find = |v: &str| keys.iter().find(|k| k.variable == v).map(|k| k.dotted());
        assert_eq!(find("DIRGATE_DATA_DIR").as_deref(), Some("data_dir"));
        assert_eq!(find("DIRGATE_LDAP_LISTEN").as_deref(), Some("ldap.listen"));
        assert_eq!(
            find("DIRGATE_NOTIFY_SMTP_PASSWORD").as_deref(),
            Some("notify.smtp_password")
        );
        assert_eq!(
            find("DIRGATE_PASSWORDS_ARGON2_MEMORY_KIB").as_deref(),
            Some("passwords.argon2_memory_kib")
        );
        assert_eq!(find("DIRGATE_BACKUP_KEEP").as_deref(), Some("backup.keep"));
        assert!(keys.len() > 60, "{}", keys.len());
        // Two keys never share a variable, and none is a variable the
        // programs read for something else.
        let mut seen = std::collections::HashSet::new();
        for k in &keys {
            assert!(seen.insert(k.variable.clone()), "{} twice", k.variable);
        }
        for other in [
            "DIRGATE_CONFIG",
            "DIRGATE_LOG",
            "DIRGATE_LOG_FORMAT",
            "DIRGATE_URL",
            "DIRGATE_PASSWORD",
            "DIRGATE_TOKEN",
        ] {
            assert!(!seen.contains(other), "{other} is also a configuration key");
        }
    }
}
