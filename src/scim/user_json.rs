//! The User resource both ways: a core [`UserView`] rendered as SCIM JSON (core
//! schema, enterprise extension, dirgate extension, `meta`), and a client's User
//! JSON read into the values the core's use cases take. The texts SCIM shares
//! with LDAP are named by the core's table (`directory::attributes`), as LDAP
//! names them. Holds no access rule.

use super::error::{ScimError, ScimResult};
use super::json::{as_bool, as_list, as_object, compact, get, opt_bool, opt_str};
use super::posix::PosixInput;
use super::schema::{DIRGATE, ENTERPRISE, POSIX, USER};
use super::time::rfc3339;
use crate::directory::attributes::{PROFILE_URL, ScimSchema, shared_texts};
use crate::directory::model::{AccountFlags, FLAGS, Flag, Lifecycle, User};
use crate::directory::profile::{Address, Contact, Profile};
use crate::directory::scim_view::UserView;
use serde_json::{Map, Value, json};

/// What a client's User body says, read into core terms.
#[derive(Debug, Default)]
pub struct UserInput {
    pub login: String,
    pub external_id: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
    pub active: Option<bool>,
    pub password: Option<String>,
    pub profile: Profile,
    /// The dirgate extension's flags, when the body carries that extension.
    pub flags: Option<FlagInput>,
    /// The dirgate extension's `organizationUnit`: where the user should be.
    /// `None` when the body has no dirgate extension (no opinion);
    /// `Some(None)` when the extension leaves it out (in no organization).
    pub organization_unit: Option<Option<String>>,
    /// The dirgate extension's POSIX identity, when the body carries it.
    pub posix: Option<PosixInput>,
    /// `x509Certificates` as kept, when the body names the attribute.
    pub certificates: Option<Vec<String>>,
}

/// The writable account flags of the dirgate extension: every flag of the
/// core's table but appointments (`delegate`), and the quota.
#[derive(Debug)]
pub struct FlagInput {
    pub values: Vec<(&'static Flag, bool)>,
    pub storage_quota: Option<u64>,
}

/// An extension that says nothing (or was removed): every flag off, no quota.
impl Default for FlagInput {
    fn default() -> Self {
        FlagInput {
            values: writable_flags().map(|f| (f, false)).collect(),
            storage_quota: None,
        }
    }
}

impl FlagInput {
    /// The flags with these changes; appointments stay as they were.
    pub fn apply_to(&self, old: &AccountFlags) -> AccountFlags {
        let mut flags = AccountFlags {
            storage_quota: self.storage_quota,
            ..old.clone()
        };
        for (flag, on) in &self.values {
            (flag.set)(&mut flags, *on);
        }
        flags
    }
}

/// The flags SCIM writes (the others are appointments, read-only here).
fn writable_flags() -> impl Iterator<Item = &'static Flag> {
    FLAGS.iter().filter(|f| !f.appointment)
}

/// The User resource for `view`; `base` is the service's URL up to `/scim/v2`.
pub fn render(view: &UserView, base: &str) -> Value {
    let u = &view.user;
    let p = &u.profile;
    let mut obj = Map::new();
    obj.insert("schemas".into(), json!([USER, ENTERPRISE, DIRGATE, POSIX]));
    obj.insert("id".into(), json!(u.id.to_string()));
    obj.insert("externalId".into(), json!(u.external_id));
    obj.insert("userName".into(), json!(u.login));
    let name = compact(map(json!({
        "formatted": p.formatted_name,
        "familyName": u.family_name,
        "givenName": u.given_name,
        "middleName": p.middle_name,
        "honorificPrefix": p.honorific_prefix,
        "honorificSuffix": p.honorific_suffix,
    })));
    obj.insert("name".into(), Value::Object(name));
    obj.insert("displayName".into(), json!(u.display_name));
    obj.insert(PROFILE_URL.scim.into(), json!(p.profile_url));
    for t in shared_texts(ScimSchema::Core) {
        obj.insert(t.scim.into(), json!((t.get)(p)));
    }
    if assigned(u, "active") {
        obj.insert("active".into(), json!(u.state == Lifecycle::Active));
    }
    obj.insert("emails".into(), emails(u));
    obj.insert("phoneNumbers".into(), contacts(&p.phone_numbers));
    obj.insert("addresses".into(), addresses(&p.addresses));
    for (name, list) in labeled_lists(p) {
        obj.insert(name.into(), contacts(list));
    }
    super::certificates::render(u, &mut obj);
    obj.insert("groups".into(), groups(view, base));
    obj.insert(ENTERPRISE.into(), enterprise(view, base));
    obj.insert(DIRGATE.into(), dirgate(view));
    let mut posix = Map::new();
    super::posix::render(&view.user, &mut posix);
    obj.insert(POSIX.into(), Value::Object(posix));
    obj.insert("meta".into(), meta(u, base));
    Value::Object(compact(obj))
}

fn map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

// The profile's list wins; a user created elsewhere (LDAP, import) with only
// the indexed address shows it as its primary work address.
fn emails(u: &User) -> Value {
    if u.profile.emails.is_empty() {
        return match &u.email {
            Some(e) => json!([{"value": e, "type": "work", "primary": true}]),
            None => json!([]),
        };
    }
    contacts(&u.profile.emails)
}

/// The multi-valued attributes kept as values with labels and nothing
/// more (no LDAP counterpart), by their SCIM names.
fn labeled_lists(p: &Profile) -> [(&'static str, &Vec<Contact>); 4] {
    [
        ("photos", &p.photos),
        ("ims", &p.ims),
        ("entitlements", &p.entitlements),
        ("roles", &p.idp_roles),
    ]
}

fn labeled_lists_mut(p: &mut Profile) -> [(&'static str, &mut Vec<Contact>); 4] {
    [
        ("photos", &mut p.photos),
        ("ims", &mut p.ims),
        ("entitlements", &mut p.entitlements),
        ("roles", &mut p.idp_roles),
    ]
}

fn contacts(list: &[Contact]) -> Value {
    let items: Vec<Value> = list
        .iter()
        .map(|c| {
            let mut m = compact(map(json!({
                "value": c.value, "type": c.kind, "display": c.display,
            })));
            if let Some(p) = c.primary {
                m.insert("primary".into(), json!(p));
            }
            Value::Object(m)
        })
        .collect();
    Value::Array(items)
}

fn addresses(list: &[Address]) -> Value {
    let items: Vec<Value> = list
        .iter()
        .map(|a| {
            let mut m = compact(map(json!({
                "formatted": a.formatted, "streetAddress": a.street_address,
                "locality": a.locality, "region": a.region,
                "postalCode": a.postal_code, "country": a.country, "type": a.kind,
            })));
            if let Some(p) = a.primary {
                m.insert("primary".into(), json!(p));
            }
            Value::Object(m)
        })
        .collect();
    Value::Array(items)
}

fn groups(view: &UserView, base: &str) -> Value {
    let items: Vec<Value> = view
        .groups
        .iter()
        .map(|(id, name, direct)| {
            let kind = if *direct { "direct" } else { "indirect" };
            json!({"value": id.to_string(), "$ref": format!("{base}/Groups/{id}"),
                   "display": name, "type": kind})
        })
        .collect();
    Value::Array(items)
}

fn enterprise(view: &UserView, base: &str) -> Value {
    let p = &view.user.profile;
    let manager = p.manager_id.as_ref().map(|id| {
        let link = p
            .manager_ref
            .clone()
            .unwrap_or_else(|| format!("{base}/Users/{id}"));
        let mut m = map(json!({"value": id, "$ref": link}));
        if let Some(n) = &p.manager_name {
            m.insert("displayName".into(), json!(n));
        }
        Value::Object(m)
    });
    let mut m = map(json!({ "manager": manager }));
    for t in shared_texts(ScimSchema::Enterprise) {
        m.insert(t.scim.into(), json!((t.get)(p)));
    }
    Value::Object(compact(m))
}

/// Whether a boolean attribute shows: unless the identity provider removed it.
fn assigned(u: &User, name: &str) -> bool {
    !u.profile.unassigned.iter().any(|n| n == name)
}

fn dirgate(view: &UserView) -> Value {
    let u = &view.user;
    let f = &u.flags;
    let mut m = compact(map(json!({
        "storageQuota": f.storage_quota,
        "lifecycle": u.state.as_str(),
        "organizationUnit": view.org_name,
    })));
    for flag in FLAGS {
        let on = (flag.get)(f);
        if flag.appointment || on || assigned(u, flag.name) {
            m.insert(flag.name.into(), json!(on));
        }
    }
    Value::Object(m)
}

/// The boolean attributes a body may leave out, to show them as unassigned.
fn booleans() -> impl Iterator<Item = &'static str> {
    std::iter::once("active").chain(writable_flags().map(|f| f.name))
}

fn meta(u: &User, base: &str) -> Value {
    json!({
        "resourceType": "User",
        "created": rfc3339(u.created),
        "lastModified": rfc3339(u.modified),
        "location": format!("{base}/Users/{}", u.id),
        "version": super::response::etag(u.version),
    })
}

/// Reads a User body (POST, PUT, or a resource after PATCH).
pub fn parse(body: &Value) -> ScimResult<UserInput> {
    let obj = as_object("body", body)?;
    super::known::check(USER, &[ENTERPRISE, DIRGATE, POSIX], obj)?;
    let login = opt_str(obj, "userName")?
        .ok_or_else(|| ScimError::invalid_value("'userName' is required"))?;
    let mut input = UserInput {
        login,
        external_id: opt_str(obj, "externalId")?,
        display_name: opt_str(obj, "displayName")?,
        active: opt_bool(obj, "active")?,
        password: opt_str(obj, "password")?,
        ..UserInput::default()
    };
    let p = &mut input.profile;
    if let Some(name) = get(obj, "name") {
        let name = as_object("name", name)?;
        input.given_name = opt_str(name, "givenName")?;
        input.family_name = opt_str(name, "familyName")?;
        p.formatted_name = opt_str(name, "formatted")?;
        p.middle_name = opt_str(name, "middleName")?;
        p.honorific_prefix = opt_str(name, "honorificPrefix")?;
        p.honorific_suffix = opt_str(name, "honorificSuffix")?;
    }
    p.profile_url = opt_str(obj, PROFILE_URL.scim)?;
    texts(obj, ScimSchema::Core, p)?;
    p.emails = parse_contacts("emails", get(obj, "emails"))?;
    p.phone_numbers = parse_contacts("phoneNumbers", get(obj, "phoneNumbers"))?;
    p.addresses = parse_addresses(get(obj, "addresses"))?;
    for (name, list) in labeled_lists_mut(p) {
        *list = parse_contacts(name, get(obj, name))?;
    }
    input.certificates = super::certificates::parse(obj)?;
    if let Some(ext) = get(obj, ENTERPRISE) {
        parse_enterprise(as_object(ENTERPRISE, ext)?, p)?;
    }
    let flags = get(obj, DIRGATE)
        .map(|e| as_object(DIRGATE, e))
        .transpose()?;
    if let Some(ext) = flags {
        input.flags = Some(parse_flags(ext)?);
        input.organization_unit = Some(opt_str(ext, "organizationUnit")?);
    }
    if let Some(ext) = get(obj, POSIX) {
        input.posix = Some(super::posix::parse(as_object(POSIX, ext)?)?);
    }
    input.profile.unassigned = booleans()
        .filter(|n| match (*n, flags) {
            ("active", _) => input.active.is_none(),
            (flag, Some(ext)) => get(ext, flag).is_none(),
            (_, None) => true,
        })
        .map(str::to_owned)
        .collect();
    Ok(input)
}

fn parse_contacts(what: &str, v: Option<&Value>) -> ScimResult<Vec<Contact>> {
    let mut out = Vec::new();
    for item in as_list(v) {
        let o = as_object(what, item)?;
        let Some(value) = opt_str(o, "value")? else {
            continue;
        };
        out.push(Contact {
            value,
            kind: opt_str(o, "type")?,
            display: opt_str(o, "display")?,
            primary: opt_bool(o, "primary")?,
        });
    }
    Ok(out)
}

fn parse_addresses(v: Option<&Value>) -> ScimResult<Vec<Address>> {
    let mut out = Vec::new();
    for item in as_list(v) {
        let o = as_object("addresses", item)?;
        out.push(Address {
            formatted: opt_str(o, "formatted")?,
            street_address: opt_str(o, "streetAddress")?,
            locality: opt_str(o, "locality")?,
            region: opt_str(o, "region")?,
            postal_code: opt_str(o, "postalCode")?,
            country: opt_str(o, "country")?,
            kind: opt_str(o, "type")?,
            primary: opt_bool(o, "primary")?,
        });
    }
    Ok(out)
}

/// The shared texts of `schema` (the core's table) from `o`, that
/// schema's attributes.
fn texts(o: &Map<String, Value>, schema: ScimSchema, p: &mut Profile) -> ScimResult<()> {
    for t in shared_texts(schema) {
        (t.set)(p, opt_str(o, t.scim)?);
    }
    Ok(())
}

fn parse_enterprise(o: &Map<String, Value>, p: &mut Profile) -> ScimResult<()> {
    texts(o, ScimSchema::Enterprise, p)?;
    match get(o, "manager") {
        // Entra ID sends the manager's id as a bare string.
        Some(Value::String(id)) => p.manager_id = Some(id.clone()).filter(|s| !s.is_empty()),
        Some(m) => {
            let m = as_object("manager", m)?;
            p.manager_id = opt_str(m, "value")?;
            p.manager_name = opt_str(m, "displayName")?;
            p.manager_ref = opt_str(m, "$ref")?;
        }
        None => {}
    }
    Ok(())
}

fn parse_flags(o: &Map<String, Value>) -> ScimResult<FlagInput> {
    let quota = match get(o, "storageQuota") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                .ok_or_else(|| {
                    ScimError::invalid_value("'storageQuota' must be a non-negative integer")
                })?,
        ),
    };
    let mut values = Vec::new();
    for flag in writable_flags() {
        let on = get(o, flag.name).map_or(Ok(false), |v| as_bool(flag.name, v))?;
        values.push((flag, on));
    }
    Ok(FlagInput {
        values,
        storage_quota: quota,
    })
}
