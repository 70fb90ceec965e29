//! The directory the stateful fuzz targets run against, built once per
//! process: a real store in a scratch directory, the core with cheap argon2
//! settings, a small tenant tree (two organizations, an Organization
//! Administrator, a delegate, a user holding a right, a role, a service
//! account, a server-wide SCIM token), and the actors those accounts bind as.
//! A snapshot taken when it is ready lets [`World::reset`] put the store back
//! after every input, so each input starts from the same records and a crash
//! reproduces on its own.

use crate::config::Config;
use crate::directory::acl::Actor;
use crate::directory::model::{Member, Right, Scope, TokenKind};
use crate::directory::orgs::NewOrg;
use crate::directory::roles::NewRole;
use crate::directory::users::{NewPassword, NewUser, OrgRef};
use crate::directory::{Directory, Request};
use crate::ldap::session::{Context, Session};
use crate::ldap::tree::Tree;
use crate::store::{Snapshot, Store, StoreError};
use ldap3_proto::proto::{LdapBindCred, LdapBindRequest, LdapMsg, LdapOp, LdapResultCode};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use uuid::Uuid;

/// The tree's base DN.
pub const BASE: &str = "dc=example,dc=com";
/// Where SCIM resources say they live.
pub const SCIM_BASE: &str = "http://localhost/scim/v2";
/// The client address sessions and audit events carry.
pub const PEER: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 40389);
/// `{SSHA}` of "secret" (salt "saltsalt"): binds with it are checked in
/// place, so fuzzed binds to seeded users cost no argon2 run.
const SSHA_SECRET: &str = "{SSHA}1G904nLkTkGWjKNnQuB/hpWXC/hzYWx0c2FsdA==";

/// Everything the stateful targets share.
pub struct World {
    /// One runtime for the whole process; inputs run on it one at a time.
    pub rt: tokio::runtime::Runtime,
    pub ctx: Arc<Context>,
    /// Anonymous, the system administrator, an Organization Administrator,
    /// a delegate, a user holding a right, a service account; the first byte
    /// of an LDAP input picks one.
    pub actors: Vec<Actor>,
    /// A server-wide SCIM token's request.
    pub scim: Request,
    /// The SCIM PATCH targets: a plain member of Acme-B and its role, and
    /// another plain member of Acme-B (not in the role).
    pub scim_user: Uuid,
    pub scim_group: Uuid,
    pub scim_other: Uuid,
    /// The SCIM rendering of `scim_user`, for filter evaluation.
    pub user_doc: serde_json::Value,
    /// The store as built, and the store's write count when it was taken.
    snapshot: Mutex<(Option<Snapshot>, u64)>,
}

impl World {
    pub fn dir(&self) -> &Directory {
        &self.ctx.dir
    }

    /// The actor `selector` picks.
    pub fn actor(&self, selector: u8) -> Actor {
        let i = usize::from(selector) % self.actors.len();
        self.actors.get(i).cloned().unwrap_or_else(Actor::anonymous)
    }

    /// Puts the store back as it was when the world was built, if anything
    /// may have changed it. Bind audit events are written by the journal
    /// thread: they are flushed first, or they would land after the restore.
    pub fn reset(&self) {
        self.dir().flush_journal();
        let store = self.dir().store();
        let mut held = self.snapshot.lock().unwrap_or_else(PoisonError::into_inner);
        if store.writes_begun() == held.1 {
            return;
        }
        let restored = match held.0.take() {
            Some(snapshot) => store.restore(snapshot),
            None => Err(StoreError::Abandoned),
        };
        match restored {
            Ok(fresh) => *held = (Some(fresh), store.writes_begun()),
            // Every later input would run on a drifting store: stop here.
            Err(e) => panic!("fuzzing: cannot restore the store snapshot: {e}"),
        }
    }
}

/// The world, built on first use.
pub fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| match build() {
        Ok(w) => w,
        // A harness without its directory would fuzz nothing: stop loudly.
        Err(e) => panic!("fuzzing: cannot build the directory: {e}"),
    })
}

fn build() -> Result<World, String> {
    let scratch = scratch_dir()?;
    let built = build_in(&scratch);
    // The store file stays open (and usable) once unlinked; nothing is left
    // behind when the process ends, however it ends.
    let _ = std::fs::remove_dir_all(&scratch);
    built
}

/// A fresh directory on tmpfs when there is one: the store syncs every
/// commit, and on a disk those syncs would be most of each input's time.
fn scratch_dir() -> Result<PathBuf, String> {
    let shm = Path::new("/dev/shm");
    let root = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let dir = root.join(format!(
        "dirgate-fuzz-{}-{}",
        std::process::id(),
        Uuid::new_v4()
    ));
    std::fs::create_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

fn build_in(scratch: &Path) -> Result<World, String> {
    let toml = format!(
        "data_dir = \"{}\"\nbase_dn = \"{BASE}\"\n[passwords]\nargon2_memory_kib = 64\n\
         argon2_iterations = 1\nhash_workers = 1\n",
        scratch.display()
    );
    let config = Config::from_str_with_env(&toml, &|_| None).map_err(|e| e.to_string())?;
    let store = Store::open(&config.store_path(), config.first_id_number).map_err(text)?;
    let dir = Directory::new(store, config.directory.clone()).map_err(text)?;
    let admin = dir.bootstrap().map_err(text)?.ok_or("store not new")?;
    let seeded = seed(&dir)?;
    let ctx = Arc::new(Context {
        dir: dir.clone(),
        tree: Tree::new(config.base_dn.clone()),
        cfg: config.ldap.clone(),
        tls: None,
        metrics: Arc::new(crate::metrics::Metrics::new(None, None)),
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(text)?;
    let binds = [
        (format!("cn=admin,{BASE}"), admin.password),
        (user_dn("olga", "Acme-A"), "secret".into()),
        (user_dn("bob", "Acme-A"), "secret".into()),
        (user_dn("alice", "Acme-A"), "secret".into()),
        (format!("cn=reader,ou=services,{BASE}"), seeded.reader),
    ];
    let mut actors = vec![Actor::anonymous()];
    for (name, pw) in binds {
        actors.push(rt.block_on(bind(&ctx, &name, &pw))?);
    }
    let scim = Request {
        actor: dir.authenticate_token(&seeded.token).map_err(text)?,
        origin: crate::directory::audit::Origin::internal(),
    };
    let view = dir.view_user(&scim, seeded.erin).map_err(text)?;
    let user_doc = crate::scim::user_json::render(&view, SCIM_BASE);
    dir.flush_journal();
    let snapshot = dir.store().snapshot().map_err(text)?;
    let snapshot = Mutex::new((Some(snapshot), dir.store().writes_begun()));
    Ok(World {
        rt,
        ctx,
        actors,
        scim,
        scim_user: seeded.erin,
        scim_group: seeded.team,
        scim_other: seeded.fay,
        user_doc,
        snapshot,
    })
}

fn text(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn user_dn(name: &str, org: &str) -> String {
    format!("uid={name}@example.com,ou={org},{BASE}")
}

/// What [`seed`] made that the world needs later.
struct Seeded {
    reader: String,
    token: String,
    erin: Uuid,
    fay: Uuid,
    team: Uuid,
}

/// The tenant tree; the same shape as the LDAP test suite's directory.
fn seed(dir: &Directory) -> Result<Seeded, String> {
    let sys = Request::internal();
    dir.add_suffix(&sys, "example.com").map_err(text)?;
    for name in ["Acme-A", "Acme-B"] {
        let org = NewOrg {
            name: name.into(),
            seats: 100,
            description: Some(format!("{name} team")),
            id: None,
        };
        dir.create_org(&sys, org).map_err(text)?;
    }
    let mut ids = Vec::new();
    for (name, org) in [
        ("olga", Some("Acme-A")),
        ("bob", Some("Acme-A")),
        ("alice", Some("Acme-A")),
        ("erin", Some("Acme-B")),
        ("fay", Some("Acme-B")),
        ("dave", None),
    ] {
        ids.push(dir.create_user(&sys, person(name, org)).map_err(text)?.id);
    }
    let [olga, bob, alice, erin, fay, _] = ids[..] else {
        return Err("seed users missing".into());
    };
    dir.appoint_org_admin(&sys, "Acme-A", olga).map_err(text)?;
    dir.set_delegate(&sys, bob, true).map_err(text)?;
    let staff = role(dir, "Staff", "Acme-A", vec![Right::AccountUnlock])?;
    dir.add_member(&sys, staff, Member::User(alice))
        .map_err(text)?;
    let team = role(dir, "Team", "Acme-B", Vec::new())?;
    dir.add_member(&sys, team, Member::User(erin))
        .map_err(text)?;
    let a = dir.get_org(&sys, "Acme-A").map_err(text)?.id;
    let reader = dir
        .create_service_account(&sys, "reader", Scope::Org(a), None)
        .map_err(text)?
        .secret;
    let token = dir
        .issue_token(&sys, TokenKind::Scim, Scope::Server, None)
        .map_err(text)?
        .secret;
    Ok(Seeded {
        reader,
        token,
        erin,
        fay,
        team,
    })
}

fn person(name: &str, org: Option<&str>) -> NewUser {
    let mut given = name.to_owned();
    if let Some(first) = given.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    NewUser {
        org: org.map(|o| OrgRef::Name(o.into())),
        state: crate::directory::model::Lifecycle::Active,
        email: Some(format!("{name}@mail.example.com")),
        given_name: Some(given),
        family_name: Some("Example".into()),
        password: Some(NewPassword::Hashed(SSHA_SECRET.into())),
        ..NewUser::new(format!("{name}@example.com"))
    }
}

fn role(dir: &Directory, name: &str, org: &str, rights: Vec<Right>) -> Result<Uuid, String> {
    let new = NewRole {
        name: name.into(),
        org: Some(OrgRef::Name(org.into())),
        rights,
        ..NewRole::default()
    };
    Ok(dir.create_role(&Request::internal(), new).map_err(text)?.id)
}

/// Binds a fresh session as `name` and returns the actor it became.
async fn bind(ctx: &Arc<Context>, name: &str, pw: &str) -> Result<Actor, String> {
    let mut session = Session::new(ctx.clone(), PEER, false);
    let msg = LdapMsg {
        msgid: 1,
        op: LdapOp::BindRequest(LdapBindRequest {
            version: 3,
            dn: name.into(),
            cred: LdapBindCred::Simple(pw.into()),
        }),
        ctrl: Vec::new(),
    };
    let reply = session.handle(msg).await;
    match reply.msgs.first().map(|m| &m.op) {
        Some(LdapOp::BindResponse(r)) if r.res.code == LdapResultCode::Success => Ok(session.actor),
        other => Err(format!("bind as {name}: {other:?}")),
    }
}
