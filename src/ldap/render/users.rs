//! The LDAP view of a user record, in one place: which attributes a user
//! entry shows and where each value comes from — a field the core
//! interprets (login, names, addresses, POSIX numbers, lifecycle and flags,
//! and the profile fields SCIM shares: the core's table of texts, the
//! profile URL, phone numbers),
//! the attributes kept as the client wrote them, or a value dirgate derives
//! because a class requires one and nobody wrote it (`cn`, `sn`, the home
//! directory, the configured login shell, the default object classes).
//! Search results and LDAP writes (the entry as it stands, which a modify
//! changes) both read it, so what a client writes is what it reads back.

use super::super::schema::{self, AttributeType, boolean_value};
use super::USER_CLASSES;
use super::addresses;
use super::shadow;
use crate::directory::PosixDefaults;
use crate::directory::attributes::{PROFILE_URL, SHARED_TEXTS};
use crate::directory::model::{FLAGS, User};
use crate::directory::password::policy::PasswordPolicy;

/// Attributes a user's typed fields hold: never kept as written. The
/// account flags' attributes are interpreted too (the core's [`FLAGS`]).
pub const INTERPRETED: &[&str] = &[
    "uid",
    "sn",
    "givenName",
    "displayName",
    "mail",
    "uidNumber",
    "gidNumber",
    "userPassword",
    "dirgateLifecycleState",
    "dirgateStorageQuota",
    "dirgateExternalId",
    "dirgateOrganizationAdmin",
];

/// Attributes whose first value is a typed field (SCIM has one value of
/// each) and whose further values, which LDAP may allow, are kept as
/// written under the same name: a client's second `title` or `sn` is
/// neither refused nor lost. The shared texts (the core's
/// [`SHARED_TEXTS`]) and the profile URL (`labeledURI`) are too; the postal
/// attributes work the same way (`addresses`).
pub fn first_value_typed_names() -> impl Iterator<Item = &'static str> + Clone {
    ["sn", "givenName", PROFILE_URL.ldap]
        .into_iter()
        .chain(SHARED_TEXTS.iter().map(|t| t.ldap))
}

/// Whether `name` (canonical) is one of [`first_value_typed_names`].
pub fn first_value_typed(name: &str) -> bool {
    first_value_typed_names().any(|n| n == name)
}

/// Whether `name` (canonical) is a profile value LDAP shares with SCIM as
/// one text: the shared texts and the profile URL.
fn shared_text(name: &str) -> bool {
    name == PROFILE_URL.ldap || SHARED_TEXTS.iter().any(|t| t.ldap == name)
}

/// SCIM phone number types and the LDAP attribute each shows under;
/// `telephoneNumber` takes every other type (work, other, none).
pub const PHONES: &[(&str, &str)] = &[
    ("mobile", "mobile"),
    ("homePhone", "home"),
    ("facsimileTelephoneNumber", "fax"),
    ("pager", "pager"),
];

/// The LDAP attribute a phone number of SCIM type `kind` shows under.
pub fn phone_attribute(kind: Option<&str>) -> &'static str {
    PHONES
        .iter()
        .find(|(_, k)| kind.is_some_and(|t| t.eq_ignore_ascii_case(k)))
        .map_or("telephoneNumber", |(ldap, _)| ldap)
}

/// Whether dirgate interprets `ty` on users rather than keeping it as written.
pub fn interpreted(ty: &AttributeType) -> bool {
    INTERPRETED.iter().any(|n| ty.has_name(n))
        || FLAGS.iter().any(|f| ty.has_name(f.ldap))
        || shared_text(ty.canonical())
        || ty.has_name("telephoneNumber")
        || PHONES.iter().any(|(n, _)| ty.has_name(n))
        || addresses::is_address_attribute(ty.canonical())
        || shadow::FIELDS.iter().any(|n| ty.has_name(n))
}

/// Where a user's attributes go: the type, its values, and whether dirgate
/// derived them rather than anyone wrote them (a modify that leaves a
/// derived value alone must not store it).
pub type Sink<'s> = &'s mut dyn FnMut(&'static AttributeType, Vec<String>, bool);

/// The posixAccount attributes dirgate shows (kept, allocated or defaulted).
const POSIX: [&str; 4] = ["uidNumber", "gidNumber", "homeDirectory", "loginShell"];

/// Whether the user's entry is a posixAccount: the default classes are.
pub fn is_posix(u: &User) -> bool {
    match u.attrs.get("objectClass") {
        [] => true,
        classes => classes.iter().any(|c| {
            schema::object_class(c).is_some_and(|class| class.canonical() == "posixAccount")
        }),
    }
}

/// Which groups of a user's attributes a search can use: worked out once per
/// search from what it selects and filters on, so that each entry skips the
/// groups nobody asked for without testing every name.
#[derive(Clone, Copy, Debug)]
pub struct Groups {
    texts: bool,
    phones: bool,
    addresses: bool,
    posix: bool,
    kept: bool,
    account: bool,
    shadow: bool,
}

impl Groups {
    pub const ALL: Groups = Groups {
        texts: true,
        phones: true,
        addresses: true,
        posix: true,
        kept: true,
        account: true,
        shadow: true,
    };

    /// Whether the shadow attributes (or the classes, which they extend)
    /// are among what the search can use.
    pub fn shadow(&self) -> bool {
        self.shadow
    }

    /// The groups that hold at least one of `names` (canonical names).
    pub fn of<'n>(names: impl Iterator<Item = &'n str> + Clone) -> Groups {
        let any = |pred: &dyn Fn(&str) -> bool| names.clone().any(pred);
        Groups {
            texts: any(&shared_text),
            phones: any(&|n| n == "telephoneNumber" || PHONES.iter().any(|(p, _)| *p == n)),
            addresses: any(&addresses::is_address_attribute),
            posix: any(&|n| POSIX.contains(&n)),
            kept: any(&|n| {
                matches!(n, "homeDirectory" | "loginShell")
                    || schema::attribute(n).is_some_and(|t| !interpreted(t))
            }),
            account: any(&|n| {
                INTERPRETED
                    .iter()
                    .any(|i| i.starts_with("dirgate") && *i == n)
                    || FLAGS.iter().any(|f| f.ldap == n)
            }),
            shadow: any(&|n| n == "objectClass" || shadow::is_shadow(n)),
        }
    }
}

/// The user's attributes as LDAP shows them, into `sink`, each only when
/// `want` accepts its canonical name (values are allocated per entry, so a
/// search builds only what it selects or filters on). `org_admin` is the
/// computed `dirgateOrganizationAdmin` (None leaves it out); `policy` is the
/// password policy in force for the user (its shadow attributes).
pub fn user_values(
    u: &User,
    posix: &PosixDefaults,
    policy: &PasswordPolicy,
    org_admin: Option<bool>,
    want: &dyn Fn(&str) -> bool,
    groups: Groups,
    sink: Sink<'_>,
) {
    let mut push = |name: &str, values: Vec<String>, derived: bool| {
        // Most optional attributes are absent: skip the schema lookup then.
        if values.is_empty() {
            return;
        }
        if let Some(ty) = schema::attribute(name) {
            sink(ty, values, derived);
        }
    };
    let shows_shadow = groups.shadow && shadow::shown(u, policy);
    if want("objectClass") {
        let written = u.attrs.get("objectClass");
        let mut classes = if written.is_empty() {
            let mut classes: Vec<String> = USER_CLASSES.iter().map(|c| (*c).to_owned()).collect();
            // Keys set over SCIM or the admin API show with their class.
            if !u.attrs.get("sshPublicKey").is_empty() {
                classes.push("ldapPublicKey".to_owned());
            }
            classes
        } else {
            written.to_vec()
        };
        // dirgate's own account attributes are always there, and the shadow
        // ones when the entry shows them.
        let shown = [("dirgateAccount", true), (shadow::CLASS, shows_shadow)];
        for (class, show) in shown {
            if show && !classes.iter().any(|c| c.eq_ignore_ascii_case(class)) {
                classes.push(class.to_owned());
            }
        }
        push("objectClass", classes, written.is_empty());
    }
    if want("uid") {
        let others = u.attrs.get("uid").iter().cloned();
        push(
            "uid",
            std::iter::once(u.login.clone()).chain(others).collect(),
            false,
        );
    }
    if want("cn") {
        push("cn", u.common_names(), u.attrs.get("cn").is_empty());
    }
    if want("sn") {
        let sn = typed_then_kept(u, "sn", &u.family_name);
        let derived = sn.is_empty();
        let sn = if derived { vec![u.login.clone()] } else { sn };
        push("sn", sn, derived);
    }
    for (name, value) in [
        ("givenName", &u.given_name),
        ("displayName", &u.display_name),
    ] {
        if want(name) {
            push(name, typed_then_kept(u, name, value), false);
        }
    }
    if want("mail") {
        push("mail", u.mail_values(), false);
    }
    if groups.texts {
        text_values(u, want, &mut push);
    }
    if groups.phones {
        phone_values(u, want, &mut push);
    }
    if groups.addresses {
        address_values(u, want, &mut push);
    }
    // The classes are read only when a POSIX attribute is wanted.
    if groups.posix && is_posix(u) {
        posix_values(u, posix, want, &mut push);
    }
    for (name, values) in u.attrs.iter().filter(|_| groups.kept) {
        if !matches!(
            name,
            "objectClass" | "uid" | "cn" | "homeDirectory" | "loginShell"
        ) && !addresses::is_address_attribute(name)
            && !first_value_typed(name)
            && want(name)
        {
            push(name, values.to_vec(), false);
        }
    }
    if groups.account {
        account_values(u, org_admin, &mut push);
    }
    if shows_shadow {
        shadow::values(u, policy, want, &mut push);
    }
}

/// The texts shared with SCIM: each field, then the further values LDAP
/// allows kept as written; the profile URL with the label LDAP gave it.
fn text_values(
    u: &User,
    want: &dyn Fn(&str) -> bool,
    push: &mut dyn FnMut(&str, Vec<String>, bool),
) {
    for t in SHARED_TEXTS.iter().filter(|t| want(t.ldap)) {
        push(
            t.ldap,
            typed_then_kept(u, t.ldap, (t.get)(&u.profile)),
            false,
        );
    }
    if want(PROFILE_URL.ldap) {
        let uri = u.profile.labeled_uri();
        push(
            PROFILE_URL.ldap,
            typed_then_kept(u, PROFILE_URL.ldap, &uri),
            false,
        );
    }
}

/// A typed field's value, then the further values of `name` kept as
/// written (see [`first_value_typed_names`]).
fn typed_then_kept(u: &User, name: &str, typed: &Option<String>) -> Vec<String> {
    let first = typed.iter().filter(|v| !v.is_empty()).cloned();
    // Further values exist only where a client wrote some: no lookup otherwise.
    let kept = if u.attrs.is_empty() {
        &[][..]
    } else {
        u.attrs.get(name)
    };
    first.chain(kept.iter().cloned()).collect()
}

fn phone_values(
    u: &User,
    want: &dyn Fn(&str) -> bool,
    push: &mut dyn FnMut(&str, Vec<String>, bool),
) {
    let names = std::iter::once("telephoneNumber").chain(PHONES.iter().map(|(n, _)| *n));
    for name in names.filter(|n| want(n)) {
        let values = (u.profile.phone_numbers.iter())
            .filter(|c| phone_attribute(c.kind.as_deref()) == name)
            .map(|c| c.value.clone())
            .collect();
        push(name, values, false);
    }
}

/// The postal attributes: the profile's work and home addresses, then any
/// further value written over LDAP (kept as written).
fn address_values(
    u: &User,
    want: &dyn Fn(&str) -> bool,
    push: &mut dyn FnMut(&str, Vec<String>, bool),
) {
    let shown = addresses::values(&u.profile);
    let names = addresses::WORK_PARTS
        .iter()
        .map(|(n, _)| *n)
        .chain([addresses::HOME]);
    for name in names.filter(|n| want(n)) {
        let mut values: Vec<String> = (shown.iter())
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .collect();
        values.extend(u.attrs.get(name).iter().cloned());
        push(name, values, false);
    }
}

fn posix_values(
    u: &User,
    posix: &PosixDefaults,
    want: &dyn Fn(&str) -> bool,
    push: &mut dyn FnMut(&str, Vec<String>, bool),
) {
    if want("uidNumber") {
        push("uidNumber", vec![u.uid_number.to_string()], false);
    }
    if want("gidNumber") {
        push("gidNumber", vec![u.gid_number.to_string()], false);
    }
    if want("homeDirectory") {
        let written = u.attrs.get("homeDirectory").is_empty();
        push(
            "homeDirectory",
            vec![u.home_directory(&posix.home_directory)],
            written,
        );
    }
    if want("loginShell") {
        match (u.attrs.get("loginShell"), &posix.login_shell) {
            ([], Some(default)) => push("loginShell", vec![default.clone()], true),
            (written, _) => push("loginShell", written.to_vec(), false),
        }
    }
}

fn account_values(
    u: &User,
    org_admin: Option<bool>,
    push: &mut dyn FnMut(&str, Vec<String>, bool),
) {
    push(
        "dirgateLifecycleState",
        vec![u.state.as_str().to_owned()],
        false,
    );
    for f in FLAGS {
        push(
            f.ldap,
            vec![boolean_value((f.get)(&u.flags)).to_owned()],
            false,
        );
    }
    if let Some(q) = u.flags.storage_quota {
        push("dirgateStorageQuota", vec![q.to_string()], false);
    }
    if let Some(admin) = org_admin {
        push(
            "dirgateOrganizationAdmin",
            vec![boolean_value(admin).to_owned()],
            false,
        );
    }
    if let Some(x) = u.external_id.as_ref().filter(|x| !x.is_empty()) {
        push("dirgateExternalId", vec![x.clone()], false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every account flag of the core's table is a Boolean of the schema.
    #[test]
    fn every_account_flag_is_an_ldap_boolean() {
        for flag in FLAGS {
            let ty = schema::attribute(flag.ldap).unwrap_or_else(|| panic!("{}", flag.ldap));
            assert_eq!(ty.syntax, schema::syntax_oids::BOOLEAN, "{}", flag.ldap);
            assert!(interpreted(ty), "{}", flag.ldap);
        }
    }

    /// Every shared text of the core's table, and the profile URL, is an
    /// attribute a user entry may hold, named as the schema spells it
    /// canonically (entries and kept values use that spelling); dirgate's
    /// own hold one value, as SCIM has one.
    #[test]
    fn every_shared_text_is_a_user_attribute() {
        let classes = ["inetOrgPerson", "dirgateAccount"].map(|c| schema::object_class(c).unwrap());
        let names = SHARED_TEXTS
            .iter()
            .map(|t| t.ldap)
            .chain([PROFILE_URL.ldap]);
        for name in names {
            let ty = schema::attribute(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(ty.canonical(), name);
            assert!(classes.iter().any(|c| c.allows(ty)), "{name}");
            assert!(interpreted(ty) && first_value_typed(name), "{name}");
            assert!(!name.starts_with("dirgate") || ty.single_value, "{name}");
        }
    }
}
