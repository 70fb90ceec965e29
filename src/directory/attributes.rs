//! The profile's texts that SCIM and LDAP share, described once: for each,
//! the profile field that stores it, the LDAP attribute that shows it, the
//! SCIM attribute (of the core User schema or the enterprise extension) that
//! names it, and the import file's column that sets it. The LDAP front end
//! (entries, filters, writes), the SCIM one (User JSON both ways, so PATCH
//! paths and filters too) and the importer's optional columns read this
//! table, so a value written under one name is the same stored value under
//! the others. Shared values of other shapes are mapped where their shape
//! is: the profile URL with LDAP's label ([`PROFILE_URL`], see
//! `Profile::labeled_uri`), phone numbers by type, addresses, the manager.
//! Plain data: imports no protocol crate.

use super::model::User;
use super::profile::Profile;

/// Which SCIM schema a shared text belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScimSchema {
    /// `urn:ietf:params:scim:schemas:core:2.0:User` (RFC 7643 §4.1).
    Core,
    /// The enterprise extension (RFC 7643 §4.3).
    Enterprise,
}

/// A profile text that LDAP and SCIM both read and write: one stored value.
pub struct SharedText {
    /// The LDAP attribute, as the LDAP schema spells it canonically.
    pub ldap: &'static str,
    /// The SCIM attribute of `schema`.
    pub scim: &'static str,
    /// The import file's column header (the LDAP and SCIM names are taken
    /// there too).
    pub label: &'static str,
    pub schema: ScimSchema,
    pub get: fn(&Profile) -> &Option<String>,
    pub set: fn(&mut Profile, Option<String>),
}

use ScimSchema::{Core, Enterprise};

/// Every shared text. Where LDAP has no standard attribute for a SCIM one,
/// dirgate's schema has one of its own (`dirgate*`, class `dirgateAccount`).
/// LDAP may allow more values than SCIM's one (a second `title`): the
/// first is this field, the LDAP front end keeps the others as written.
pub const SHARED_TEXTS: &[SharedText] = &[
    SharedText {
        ldap: "title",
        scim: "title",
        label: "Title",
        schema: Core,
        get: |p| &p.title,
        set: |p, v| p.title = v,
    },
    SharedText {
        ldap: "employeeNumber",
        scim: "employeeNumber",
        label: "Employee Number",
        schema: Enterprise,
        get: |p| &p.employee_number,
        set: |p, v| p.employee_number = v,
    },
    SharedText {
        ldap: "departmentNumber",
        scim: "department",
        label: "Department",
        schema: Enterprise,
        get: |p| &p.department,
        set: |p, v| p.department = v,
    },
    SharedText {
        ldap: "o",
        scim: "organization",
        label: "Company",
        schema: Enterprise,
        get: |p| &p.organization,
        set: |p, v| p.organization = v,
    },
    SharedText {
        ldap: "preferredLanguage",
        scim: "preferredLanguage",
        label: "Preferred Language",
        schema: Core,
        get: |p| &p.preferred_language,
        set: |p, v| p.preferred_language = v,
    },
    SharedText {
        ldap: "employeeType",
        scim: "userType",
        label: "User Type",
        schema: Core,
        get: |p| &p.user_type,
        set: |p, v| p.user_type = v,
    },
    SharedText {
        ldap: "dirgateNickName",
        scim: "nickName",
        label: "Nick Name",
        schema: Core,
        get: |p| &p.nick_name,
        set: |p, v| p.nick_name = v,
    },
    SharedText {
        ldap: "dirgateLocale",
        scim: "locale",
        label: "Locale",
        schema: Core,
        get: |p| &p.locale,
        set: |p, v| p.locale = v,
    },
    SharedText {
        ldap: "dirgateTimezone",
        scim: "timezone",
        label: "Time Zone",
        schema: Core,
        get: |p| &p.timezone,
        set: |p, v| p.timezone = v,
    },
    SharedText {
        ldap: "dirgateCostCenter",
        scim: "costCenter",
        label: "Cost Center",
        schema: Enterprise,
        get: |p| &p.cost_center,
        set: |p, v| p.cost_center = v,
    },
    SharedText {
        ldap: "dirgateDivision",
        scim: "division",
        label: "Division",
        schema: Enterprise,
        get: |p| &p.division,
        set: |p, v| p.division = v,
    },
];

/// The shared texts of one SCIM schema.
pub fn shared_texts(schema: ScimSchema) -> impl Iterator<Item = &'static SharedText> {
    SHARED_TEXTS.iter().filter(move |t| t.schema == schema)
}

/// The shared text SCIM calls `scim`.
pub fn text_named(scim: &str) -> Option<&'static SharedText> {
    SHARED_TEXTS.iter().find(|t| t.scim == scim)
}

/// SCIM's core `profileUrl` and the LDAP attribute whose first value's URL
/// it is (RFC 2079 `labeledURI`: a URL, then an optional label).
pub const PROFILE_URL: SharedName = SharedName {
    ldap: "labeledURI",
    scim: "profileUrl",
};

/// An LDAP and a SCIM name of one stored value whose shape is not one text.
pub struct SharedName {
    pub ldap: &'static str,
    pub scim: &'static str,
}

/// A user stored before the profile URL was shared kept every `labeledURI`
/// an LDAP client wrote as written, out of SCIM's sight. The first becomes
/// the profile URL with its label, as an LDAP write now makes it, unless
/// SCIM had set one: then SCIM's is the first value and the written ones
/// are further values, as now. Whether `user` changed.
pub fn share_written_profile_url(user: &mut User) -> bool {
    let [first, rest @ ..] = user.attrs.get(PROFILE_URL.ldap) else {
        return false;
    };
    if user.profile.profile_url.is_some() {
        return false;
    }
    let (first, rest) = (first.clone(), rest.to_vec());
    user.profile.set_labeled_uri(Some(&first));
    user.attrs.set(PROFILE_URL.ldap, rest);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each field is one stored value: no two rows share an LDAP name, a
    /// SCIM name of the same schema, or a field.
    #[test]
    fn every_row_names_its_own_field() {
        for (i, a) in SHARED_TEXTS.iter().enumerate() {
            let mut p = Profile::default();
            (a.set)(&mut p, Some("x".into()));
            assert_eq!((a.get)(&p).as_deref(), Some("x"), "{}", a.scim);
            for b in SHARED_TEXTS.iter().skip(i + 1) {
                assert!(!a.ldap.eq_ignore_ascii_case(b.ldap), "{}", a.ldap);
                assert!(!(a.schema == b.schema && a.scim == b.scim), "{}", a.scim);
                assert!((b.get)(&p).is_none(), "{} and {}", a.scim, b.scim);
            }
        }
    }

    /// Each row is an attribute type of the schema, spelled as the schema
    /// spells it, that a user entry may carry (not operational); and each
    /// import label is distinct from every other row's names.
    #[test]
    fn every_row_is_a_user_attribute_of_the_schema() {
        for t in SHARED_TEXTS {
            let ty = crate::directory::schema::attribute(t.ldap)
                .unwrap_or_else(|| panic!("{} is not in the schema", t.ldap));
            assert_eq!(ty.canonical(), t.ldap);
            assert!(!ty.is_operational(), "{}", t.ldap);
            for u in SHARED_TEXTS.iter().filter(|u| u.scim != t.scim) {
                for name in [u.ldap, u.scim, u.label] {
                    assert!(!t.label.eq_ignore_ascii_case(name), "{}", t.label);
                }
            }
        }
    }
}
