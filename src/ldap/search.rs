//! Search execution inside one read transaction: resolve the base, pick
//! candidates (an index probe when the filter allows, else the scope's subtree,
//! pre-filtered by object class), render each visible entry, evaluate the filter,
//! select attributes, and honour size and time limits. Paging and sorting work on
//! the list of matching nodes this produces.

use super::binary;
use super::dn::Dn;
use super::entry::Entry;
use super::filter::{self, Chain, Plan, Probe};
use super::render::Renderer;
use super::rootdse;
use super::schema::{self, AttributeType, SUBSCHEMA_DN};
use super::select::Selection;
use super::tree::{Node, Resolved, Tree, private_groups};
use crate::directory::Result;
use crate::directory::view::{Seen, View};
use ldap3_proto::proto::{LdapFilter, LdapSearchScope};
use std::borrow::Cow;
use std::collections::HashSet;
use uuid::Uuid;

/// Where a search starts.
pub enum Start {
    RootDse,
    Subschema,
    Node(Node),
    /// The base does not exist; the deepest existing ancestor.
    Missing(String),
    /// A non-base search of the root DSE (slapd answers noSuchObject too).
    Nothing,
}

/// Attributes with an index (or an equivalent lookup): equality on them never scans.
pub fn indexed(ty: &AttributeType) -> bool {
    matches!(
        ty.canonical(),
        "uid"
            | "mail"
            | "entryUUID"
            | "uidNumber"
            | "gidNumber"
            | "memberOf"
            | "objectClass"
            | "entryDN"
    )
}

/// Resolves a search base.
pub fn start(tx: &View<'_>, tree: &Tree, base: &str, scope: &LdapSearchScope) -> Result<Start> {
    let dn = match Dn::parse(base) {
        Ok(dn) => dn,
        Err(_) => return Ok(Start::Missing(String::new())),
    };
    if dn.is_root() {
        return Ok(match scope {
            LdapSearchScope::Base => Start::RootDse,
            _ => Start::Nothing,
        });
    }
    if dn.normalized_str() == "cn=subschema" {
        return Ok(Start::Subschema);
    }
    Ok(match tree.resolve(tx, &dn)? {
        Resolved::Found(node) => Start::Node(node),
        Resolved::Missing { matched } => Start::Missing(matched),
    })
}

/// The special entries at the top, for base-scope searches.
pub fn special_entry(start: &Start, tree: &Tree) -> Option<Entry> {
    match start {
        Start::RootDse => Some(rootdse::root_dse(tree.base_str())),
        Start::Subschema => Some(rootdse::subschema()),
        _ => None,
    }
}

/// The nodes a search must look at, in a stable order (tree order, or probe order).
pub fn candidates(
    tx: &View<'_>,
    tree: &Tree,
    base: Node,
    scope: &LdapSearchScope,
    filter: &LdapFilter,
    max_depth: usize,
) -> Result<Vec<Node>> {
    let plan = filter::plan(filter, &indexed);
    if matches!(&plan, Plan::Probes(p) if p.is_empty()) {
        // The planner proved nothing can match (e.g. `(uidNumber=abc)`).
        return Ok(Vec::new());
    }
    let (kinds, probes): (Vec<&Probe>, Vec<&Probe>) = match &plan {
        Plan::Probes(p) => p.iter().partition(|p| p.ty.canonical() == "objectClass"),
        Plan::Scan => (Vec::new(), Vec::new()),
    };
    if !probes.is_empty() && kinds.is_empty() {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for p in probes {
            for node in probe(tx, tree, p, max_depth)? {
                if seen.insert(node) && in_scope(tx, tree, node, base, scope)? {
                    out.push(node);
                }
            }
        }
        return Ok(out);
    }
    let mut nodes = match scope {
        LdapSearchScope::Base => vec![base],
        LdapSearchScope::OneLevel => tree.children(tx, base)?,
        LdapSearchScope::Subtree => {
            let mut all = vec![base];
            all.extend(tree.descendants(tx, base)?);
            all
        }
        LdapSearchScope::Children => tree.descendants(tx, base)?,
    };
    // A mix of objectClass and other probes (an OR) cannot pre-filter by kind.
    if !kinds.is_empty() && probes.is_empty() {
        let wanted: Vec<Kinds> = kinds.iter().map(|p| kinds_of_class(&p.value)).collect();
        nodes.retain(|n| wanted.iter().any(|k| k.has(*n)));
    }
    Ok(nodes)
}

fn in_scope(
    tx: &View<'_>,
    tree: &Tree,
    node: Node,
    base: Node,
    scope: &LdapSearchScope,
) -> Result<bool> {
    Ok(match scope {
        LdapSearchScope::Base => node == base,
        LdapSearchScope::OneLevel => tree.parent(tx, node)? == Some(base),
        LdapSearchScope::Subtree => tree.is_within(tx, node, base)?,
        LdapSearchScope::Children => node != base && tree.is_within(tx, node, base)?,
    })
}

/// The nodes an equality probe can match (a superset; the filter decides).
fn probe(tx: &View<'_>, tree: &Tree, p: &Probe, max_depth: usize) -> Result<Vec<Node>> {
    let v = p.value.trim();
    Ok(match p.ty.canonical() {
        // The index alone: rendering reads (and decodes) the record anyway.
        "uid" => tx
            .user_id_by_login(v)?
            .map(Node::User)
            .into_iter()
            .collect(),
        // Every address of a user is a `mail` value.
        "mail" => tx
            .users_by_any_email(v)?
            .into_iter()
            .map(Node::User)
            .collect(),
        "cn" => {
            // A loose key: a superset of caseIgnoreMatch's equal values.
            let key = crate::directory::names::loose_key(v);
            let users = tx.users_by_cn_key(&key)?.into_iter().map(Node::User);
            let roles = tx.roles_by_cn_key(&key)?.into_iter().map(Node::Role);
            // Service names are letters, digits and . _ - only: the exact
            // lookup agrees with caseIgnoreMatch for them.
            let services = tx.service_by_name(v)?.map(|s| Node::Service(s.id));
            let private = private_groups::named(tx, v)?;
            let apps = tx.apps_by_cn_key(&key)?.into_iter().map(Node::App);
            users
                .chain(roles)
                .chain(services)
                .chain(private)
                .chain(apps)
                .collect()
        }
        "entryUUID" => match Uuid::try_parse(v) {
            Ok(id) => node_by_id(tx, id)?.into_iter().collect(),
            Err(_) => Vec::new(),
        },
        "uidNumber" => match v.parse::<u32>() {
            Ok(n) => tx
                .user_by_uid_number(n)?
                .map(Node::User)
                .into_iter()
                .collect(),
            Err(_) => Vec::new(),
        },
        "gidNumber" => match v.parse::<u32>() {
            Ok(n) => {
                let roles = tx.role_by_gid_number(n)?.map(Node::Role);
                let users = tx.users_by_gid_number(n)?.into_iter().map(Node::User);
                let private = private_groups::by_gid(tx, n)?;
                roles.into_iter().chain(users).chain(private).collect()
            }
            Err(_) => Vec::new(),
        },
        "memberOf" => match Dn::parse(v).ok().map(|dn| tree.resolve(tx, &dn)) {
            Some(Ok(Resolved::Found(Node::Role(role)))) => members_below(tx, role, max_depth)?,
            Some(Ok(Resolved::Found(Node::App(app)))) => {
                tx.users_with(app)?.into_iter().map(Node::User).collect()
            }
            Some(Err(e)) => return Err(e),
            _ => Vec::new(),
        },
        "entryDN" => match Dn::parse(v).ok().map(|dn| tree.resolve(tx, &dn)) {
            Some(Ok(Resolved::Found(node))) => vec![node],
            Some(Err(e)) => return Err(e),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    })
}

fn node_by_id(tx: &View<'_>, id: Uuid) -> Result<Option<Node>> {
    Ok(if tx.user(id)?.is_some() {
        Some(Node::User(id))
    } else if tx.role(id)?.is_some() {
        Some(Node::Role(id))
    } else if tx.org(id)?.is_some() {
        Some(Node::Org(id))
    } else if tx.service(id)?.is_some() {
        Some(Node::Service(id))
    } else if tx.app(id)?.is_some() {
        Some(Node::App(id))
    } else {
        None
    })
}

/// Users and roles whose (nested) memberOf includes `role`.
fn members_below(tx: &View<'_>, role: Uuid, max_depth: usize) -> Result<Vec<Node>> {
    let mut out = Vec::new();
    let mut seen = HashSet::from([role]);
    let mut frontier = vec![role];
    for _ in 0..max_depth {
        let mut next = Vec::new();
        for r in frontier {
            for m in tx.role_members(r)? {
                use crate::directory::model::Member;
                match m {
                    Member::User(u) if seen.insert(u) => out.push(Node::User(u)),
                    Member::Role(x) if seen.insert(x) => {
                        out.push(Node::Role(x));
                        next.push(x);
                    }
                    _ => {}
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    Ok(out)
}

/// Which node kinds an objectClass value can describe.
#[derive(Clone, Copy)]
struct Kinds {
    base: bool,
    containers: bool,
    orgs: bool,
    users: bool,
    roles: bool,
    services: bool,
}

impl Kinds {
    const ALL: Kinds = Kinds {
        base: true,
        containers: true,
        orgs: true,
        users: true,
        roles: true,
        services: true,
    };
    const NONE: Kinds = Kinds {
        base: false,
        containers: false,
        orgs: false,
        users: false,
        roles: false,
        services: false,
    };

    fn has(self, node: Node) -> bool {
        match node {
            Node::Base => self.base,
            Node::Branch(_) | Node::RolesOf(_) | Node::AppsOf(_) | Node::Unit(_) => self.containers,
            Node::Org(_) => self.orgs,
            Node::User(_) => self.users,
            Node::Role(_) | Node::PrivateGroup(_) | Node::App(_) => self.roles,
            Node::Service(_) => self.services,
        }
    }
}

/// A superset of the kinds whose entries list (or inherit) the class.
fn kinds_of_class(value: &str) -> Kinds {
    let Some(class) = schema::object_class(value.trim()) else {
        return Kinds::NONE;
    };
    let k = Kinds::NONE;
    match class.canonical() {
        "top" => Kinds::ALL,
        "person"
        | "organizationalPerson"
        | "inetOrgPerson"
        | "posixAccount"
        | "shadowAccount"
        | "ldapPublicKey"
        | "dirgateAccount" => Kinds { users: true, ..k },
        "groupOfNames" | "groupOfUniqueNames" | "posixGroup" | "dirgateRole" | "dirgateGroup"
        | "dirgateApplication" => Kinds { roles: true, ..k },
        "organizationalUnit" => Kinds {
            base: true,
            containers: true,
            orgs: true,
            ..k
        },
        "dirgateOrganization" => Kinds { orgs: true, ..k },
        "applicationProcess" | "simpleSecurityObject" | "dirgateServiceAccount" => Kinds {
            services: true,
            ..k
        },
        "extensibleObject" => Kinds {
            base: true,
            users: true,
            ..k
        },
        "domain" | "organization" | "dcObject" => Kinds { base: true, ..k },
        _ => Kinds::NONE,
    }
}

/// Transitive values for the in-chain matching rule, read from the store.
pub struct StoreChain<'a> {
    /// Who searches: `memberOf` in the chain names only roles it may read.
    pub tx: &'a View<'a>,
    pub tree: &'a Tree,
}

impl StoreChain<'_> {
    /// The applications user `id` has that the searcher may see.
    fn visible_apps(&self, id: Uuid) -> Vec<Node> {
        let apps = self.tx.apps_of(id).unwrap_or_default();
        apps.into_iter()
            .filter(|a| {
                self.tx
                    .app(*a)
                    .ok()
                    .flatten()
                    .is_some_and(|app| self.tx.may_read(Seen::App, app.org, None))
            })
            .map(Node::App)
            .collect()
    }
}

impl Chain for StoreChain<'_> {
    fn transitive(&self, entry: &Entry, attr: &AttributeType) -> Vec<String> {
        let direct = || entry.get(attr).map(<[String]>::to_vec).unwrap_or_default();
        let Ok(dn) = Dn::parse(&entry.dn) else {
            return direct();
        };
        let node = match self.tree.resolve(self.tx, &dn) {
            Ok(Resolved::Found(n)) => n,
            _ => return direct(),
        };
        let dns = |nodes: Vec<Node>| {
            nodes
                .into_iter()
                .filter_map(|n| self.tree.dn_of(self.tx, n).ok())
                .filter(|d| !d.is_empty())
                .collect()
        };
        match (attr.canonical(), node) {
            ("memberOf", Node::User(id) | Node::Role(id)) => match self.tx.visible_member_of(id) {
                Ok(roles) => {
                    let mut nodes: Vec<Node> =
                        roles.into_iter().map(|r| Node::Role(r.id)).collect();
                    if let Node::User(id) = node {
                        nodes.extend(self.visible_apps(id));
                    }
                    dns(nodes)
                }
                Err(_) => direct(),
            },
            ("member" | "uniqueMember", Node::App(_)) => direct(),
            ("member" | "uniqueMember", Node::Role(id)) => {
                match members_below(self.tx, id, self.tx.settings().max_role_depth) {
                    Ok(nodes) => dns(nodes),
                    Err(_) => direct(),
                }
            }
            _ => direct(),
        }
    }
}

/// Whether a rendered entry's DN names the subschema entry (for compare).
pub fn is_subschema(dn: &str) -> bool {
    Dn::parse(dn).is_ok_and(|d| d.normalized_str() == "cn=subschema")
        || dn.eq_ignore_ascii_case(SUBSCHEMA_DN)
}

/// Renders `node` for the actor and keeps it if the filter matches.
///
/// Where an equality search's CPU goes (perf, 100,000 users, 8 clients,
/// 2026-12-07): ~25% the kernel's loopback writes of the answer; here,
/// rendering ~26%, of which decoding the user record (rmp_serde, every
/// field and string) ~8%, redb's B-tree lookups with its page cache ~7%,
/// and the DN (the organization's name) ~4%; finding the candidate through
/// the login index ~7%. The record's decode is the largest piece left that
/// dirgate owns: a format that renders `cn mail uid` without building the
/// password hash, history and profile would be the next step.
pub fn matching_entry(
    renderer: &mut Renderer<'_>,
    chain: &StoreChain<'_>,
    node: Node,
    filter: &LdapFilter,
) -> Result<Option<Entry>> {
    Ok(renderer
        .render(node)?
        .filter(|e| filter::matches(filter, e, chain)))
}

/// An attribute as it goes out: its description and its values' bytes.
type WireAttr<'e> = (Cow<'static, str>, Vec<Cow<'e, [u8]>>);

/// Search result entries already encoded for the wire, and where each ends
/// (so a page can be cut). Encoding straight from the rendered entry skips
/// ldap3_proto's message tree, which cost more than reading the store.
#[derive(Default)]
pub struct Encoded {
    pub bytes: bytes::BytesMut,
    ends: Vec<usize>,
}

impl Encoded {
    /// Appends `entry` as a SearchResultEntry of message `msgid` with the
    /// selected attributes (only their types with `types_only`).
    pub fn push(&mut self, msgid: i32, entry: &Entry, selection: &Selection, types_only: bool) {
        let picked = selection.pick(&entry.attrs);
        if picked.iter().any(|(ty, _)| ty.is_binary()) {
            self.push_binary(msgid, entry, &picked, types_only);
        } else if types_only {
            let none: Vec<(&str, &[String])> = picked
                .iter()
                .map(|(t, _)| (t.canonical(), &[][..]))
                .collect();
            super::codec::put_entry(&mut self.bytes, msgid, &entry.dn, &none);
        } else {
            let text: Vec<(&str, &[String])> =
                picked.iter().map(|(t, v)| (t.canonical(), *v)).collect();
            super::codec::put_entry(&mut self.bytes, msgid, &entry.dn, &text);
        }
        self.ends.push(self.bytes.len());
    }

    /// [`Self::push`] for an entry with binary values: they go out as their
    /// bytes (decoded from the stored base64), certificates named with
    /// `;binary`. Kept apart so entries without any (nearly all) encode
    /// without copying a value.
    fn push_binary(
        &mut self,
        msgid: i32,
        entry: &Entry,
        picked: &[(&'static AttributeType, &[String])],
        types_only: bool,
    ) {
        let wire: Vec<WireAttr<'_>> = picked
            .iter()
            .map(|(ty, values)| {
                let values = match types_only {
                    true => Vec::new(),
                    false => values.iter().map(|v| binary::bytes_of(ty, v)).collect(),
                };
                (binary::wire_name(ty), values)
            })
            .collect();
        let parts: Vec<(&str, &[Cow<'_, [u8]>])> = wire
            .iter()
            .map(|(n, v)| (n.as_ref(), v.as_slice()))
            .collect();
        super::codec::put_entry(&mut self.bytes, msgid, &entry.dn, &parts);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Keeps the first `n` entries.
    pub fn truncate(&mut self, n: usize) {
        if n < self.ends.len() {
            self.bytes
                .truncate(if n == 0 { 0 } else { self.ends[n - 1] });
            self.ends.truncate(n);
        }
    }
}

/// The DN of the deepest ancestor of `node` that the renderer's actor may read.
pub fn visible_ancestor(tx: &View<'_>, renderer: &mut Renderer<'_>, node: Node) -> Result<String> {
    let mut at = renderer.tree.parent(tx, node)?;
    while let Some(n) = at {
        if let Some(e) = renderer.render(n)? {
            return Ok(e.dn);
        }
        at = renderer.tree.parent(tx, n)?;
    }
    Ok(String::new())
}

/// matchedDN for a DN that names nothing: `matched`, its deepest existing
/// ancestor, when the actor may read it, else that entry's deepest
/// readable ancestor. An organization out of reach is as absent as its
/// missing children, so naming one must not confirm that it exists.
pub fn visible_matched(
    tx: &View<'_>,
    renderer: &mut Renderer<'_>,
    matched: String,
) -> Result<String> {
    if matched.is_empty() {
        return Ok(matched);
    }
    let Ok(dn) = Dn::parse(&matched) else {
        return Ok(String::new());
    };
    match renderer.tree.resolve(tx, &dn)? {
        Resolved::Found(node) if renderer.render(node)?.is_some() => Ok(matched),
        Resolved::Found(node) => visible_ancestor(tx, renderer, node),
        Resolved::Missing { .. } => Ok(String::new()),
    }
}
