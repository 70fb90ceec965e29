//! What a search returns of each entry and in which order: attribute
//! selection (RFC 4511 §4.5.1.8 with RFC 3673's `+`), parsed once per
//! search into a [`Selection`], and server-side sorting (RFC 2891) with the
//! schema's ordering rules, mapped to slapd's result codes on failure.

use std::cmp::Ordering;

use super::entry::{Attr, Description, Entry};
use super::schema::{self, AttributeType, MatchingRule, Normalized};

/// The attributes a search request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// `*`, or an empty list: every user attribute.
    all_user: bool,
    /// `+`: every operational attribute.
    all_operational: bool,
    /// Types named explicitly (each with its subtypes).
    types: Vec<&'static AttributeType>,
}

impl Selection {
    /// Parses the requested list: names, aliases and OIDs in any case; `*`;
    /// `+`; `1.1` (no attributes; it adds nothing, so it only matters when
    /// alone, and is ignored next to other names). Unknown names are ignored,
    /// as are descriptions with tagging options (`cn;lang-en`): dirgate
    /// stores no tagged values.
    pub fn parse(requested: &[String]) -> Selection {
        let mut selection = Selection {
            all_user: requested.is_empty(),
            all_operational: false,
            types: Vec::new(),
        };
        for name in requested {
            match name.trim_matches(' ') {
                "*" => selection.all_user = true,
                "+" => selection.all_operational = true,
                "1.1" => {}
                other => selection.add(other),
            }
        }
        selection
    }

    fn add(&mut self, name: &str) {
        let Some(desc) = Description::parse(name).filter(|d| !d.tagged) else {
            return;
        };
        if !self.types.iter().any(|t| t.oid == desc.ty.oid) {
            self.types.push(desc.ty);
        }
    }

    /// Whether values of `ty` are returned.
    pub fn wants(&self, ty: &AttributeType) -> bool {
        let by_wildcard = if ty.is_operational() {
            self.all_operational
        } else {
            self.all_user
        };
        by_wildcard || self.types.iter().any(|t| ty.is_subtype_of(t))
    }

    /// Whether the operational attribute `ty` is requested (`+` or by
    /// name), so that the server computes costly ones (memberOf,
    /// hasSubordinates, ...) only when asked. False for user attributes.
    pub fn wants_operational(&self, ty: &AttributeType) -> bool {
        ty.is_operational() && self.wants(ty)
    }

    /// The attributes to send, taken from an entry's `attrs` (in their order),
    /// each once and under its canonical name (as slapd: asking for
    /// `commonName` returns `cn`); with `types_only` the value lists are
    /// empty. Takes the attributes so their values move into the answer.
    pub fn apply(&self, attrs: Vec<Attr>, types_only: bool) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        let wanted = attrs
            .into_iter()
            .filter(|a| !a.values.is_empty() && self.wants(a.ty));
        for attr in wanted {
            let name = attr.ty.canonical();
            let values = if types_only { Vec::new() } else { attr.values };
            // Entries built with `Entry::push` hold each type once; merge in
            // case one was assembled by hand.
            match out.iter_mut().find(|(n, _)| n == name) {
                Some((_, existing)) => existing.extend(values),
                None => out.push((name.to_owned(), values)),
            }
        }
        out
    }
}

impl Selection {
    /// Like [`Selection::apply`] without taking or copying anything: the
    /// selected attributes of `attrs` with their types, for encoding
    /// straight to the wire (under the names `binary::wire_name` gives).
    /// Relies on each type appearing once, as [`Entry::push`] guarantees.
    pub fn pick<'e>(&self, attrs: &'e [Attr]) -> Vec<(&'static AttributeType, &'e [String])> {
        attrs
            .iter()
            .filter(|a| !a.values.is_empty() && self.wants(a.ty))
            .map(|a| (a.ty, a.values.as_slice()))
            .collect()
    }
}

/// RFC 4511 §4.5.1.8 attribute selection for one entry; see [`Selection`].
pub fn select(entry: &Entry, requested: &[String], types_only: bool) -> Vec<(String, Vec<String>)> {
    Selection::parse(requested).apply(entry.attrs.clone(), types_only)
}

/// One RFC 2891 sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub attr: String,
    pub ordering_rule: Option<String>,
    pub reverse: bool,
}

/// Why a sort request cannot be honoured. [`SortError::result_code`] gives
/// the sortResult code, the same slapd's sssvlv overlay returns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SortError {
    #[error("serverSort control: Unrecognized attribute type in sort key: {0}")]
    UnknownAttribute(String),
    #[error("serverSort control: No ordering rule for {0}")]
    NoOrderingRule(String),
    #[error("serverSort control: No ordering rule {0}")]
    UnknownRule(String),
}

impl SortError {
    /// noSuchAttribute (16) for an unknown type, inappropriateMatching
    /// (18) for a missing or unknown rule (RFC 2891 §1.2, slapd sssvlv).
    pub fn result_code(&self) -> u32 {
        match self {
            SortError::UnknownAttribute(_) => 16,
            SortError::NoOrderingRule(_) | SortError::UnknownRule(_) => 18,
        }
    }
}

/// A sort key resolved against the schema.
struct Resolved {
    desc: Description,
    rule: MatchingRule,
    reverse: bool,
}

fn resolve(key: &SortKey) -> Result<Resolved, SortError> {
    let desc = Description::parse(&key.attr)
        .ok_or_else(|| SortError::UnknownAttribute(key.attr.clone()))?;
    let rule = match &key.ordering_rule {
        Some(name) => {
            schema::matching_rule(name).ok_or_else(|| SortError::UnknownRule(name.clone()))?
        }
        // Without an ORDERING rule (uid, cn, mail…), the equality rule's
        // normalized values still order sensibly; slapd refuses these sorts,
        // but applications ask for them and an answer serves them better.
        None => desc
            .ty
            .ordering
            .or(desc.ty.equality)
            .ok_or_else(|| SortError::NoOrderingRule(key.attr.clone()))?,
    };
    Ok(Resolved {
        desc,
        rule,
        reverse: key.reverse,
    })
}

/// Sorts entries in place by `keys`, the first most significant; the sort
/// is stable. An entry's value for a key is its smallest value under the
/// rule (largest when reversed); entries without a valid value count as
/// larger than any value (RFC 2891 §1.1), so they come last, or first when
/// the key is reversed. Every key is checked before anything
/// moves, so on error the entries keep their order.
pub fn sort_entries(entries: &mut [Entry], keys: &[SortKey]) -> Result<(), SortError> {
    let keys: Vec<Resolved> = keys.iter().map(resolve).collect::<Result<_, _>>()?;
    // Values are normalized once per entry and key, not per comparison.
    entries.sort_by_cached_key(|entry| {
        keys.iter()
            .map(|key| sort_value(entry, key))
            .collect::<Vec<_>>()
    });
    Ok(())
}

fn sort_value(entry: &Entry, key: &Resolved) -> SortValue {
    let values = entry.get(key.desc.ty).filter(|_| !key.desc.tagged);
    let normalized = values
        .into_iter()
        .flatten()
        .filter_map(|v| key.rule.normalize(v));
    let value = if key.reverse {
        normalized.max()
    } else {
        normalized.min()
    };
    SortValue {
        value,
        reverse: key.reverse,
    }
}

/// An entry's normalized value for one key. Values of one key come from
/// one rule, so they share a `Normalized` variant and compare by the
/// rule's ordering; a missing value is greater than any value whatever
/// the direction.
#[derive(Debug, PartialEq, Eq)]
struct SortValue {
    value: Option<Normalized>,
    reverse: bool,
}

impl Ord for SortValue {
    fn cmp(&self, other: &Self) -> Ordering {
        let ascending = match (&self.value, &other.value) {
            (Some(a), Some(b)) => a.cmp(b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        if self.reverse {
            ascending.reverse()
        } else {
            ascending
        }
    }
}

impl PartialOrd for SortValue {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests;
