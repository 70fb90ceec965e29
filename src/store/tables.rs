//! The redb table definitions: one table per record kind, keyed by uuid (as
//! u128), plus the index tables that the store keeps in step with them inside the
//! same write transaction. Index keys for names are case-folded.

use redb::{MultimapTableDefinition, TableDefinition};

/// Settings of the store itself: schema version, counters, the system administrator.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

pub const ORGS: TableDefinition<u128, &[u8]> = TableDefinition::new("orgs");
pub const USERS: TableDefinition<u128, &[u8]> = TableDefinition::new("users");
pub const ROLES: TableDefinition<u128, &[u8]> = TableDefinition::new("roles");
pub const SERVICES: TableDefinition<u128, &[u8]> = TableDefinition::new("services");
pub const TOKENS: TableDefinition<u128, &[u8]> = TableDefinition::new("tokens");
/// Folded suffix → record.
pub const SUFFIXES: TableDefinition<&str, &[u8]> = TableDefinition::new("suffixes");

/// Folded organization name → organization.
pub const ORG_BY_NAME: TableDefinition<&str, u128> = TableDefinition::new("idx_org_name");
/// Folded login → user.
pub const USER_BY_LOGIN: TableDefinition<&str, u128> = TableDefinition::new("idx_login");
/// Folded email → users (not unique: shared mailboxes exist).
pub const USER_BY_EMAIL: MultimapTableDefinition<&str, u128> =
    MultimapTableDefinition::new("idx_email");
/// Every folded address of a user (the primary `email` and every address of
/// its profile) → users: what SCIM's `emails.value eq` needs. Kept apart from
/// `idx_email`, which binds and LDAP's `mail` use for the primary address only.
pub const USER_BY_ANY_EMAIL: MultimapTableDefinition<&str, u128> =
    MultimapTableDefinition::new("idx_email_any");
/// External id (exact) → users.
pub const USER_BY_EXTERNAL_ID: MultimapTableDefinition<&str, u128> =
    MultimapTableDefinition::new("idx_external_id");
/// Loose key of a user's common name (`names::loose_key`) → users.
pub const USER_BY_CN: MultimapTableDefinition<&str, u128> =
    MultimapTableDefinition::new("idx_user_cn");
/// Loose key of a role's name → roles (across organizations).
pub const ROLE_BY_CN: MultimapTableDefinition<&str, u128> =
    MultimapTableDefinition::new("idx_role_cn");
/// Before schema version 4: uidNumber / gidNumber → user or role, one number
/// space for both. Read only by the migration that splits it.
pub const BY_ID_NUMBER: TableDefinition<u32, u128> = TableDefinition::new("idx_id_number");
/// uidNumber → user (unique among users).
pub const UID_NUMBERS: TableDefinition<u32, u128> = TableDefinition::new("idx_uid_number");
/// A role's gidNumber → role (unique among roles).
pub const GROUP_GIDS: TableDefinition<u32, u128> = TableDefinition::new("idx_group_gid");
/// A user's primary gidNumber → users (not unique: users share groups).
pub const USER_GIDS: MultimapTableDefinition<u32, u128> =
    MultimapTableDefinition::new("idx_user_gid");
/// `<org uuid or nil>/<folded role name>` → role.
pub const ROLE_BY_NAME: TableDefinition<&str, u128> = TableDefinition::new("idx_role_name");
/// Folded service account name → service account.
pub const SERVICE_BY_NAME: TableDefinition<&str, u128> = TableDefinition::new("idx_service_name");

/// Organization (nil = none) → its users.
pub const ORG_USERS: MultimapTableDefinition<u128, u128> =
    MultimapTableDefinition::new("org_users");
/// Organization (nil = server-wide) → its roles.
pub const ORG_ROLES: MultimapTableDefinition<u128, u128> =
    MultimapTableDefinition::new("org_roles");
/// Organization → number of its users holding a seat.
pub const SEATS_USED: TableDefinition<u128, u64> = TableDefinition::new("seats_used");
/// Role → direct members (users and roles).
pub const ROLE_MEMBERS: MultimapTableDefinition<u128, u128> =
    MultimapTableDefinition::new("role_members");
/// Member (user or role) → roles it is directly in.
pub const MEMBER_OF: MultimapTableDefinition<u128, u128> =
    MultimapTableDefinition::new("member_of");

/// Organizational units inside organizations.
pub const UNITS: TableDefinition<u128, &[u8]> = TableDefinition::new("units");
/// `<org>/<parent unit or nil>/<folded name>` → unit (unique among siblings).
pub const UNIT_BY_NAME: TableDefinition<&str, u128> = TableDefinition::new("idx_unit_name");
/// Organization → its units (at every depth).
pub const ORG_UNITS: MultimapTableDefinition<u128, u128> =
    MultimapTableDefinition::new("org_units");

/// The append-only change log (the audit trail): sequence → event.
pub const CHANGELOG: TableDefinition<u64, &[u8]> = TableDefinition::new("changelog");

/// Notices on their way (the outbox): id → entry, every state.
pub const OUTBOX: TableDefinition<u64, &[u8]> = TableDefinition::new("outbox");
/// The pending part of the outbox: id → when it is tried next (8 bytes,
/// little-endian) and the channel's name, so a channel's delivery thread
/// finds its work without decoding an entry.
pub const OUTBOX_PENDING: TableDefinition<u64, &[u8]> = TableDefinition::new("outbox_pending");

/// Applications: id → record.
pub const APPS: TableDefinition<u128, &[u8]> = TableDefinition::new("apps");
/// `<owning org or nil>/<folded name>` → application.
pub const APP_BY_NAME: TableDefinition<&str, u128> = TableDefinition::new("idx_app_name");
/// Loose key of an application's name (`names::loose_key`) → applications
/// (of every owner): what an LDAP `cn` equality search probes.
pub const APP_BY_CN: MultimapTableDefinition<&str, u128> =
    MultimapTableDefinition::new("idx_app_cn");
/// Owning organization (nil = server-wide) → its applications.
pub const ORG_APPS: MultimapTableDefinition<u128, u128> = MultimapTableDefinition::new("org_apps");
/// Role → the applications it carries.
pub const ROLE_APPS: MultimapTableDefinition<u128, u128> =
    MultimapTableDefinition::new("role_apps");
/// Application → the roles that carry it.
pub const APP_ROLES: MultimapTableDefinition<u128, u128> =
    MultimapTableDefinition::new("app_roles");
/// Access requests: id → record, every state.
pub const REQUESTS: TableDefinition<u128, &[u8]> = TableDefinition::new("requests");
/// Organization → its requests.
pub const ORG_REQUESTS: MultimapTableDefinition<u128, u128> =
    MultimapTableDefinition::new("org_requests");
/// Requester → its requests.
pub const USER_REQUESTS: MultimapTableDefinition<u128, u128> =
    MultimapTableDefinition::new("user_requests");
/// Pending requests → when each expires (ms, i64): what the expiry sweep reads.
pub const OPEN_REQUESTS: TableDefinition<u128, i64> = TableDefinition::new("open_requests");

/// User → when it last logged in (ms, i64 little-endian), newer than the
/// record's own `last_login` where both exist. A login touches this row, not
/// the record: at 1,000,000 users, decoding and rewriting whole records (a
/// 4 KB leaf each) for last-login times took a third of the bind CPU (perf).
/// Bytes, not i64, so read transactions keep it open with the records.
pub const LAST_LOGINS: TableDefinition<u128, &[u8]> = TableDefinition::new("last_logins");
