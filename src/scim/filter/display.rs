//! The canonical text form of filters and paths: `parse_filter` of a
//! displayed filter gives back an equal filter.

use super::{AttrPath, CompValue, CompareOp, Filter, PatchPath};
use std::fmt;

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            f.write_str(urn)?;
            if self.attr.is_empty() {
                return Ok(());
            }
            f.write_str(":")?;
        }
        f.write_str(&self.attr)?;
        match &self.sub_attr {
            Some(sub) => write!(f, ".{sub}"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Str(text) => {
                let quoted = serde_json::to_string(text).map_err(|_| fmt::Error)?;
                f.write_str(&quoted)
            }
            CompValue::Num(number) => write!(f, "{number}"),
            CompValue::Bool(flag) => write!(f, "{flag}"),
            CompValue::Null => f.write_str("null"),
        }
    }
}

/// Canonical form: lower-case operators, JSON-quoted strings, and only the
/// parentheses that precedence requires, so `parse_filter` gives back an
/// equal [`Filter`].
impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, Precedence::Or)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Precedence {
    Or,
    And,
    Term,
}

impl Filter {
    fn precedence(&self) -> Precedence {
        match self {
            Filter::Or(..) => Precedence::Or,
            Filter::And(..) => Precedence::And,
            _ => Precedence::Term,
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, context: Precedence) -> fmt::Result {
        if self.precedence() >= context {
            return self.write_bare(f);
        }
        f.write_str("(")?;
        self.write_bare(f)?;
        f.write_str(")")
    }

    // The right operand is written one level tighter: the parser is
    // left-associative, so `a or (b or c)` must keep its parentheses.
    fn write_bare(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Or(left, right) => {
                left.write(f, Precedence::Or)?;
                f.write_str(" or ")?;
                right.write(f, Precedence::And)
            }
            Filter::And(left, right) => {
                left.write(f, Precedence::And)?;
                f.write_str(" and ")?;
                right.write(f, Precedence::Term)
            }
            Filter::Not(inner) => {
                f.write_str("not (")?;
                inner.write(f, Precedence::Or)?;
                f.write_str(")")
            }
            Filter::Present(attr) => write!(f, "{attr} pr"),
            Filter::Compare(attr, op, value) => write!(f, "{attr} {op} {value}"),
            Filter::ValuePath { attr, filter } => {
                write!(f, "{attr}[")?;
                filter.write(f, Precedence::Or)?;
                f.write_str("]")
            }
        }
    }
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.attr)?;
        if let Some(filter) = &self.filter {
            write!(f, "[{filter}]")?;
        }
        match &self.sub_attr {
            Some(sub) => write!(f, ".{sub}"),
            None => Ok(()),
        }
    }
}
