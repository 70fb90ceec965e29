//! The in-memory LDAP entry that a search builds from the store for each
//! candidate, evaluates filters against and returns: its DN as served and
//! its attributes, each typed by the schema. It also owns the two small
//! pieces of request parsing that filters and attribute selection share:
//! attribute descriptions (`cn`, `CN;lang-en`, `2.5.4.3`) resolved against
//! the schema, and a minimal split of the entry's DN into its AVAs for
//! extensible matches with `dnAttributes`.

use std::sync::OnceLock;

use super::schema::{self, AttributeType};

/// An LDAP entry: its DN (RFC 4514 string as served) and its attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub dn: String,
    pub attrs: Vec<Attr>,
}

/// One attribute of an entry: its type and its values (never empty when
/// built with [`Entry::push`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    pub ty: &'static AttributeType,
    pub values: Vec<String>,
}

/// An attribute description from a request, resolved against the schema.
/// `tagged` is set when it carries an option dirgate does not serve (such
/// as `lang-en`): dirgate stores no tagged values, so such a description
/// names no values of any entry (RFC 4512 §2.5.2). `;binary` is served on
/// the types whose syntax requires it (`userCertificate;binary` names the
/// same values as `userCertificate`); on any other type slapd does not
/// know the description, and here it names nothing either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Description {
    pub ty: &'static AttributeType,
    pub tagged: bool,
}

impl Description {
    /// Resolves `text` (name, alias or OID in any case, optionally followed
    /// by `;options`); None when the type is unknown.
    pub fn parse(text: &str) -> Option<Description> {
        let mut parts = text.trim_matches(' ').split(';');
        let ty = schema::attribute(parts.next()?)?;
        let served =
            |option: &str| option.eq_ignore_ascii_case("binary") && ty.is_binary_transfer();
        let tagged = parts.any(|option| !served(option));
        Some(Description { ty, tagged })
    }
}

impl Entry {
    pub fn new(dn: impl Into<String>) -> Entry {
        Entry {
            dn: dn.into(),
            // A user entry has about two dozen attributes: allocate once.
            attrs: Vec::with_capacity(24),
        }
    }

    /// Adds values under the type `name` resolves to (any name, alias or
    /// OID). Pushing a type twice appends to its values so that every type
    /// appears once. Entries come from the store, which only holds schema
    /// types, so an unknown name is a bug: asserted in debug builds, skipped
    /// in release. Empty value lists are skipped: an attribute has values.
    pub fn push(&mut self, name: &str, values: Vec<String>) {
        let ty = schema::attribute(name);
        debug_assert!(ty.is_some(), "Entry::push: unknown attribute type {name:?}");
        if let Some(ty) = ty {
            self.push_typed(ty, values);
        }
    }

    /// [`Self::push`] for a type already resolved.
    pub fn push_typed(&mut self, ty: &'static AttributeType, values: Vec<String>) {
        if values.is_empty() {
            return;
        }
        match self.attrs.iter_mut().find(|attr| same(attr.ty, ty)) {
            Some(attr) => attr.values.extend(values),
            None => self.attrs.push(Attr { ty, values }),
        }
    }

    /// Values of exactly `ty` (compared by OID), no subtypes.
    pub fn get(&self, ty: &AttributeType) -> Option<&[String]> {
        self.attrs
            .iter()
            .find(|attr| same(attr.ty, ty))
            .map(|attr| attr.values.as_slice())
    }

    /// Values of `ty` and of its subtypes: `name` covers cn, sn, givenName...
    /// (RFC 4512 §2.5.1). Types without subtypes (almost all) skip the walk
    /// up the supertype chain, which costs a schema lookup per level.
    pub fn get_with_subtypes(&self, ty: &AttributeType) -> impl Iterator<Item = &String> {
        let wide = has_subtypes(ty);
        self.attrs
            .iter()
            .filter(move |attr| same(attr.ty, ty) || (wide && attr.ty.is_subtype_of(ty)))
            .flat_map(|attr| attr.values.iter())
    }

    /// Values a filter on `desc` sees: none for a tagged description.
    pub fn values(&self, desc: Description) -> impl Iterator<Item = &String> {
        self.get_with_subtypes(desc.ty)
            .filter(move |_| !desc.tagged)
    }

    /// The (type, value) pairs of the DN's RDNs, values unescaped, for
    /// extensible matches with `dnAttributes`. A minimal parse: RDNs split
    /// on unescaped `,`, AVAs on unescaped `+`, type and value on the first
    /// `=`; malformed AVAs are skipped, quoted and `#` values kept verbatim.
    pub fn dn_avas(&self) -> Vec<(String, String)> {
        split_unescaped(&self.dn, b',')
            .into_iter()
            .flat_map(|rdn| split_unescaped(rdn, b'+'))
            .filter_map(parse_ava)
            .collect()
    }
}

/// Whether two attribute types are the same. Every type an entry holds is a
/// `&'static` from the schema's one table, so the address decides at once; the
/// OID comparison covers a type that reached here some other way. Entries
/// compare types for every attribute they add and every filter component, so
/// this runs thousands of times per large search.
fn same(a: &AttributeType, b: &AttributeType) -> bool {
    std::ptr::eq(a, b) || (a.oid.len() == b.oid.len() && a.oid == b.oid)
}

/// Every schema type strictly below `ty` in the supertype hierarchy.
pub fn subtypes_of(ty: &AttributeType) -> impl Iterator<Item = &'static AttributeType> {
    // Most types have no subtype: walk no table at all for them (this runs
    // for every attribute a search names).
    let walk = if has_subtypes(ty) { usize::MAX } else { 0 };
    schema::attribute_types()
        .take(walk)
        .filter(move |at| at.oid != ty.oid && at.is_subtype_of(ty))
}

/// Whether some schema type has `ty` as a (transitive) supertype. The set
/// is tiny (`name`, `distinguishedName`), so a list beats a hash set.
fn has_subtypes(ty: &AttributeType) -> bool {
    static SUPERTYPES: OnceLock<Vec<&'static str>> = OnceLock::new();
    let supertypes = SUPERTYPES.get_or_init(|| {
        let mut oids: Vec<&'static str> = Vec::new();
        for at in schema::attribute_types() {
            let mut current = at.supertype();
            while let Some(sup) = current {
                if !oids.contains(&sup.oid) {
                    oids.push(sup.oid);
                }
                current = sup.supertype();
            }
        }
        oids
    });
    supertypes.contains(&ty.oid)
}

/// Splits on `separator` where no backslash escapes it. Working on bytes
/// is safe: separators are ASCII and UTF-8 continuation bytes never are.
fn split_unescaped(text: &str, separator: u8) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] == separator {
            parts.extend(text.get(start..i));
            start = i + 1;
        }
        i += 1;
    }
    parts.extend(text.get(start..));
    parts
}

fn parse_ava(ava: &str) -> Option<(String, String)> {
    let (ty, value) = ava.split_once('=')?;
    let ty = ty.trim_matches(' ');
    (!ty.is_empty()).then(|| (ty.to_owned(), unescape_value(value)))
}

/// RFC 4514 value unescaping: `\XX` is a hex-encoded byte, `\c` is `c`;
/// unescaped spaces at either end are insignificant. Invalid UTF-8 from
/// hex escapes is replaced rather than rejected: this only feeds matching.
fn unescape_value(value: &str) -> String {
    let bytes = value.trim_start_matches(' ').as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    // Length of `out` up to its last significant byte: trailing unescaped
    // spaces are cut off at the end.
    let mut significant = 0;
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], hex_pair(bytes.get(i + 1..i + 3))) {
            (b'\\', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'\\', None) => {
                out.extend(bytes.get(i + 1));
                i += 2;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
                if byte == b' ' {
                    continue;
                }
            }
        }
        significant = out.len();
    }
    out.truncate(significant);
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_pair(pair: Option<&[u8]>) -> Option<u8> {
    let pair = std::str::from_utf8(pair?).ok()?;
    if !pair.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u8::from_str_radix(pair, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(name: &str) -> &'static AttributeType {
        schema::attribute(name).unwrap()
    }

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn push_resolves_aliases_and_merges() {
        let mut e = Entry::new("uid=a,dc=x");
        e.push("commonName", strings(&["A"]));
        e.push("CN", strings(&["B"]));
        e.push("sn", vec![]);
        assert_eq!(e.attrs.len(), 1);
        assert_eq!(e.attrs[0].ty.canonical(), "cn");
        assert_eq!(e.get(at("2.5.4.3")), Some(&strings(&["A", "B"])[..]));
        assert_eq!(e.get(at("sn")), None);
    }

    #[test]
    fn subtypes_are_found_through_supertypes() {
        let mut e = Entry::new("uid=a,dc=x");
        e.push("cn", strings(&["Alice"]));
        e.push("sn", strings(&["Smith"]));
        e.push("uid", strings(&["a"]));
        let names: Vec<&String> = e.get_with_subtypes(at("name")).collect();
        assert_eq!(names, ["Alice", "Smith"]);
        assert_eq!(e.get_with_subtypes(at("cn")).count(), 1);
        assert_eq!(e.get(at("name")), None);
        let below_name: Vec<&str> = subtypes_of(at("name")).map(|t| t.canonical()).collect();
        assert!(below_name.contains(&"cn") && below_name.contains(&"ou"));
        assert!(!below_name.contains(&"name") && !below_name.contains(&"uid"));
        assert!(subtypes_of(at("member")).next().is_none());
        assert!(subtypes_of(at("distinguishedName")).any(|t| t.canonical() == "member"));
    }

    #[test]
    fn descriptions() {
        let d = Description::parse("CN").unwrap();
        assert_eq!((d.ty.canonical(), d.tagged), ("cn", false));
        assert!(Description::parse("cn;lang-en").unwrap().tagged);
        assert!(!Description::parse("userCertificate;BINARY").unwrap().tagged);
        assert!(Description::parse("cn;binary").unwrap().tagged);
        assert!(Description::parse("jpegPhoto;binary").unwrap().tagged);
        assert!(Description::parse("nosuchattr").is_none());
        assert!(Description::parse("").is_none());
        let mut e = Entry::new("cn=x");
        e.push("cn", strings(&["x"]));
        assert_eq!(
            e.values(Description::parse("cn;lang-de").unwrap()).count(),
            0
        );
        assert_eq!(e.values(Description::parse("cn").unwrap()).count(), 1);
    }

    #[test]
    fn dn_avas_unescape() {
        let e = Entry::new(r"cn=Smith\, John + uid=js ,OU=Sales\2C EMEA, dc=example,dc=com");
        let avas = e.dn_avas();
        let pairs: Vec<(&str, &str)> = avas.iter().map(|(t, v)| (t.as_str(), v.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("cn", "Smith, John"),
                ("uid", "js"),
                ("OU", "Sales, EMEA"),
                ("dc", "example"),
                ("dc", "com"),
            ]
        );
        let e = Entry::new(r"cn=trailing\ ,cn=caf\C3\A9,cn=bad\zz,novalue,cn=end\");
        let values: Vec<String> = e.dn_avas().into_iter().map(|(_, v)| v).collect();
        assert_eq!(values, ["trailing ", "café", "badzz", "end"]);
        assert!(Entry::new("").dn_avas().is_empty());
    }
}
