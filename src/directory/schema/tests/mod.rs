//! Schema-wide tests: lookups, table consistency, matching through the
//! public API, write validation and the rendered subschema text. Unit tests
//! of the helpers live next to them (prep, time, values).

mod lookup;
mod matching;
mod render;
mod tables;
mod validate;

use super::{AttributeType, attribute};

/// Test shorthand: the attribute must exist.
fn at(name: &str) -> &'static AttributeType {
    attribute(name).unwrap_or_else(|| panic!("unknown attribute {name}"))
}
