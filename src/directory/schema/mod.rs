//! The core's table of attribute types and object classes: what an entry
//! may hold and how its values compare. The LDAP front end serves it
//! (`cn=Subschema`, filters, writes); `super::attributes` adds the SCIM,
//! profile and import columns of the texts other front ends share, naming
//! rows of this table. Plain data and value rules: no protocol crate.
//!
//! Here: the static tables (`attributes`, `operational`, `classes`,
//! `dirgate`), lookup by name, alias or OID ignoring case, the matching rules
//! filters are evaluated with (`matching`, `prep`, `values`), the value
//! syntax checks applied to writes (`syntax`), GeneralizedTime conversion
//! (`gentime`) and the `cn=Subschema` entry in RFC 4512 §4.1 format
//! (`render`).
//!
//! Definitions are copied from OpenLDAP (core, cosine, inetorgperson and nis
//! schema files, `schema_prep.c`, the memberof and ppolicy overlays) so that
//! clients written against slapd see the same schema. Everything published
//! in `cn=Subschema` is rendered from these tables, so the subschema always
//! describes exactly what the code implements.
//!
//! Attribute names given to [`attribute`] must be bare attribute types:
//! options such as `;binary` or `;lang-en` are the caller's to strip.

mod attributes;
mod classes;
mod dirgate;
mod gentime;
mod matching;
mod operational;
mod prep;
mod render;
mod syntax;
mod values;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

pub use dirgate::{DIRGATE_ARC, LIFECYCLE_STATES, RIGHTS};
pub use gentime::{generalized_time, generalized_time_to_unix_millis, parse_generalized_time};
pub use matching::{
    MatchingRule, Normalized, approx, equality, matching_rule, ordering, substrings,
};
pub use render::{SubschemaValues, slapd_schema, subschema_values};
pub use syntax::{Syntax, SyntaxError, oids as syntax_oids, syntax, validate};
pub use values::Integer;

/// DN of the subschema subentry every entry's `subschemaSubentry` points to.
pub const SUBSCHEMA_DN: &str = "cn=Subschema";

/// Object classes of the `cn=Subschema` entry, as slapd lists them:
/// `extensibleObject` is what allows `ldapSyntaxes`, which the `subschema`
/// class itself does not list. Like slapd's, the entry has no
/// `subtreeSpecification` although `subentry` requires one: it is
/// synthesized, never schema-checked.
pub const SUBSCHEMA_ENTRY_CLASSES: &[&str] = &["top", "subentry", "subschema", "extensibleObject"];

/// The RFC 4517 Boolean encoding written to entries: `TRUE` / `FALSE`.
pub fn boolean_value(b: bool) -> &'static str {
    if b { "TRUE" } else { "FALSE" }
}

/// The `USAGE` of an attribute type (RFC 4512 §4.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Usage {
    UserApplications,
    DirectoryOperation,
    DistributedOperation,
    DsaOperation,
}

impl Usage {
    /// The keyword used in attribute type descriptions.
    pub fn keyword(self) -> &'static str {
        match self {
            Usage::UserApplications => "userApplications",
            Usage::DirectoryOperation => "directoryOperation",
            Usage::DistributedOperation => "distributedOperation",
            Usage::DsaOperation => "dSAOperation",
        }
    }
}

/// Extra value restrictions dirgate enforces on its own attributes on top
/// of the syntax; standard attributes use `Constraint::None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    None,
    /// The value must be one of these, spelled exactly so (filters still
    /// match them with the attribute's equality rule).
    OneOf(&'static [&'static str]),
    /// Integer values must not be negative.
    NonNegative,
}

/// An attribute type. `equality`, `ordering`, `substr` and `syntax` hold the
/// effective values, already inherited from `sup` where the definition does
/// not override them, so matching code never has to walk the supertype chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeType {
    pub oid: &'static str,
    /// First name is the canonical one, the others are aliases.
    pub names: &'static [&'static str],
    /// Empty when the definition has no DESC.
    pub desc: &'static str,
    /// Numeric OID of the value syntax, without a length bound.
    pub syntax: &'static str,
    /// Suggested maximum length (`{n}` after the syntax OID); published only,
    /// never enforced (slapd does not enforce it either).
    pub syntax_len: Option<u32>,
    pub equality: Option<MatchingRule>,
    pub ordering: Option<MatchingRule>,
    pub substr: Option<MatchingRule>,
    pub single_value: bool,
    pub no_user_modification: bool,
    pub usage: Usage,
    /// Name of the supertype, as written in the definition.
    pub sup: Option<&'static str>,
    pub constraint: Constraint,
}

impl AttributeType {
    /// Operational attributes are those whose usage is not userApplications
    /// (RFC 4512 §3.4): never returned by `*`, not governed by object classes.
    pub fn is_operational(&self) -> bool {
        self.usage != Usage::UserApplications
    }

    /// The canonical (first) name.
    pub fn canonical(&self) -> &'static str {
        self.names.first().copied().unwrap_or(self.oid)
    }

    /// Whether `name` (any alias or the OID, case-insensitive) names this type.
    pub fn has_name(&self, name: &str) -> bool {
        self.oid == name || self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// The direct supertype, if any.
    pub fn supertype(&self) -> Option<&'static AttributeType> {
        self.sup.and_then(attribute)
    }

    /// True when `self` is `ancestor` or one of its subtypes; a filter on
    /// `name` also matches `cn`, `sn`, ... (RFC 4512 §2.5.1).
    pub fn is_subtype_of(&self, ancestor: &AttributeType) -> bool {
        let mut current = Some(self);
        while let Some(at) = current {
            if at.oid == ancestor.oid {
                return true;
            }
            current = at.supertype();
        }
        false
    }

    /// Values are binary (JPEG, certificates, ...): bytes, not UTF-8 text,
    /// written base64-encoded in LDIF, not checked by [`validate`].
    pub fn is_binary(&self) -> bool {
        syntax::is_binary(self.syntax)
    }

    /// Values travel under `<name>;binary` (certificates): writes must name
    /// the option, reads answer with it (RFC 4522).
    pub fn is_binary_transfer(&self) -> bool {
        syntax::is_binary_transfer(self.syntax)
    }

    /// Syntax check for a value about to be written; see [`validate`].
    pub fn validate(&self, value: &str) -> Result<(), SyntaxError> {
        validate(self, value)
    }

    /// The table rows are built with these `const fn`s so that each
    /// definition stays as short as its schema-file counterpart.
    const fn new(
        oid: &'static str,
        names: &'static [&'static str],
        desc: &'static str,
        syntax: &'static str,
    ) -> Self {
        AttributeType {
            oid,
            names,
            desc,
            syntax,
            syntax_len: None,
            equality: None,
            ordering: None,
            substr: None,
            single_value: false,
            no_user_modification: false,
            usage: Usage::UserApplications,
            sup: None,
            constraint: Constraint::None,
        }
    }

    /// A subtype of `parent` (named `parent_name`): inherits syntax, rules
    /// and usage, as RFC 4512 §2.5.1 prescribes.
    const fn derive(
        parent: AttributeType,
        parent_name: &'static str,
        oid: &'static str,
        names: &'static [&'static str],
        desc: &'static str,
    ) -> Self {
        AttributeType {
            oid,
            names,
            desc,
            sup: Some(parent_name),
            single_value: false,
            no_user_modification: false,
            constraint: Constraint::None,
            ..parent
        }
    }

    const fn max_len(mut self, len: u32) -> Self {
        self.syntax_len = Some(len);
        self
    }

    const fn equality(mut self, rule: MatchingRule) -> Self {
        self.equality = Some(rule);
        self
    }

    const fn ordering(mut self, rule: MatchingRule) -> Self {
        self.ordering = Some(rule);
        self
    }

    const fn substr(mut self, rule: MatchingRule) -> Self {
        self.substr = Some(rule);
        self
    }

    const fn single(mut self) -> Self {
        self.single_value = true;
        self
    }

    const fn no_mod(mut self) -> Self {
        self.no_user_modification = true;
        self
    }

    const fn usage(mut self, usage: Usage) -> Self {
        self.usage = usage;
        self
    }

    const fn constraint(mut self, constraint: Constraint) -> Self {
        self.constraint = constraint;
        self
    }
}

/// The kind of an object class (RFC 4512 §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClassKind {
    Abstract,
    Structural,
    Auxiliary,
}

impl ClassKind {
    pub fn keyword(self) -> &'static str {
        match self {
            ClassKind::Abstract => "ABSTRACT",
            ClassKind::Structural => "STRUCTURAL",
            ClassKind::Auxiliary => "AUXILIARY",
        }
    }
}

/// An object class. Attribute and class names in `sup`, `must` and `may` are
/// kept exactly as the source schema spells them (e.g. `x500uniqueIdentifier`)
/// and resolve case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectClass {
    pub oid: &'static str,
    pub names: &'static [&'static str],
    pub desc: &'static str,
    pub kind: ClassKind,
    pub sup: &'static [&'static str],
    pub must: &'static [&'static str],
    pub may: &'static [&'static str],
}

impl ObjectClass {
    pub fn canonical(&self) -> &'static str {
        self.names.first().copied().unwrap_or(self.oid)
    }

    /// Direct superclasses (unknown names are skipped; a test guarantees
    /// there are none).
    pub fn superclasses(&self) -> impl Iterator<Item = &'static ObjectClass> + use<> {
        self.sup.iter().filter_map(|name| object_class(name))
    }

    /// True when `self` is `ancestor` or inherits from it.
    pub fn is_subclass_of(&self, ancestor: &ObjectClass) -> bool {
        self.oid == ancestor.oid || self.superclasses().any(|s| s.is_subclass_of(ancestor))
    }

    /// Whether the class or one of its superclasses requires `attr`.
    pub fn requires(&self, attr: &AttributeType) -> bool {
        match closure(self) {
            Some(c) => c.must.iter().any(|t| t.oid == attr.oid),
            None => self.requires_walk(attr),
        }
    }

    /// Whether the class or one of its superclasses lists `attr` in MUST or
    /// MAY. Class-level only: an entry with `extensibleObject` may hold any
    /// user attribute, and operational attributes need no class at all.
    pub fn allows(&self, attr: &AttributeType) -> bool {
        match closure(self) {
            Some(c) => c.allowed.contains(attr.oid),
            None => self.allows_walk(attr),
        }
    }

    /// Every attribute type the class or a superclass requires.
    pub fn required(&self) -> std::borrow::Cow<'static, [&'static AttributeType]> {
        match closure(self) {
            Some(c) => std::borrow::Cow::Borrowed(&c.must),
            None => attribute_types()
                .filter(|t| self.requires_walk(t))
                .collect(),
        }
    }

    fn requires_walk(&self, attr: &AttributeType) -> bool {
        self.must.iter().any(|n| attr.has_name(n))
            || self.superclasses().any(|s| s.requires_walk(attr))
    }

    fn allows_walk(&self, attr: &AttributeType) -> bool {
        self.may.iter().any(|n| attr.has_name(n))
            || self.requires_walk(attr)
            || self.superclasses().any(|s| s.allows_walk(attr))
    }
}

/// A class's MUST and MAY with its superclasses', resolved to attribute
/// types once. The schema check of every write asks each class about each
/// attribute; walking the superclasses by name each time (a case-folded
/// hash lookup per step) was a fifth of an LDIF load's time, measured with
/// perf at 100,000 users.
struct Closure {
    must: Vec<&'static AttributeType>,
    /// OIDs of the attribute types allowed (MUST or MAY).
    allowed: std::collections::HashSet<&'static str, BuildHasherDefault<NameHasher>>,
}

/// The closure of one of the schema's own classes (by OID). Classes exist
/// only in the schema's tables; `None` (an OID not there) is walked.
fn closure(class: &ObjectClass) -> Option<&'static Closure> {
    static ALL: OnceLock<HashMap<&'static str, Closure, BuildHasherDefault<NameHasher>>> =
        OnceLock::new();
    let all = ALL.get_or_init(|| {
        object_classes()
            .map(|c| {
                let closure = Closure {
                    must: attribute_types().filter(|t| c.requires_walk(t)).collect(),
                    allowed: attribute_types()
                        .filter(|t| c.allows_walk(t))
                        .map(|t| t.oid)
                        .collect(),
                };
                (c.oid, closure)
            })
            .collect()
    });
    all.get(class.oid)
}

/// Every attribute type, in publication order.
pub fn attribute_types() -> impl Iterator<Item = &'static AttributeType> {
    attributes::USER_ATTRIBUTES
        .iter()
        .chain(operational::OPERATIONAL_ATTRIBUTES)
        .chain(dirgate::DIRGATE_ATTRIBUTES)
}

/// Every object class, in publication order.
pub fn object_classes() -> impl Iterator<Item = &'static ObjectClass> {
    classes::STANDARD_CLASSES
        .iter()
        .chain(dirgate::DIRGATE_CLASSES)
}

/// Looks an attribute type up by any of its names or its OID, ignoring case.
pub fn attribute(name_or_oid: &str) -> Option<&'static AttributeType> {
    // Entries are built with names spelled exactly as the schema spells them;
    // an exact hit skips the case folding below, which a search pays per
    // attribute of every entry it renders.
    static EXACT: OnceLock<NameMap<AttributeType>> = OnceLock::new();
    let exact = EXACT.get_or_init(|| exact_names(attribute_types().map(|a| (a.names, a))));
    if let Some(a) = exact.get(name_or_oid) {
        return Some(a);
    }
    static INDEX: OnceLock<HashMap<String, &'static AttributeType>> = OnceLock::new();
    let index = INDEX.get_or_init(|| build_index(attribute_types().map(|a| (a.oid, a.names, a))));
    lookup(index, name_or_oid)
}

/// Schema names as the code spells them, hashed with [`NameHasher`].
type NameMap<T> = HashMap<&'static str, &'static T, BuildHasherDefault<NameHasher>>;

/// Every name of every row, exactly as written.
fn exact_names<T>(rows: impl Iterator<Item = (&'static [&'static str], &'static T)>) -> NameMap<T> {
    rows.flat_map(|(names, row)| names.iter().map(move |n| (*n, row)))
        .collect()
}

/// A multiply-rotate hash (the one rustc uses internally) for the exact-name
/// map: its keys are the schema's own names, fixed at start-up, so lookups
/// with client input cannot make it degrade and SipHash's flooding defence
/// buys nothing there; rendering an entry looks up two dozen names.
#[derive(Default)]
struct NameHasher(u64);

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl NameHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Looks an object class up by any of its names or its OID, ignoring case.
pub fn object_class(name_or_oid: &str) -> Option<&'static ObjectClass> {
    // As for attributes: clients mostly spell classes as the schema does.
    static EXACT: OnceLock<NameMap<ObjectClass>> = OnceLock::new();
    let exact = EXACT.get_or_init(|| exact_names(object_classes().map(|c| (c.names, c))));
    if let Some(c) = exact.get(name_or_oid) {
        return Some(c);
    }
    static INDEX: OnceLock<HashMap<String, &'static ObjectClass>> = OnceLock::new();
    let index = INDEX.get_or_init(|| build_index(object_classes().map(|c| (c.oid, c.names, c))));
    lookup(index, name_or_oid)
}

/// The canonical name of an attribute type: `commonName` -> `cn`.
pub fn canonical_name(name: &str) -> Option<&'static str> {
    attribute(name).map(AttributeType::canonical)
}

type IndexRow<T> = (&'static str, &'static [&'static str], &'static T);

fn build_index<T>(rows: impl Iterator<Item = IndexRow<T>>) -> HashMap<String, &'static T> {
    let mut index = HashMap::new();
    for (oid, names, item) in rows {
        index.insert(oid.to_owned(), item);
        for name in names {
            index.insert(name.to_ascii_lowercase(), item);
        }
    }
    index
}

/// Keys are lowercase ASCII; descriptors and OIDs are ASCII by definition,
/// so anything else cannot match. Short keys are lowercased on the stack so
/// that the common lookup does not allocate.
fn lookup<T>(index: &HashMap<String, &'static T>, key: &str) -> Option<&'static T> {
    const STACK: usize = 64;
    if !key.is_ascii() {
        return None;
    }
    if key.len() > STACK {
        return index.get(&key.to_ascii_lowercase()).copied();
    }
    let mut buf = [0u8; STACK];
    let lowered = &mut buf[..key.len()];
    lowered.copy_from_slice(key.as_bytes());
    lowered.make_ascii_lowercase();
    let lowered = std::str::from_utf8(lowered).ok()?;
    index.get(lowered).copied()
}
