//! Administrative subcommands (`dirgate org|user|role|app|request|password|admin|token|suffix|report|audit|import|export-ldif|backup …`)
//! that call a running daemon over the admin API. The store is locked by the
//! daemon, so these never open it. Argument definitions live here; `run` turns
//! each into one HTTP call; `client` holds the connection and credentials;
//! `output` prints tables or JSON. Exit statuses: see [`client::CliError::exit_code`].

mod backup;
pub mod client;
mod import;
mod output;
mod password;
mod progress;
mod run;

use clap::{Args, Subcommand};
use std::path::PathBuf;

pub use run::run;

/// How to reach the daemon and how to print, shared by every admin command.
/// (Subcommands name the account they act on `account`, shown as USER, so it
/// never collides with the global `--user`.)
#[derive(Args, Clone, Debug)]
pub struct Conn {
    /// The daemon's base URL (default: http://<[http] listen> from the configuration).
    #[arg(long, global = true, env = "DIRGATE_URL")]
    pub url: Option<String>,
    /// Bind DN or login to authenticate as (password from DIRGATE_PASSWORD).
    /// Without it: DIRGATE_TOKEN, else <data_dir>/bootstrap-admin.
    #[arg(long, global = true)]
    pub user: Option<String>,
    /// Print the daemon's JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
}

/// The administrative subcommands, flattened into `dirgate`'s own.
#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Organizations: list, show, create, change seats, delete.
    Org {
        #[command(flatten)]
        conn: Conn,
        #[command(subcommand)]
        cmd: OrgCmd,
    },
    /// Users: list, show, create, change state, move, unlock, reset password, delete.
    User {
        #[command(flatten)]
        conn: Conn,
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Roles: list, show, create, delete, members.
    Role {
        #[command(flatten)]
        conn: Conn,
        #[command(subcommand)]
        cmd: RoleCmd,
    },
    /// Applications: list, show, create, change, delete; an organization's
    /// approvers and default role; the roles that carry them.
    App {
        #[command(flatten)]
        conn: Conn,
        #[command(subcommand)]
        cmd: AppCmd,
    },
    /// Access requests for applications: list, show, ask, approve, reject, withdraw.
    Request {
        #[command(flatten)]
        conn: Conn,
        #[command(subcommand)]
        cmd: RequestCmd,
    },
    /// A forgotten password: ask for a code by mail, reset with it (no
    /// credential needed).
    Password {
        #[command(flatten)]
        conn: Conn,
        #[command(subcommand)]
        cmd: password::PasswordCmd,
    },
    /// Organization Administrators and delegates.
    Admin {
        #[command(flatten)]
        conn: Conn,
        #[command(subcommand)]
        cmd: AdminsCmd,
    },
    /// Bearer tokens (SCIM and admin): issue, list, revoke.
    Token {
        #[command(flatten)]
        conn: Conn,
        #[command(subcommand)]
        cmd: TokenCmd,
    },
    /// Login suffixes: list, add, delete.
    Suffix {
        #[command(flatten)]
        conn: Conn,
        #[command(subcommand)]
        cmd: SuffixCmd,
    },
    /// A report: active-users, inactive-users, failed-logins, top-logins,
    /// users-by-state, seats, logins-per-day.
    Report {
        #[command(flatten)]
        conn: Conn,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// The audit trail, newest first.
    Audit {
        #[command(flatten)]
        conn: Conn,
        #[command(flatten)]
        query: AuditArgs,
    },
    /// Bulk organization update from a CSV or XLSX file: preview, confirm, apply.
    Import {
        #[command(flatten)]
        conn: Conn,
        #[command(flatten)]
        args: ImportArgs,
    },
    /// Export the directory (or one organization) as LDIF that slapadd and
    /// `dirgate load-ldif` take, as you may read it; password hashes and
    /// service accounts for the system administrator only.
    ExportLdif {
        #[command(flatten)]
        conn: Conn,
        #[command(flatten)]
        args: ExportArgs,
    },
    /// Back up a running daemon's whole store into FILE (mode 0600: it holds
    /// password hashes), from one consistent snapshot while writes go on;
    /// the checksum is checked before FILE is in place. `dirgate restore`
    /// loads it into a stopped server.
    Backup {
        #[command(flatten)]
        conn: Conn,
        /// Where to write the backup.
        file: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Export this organization only (default: the whole directory).
    #[arg(long, visible_alias = "org")]
    pub organization: Option<String>,
    /// Write to FILE (created with mode 0600: it may hold password hashes)
    /// instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The CSV or XLSX file (`.xlsx` is sent as XLSX, anything else as CSV).
    /// With --template: where to write the template (default stdout).
    #[arg(value_name = "FILE", required_unless_present = "template")]
    pub file: Option<PathBuf>,
    /// Write the CSV template (the header row) instead of importing.
    #[arg(long)]
    pub template: bool,
    /// Apply without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Stop after the preview; nothing is applied.
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,
}

#[derive(Subcommand, Debug)]
pub enum OrgCmd {
    List,
    Show {
        name: String,
    },
    Create {
        name: String,
        #[arg(long, default_value_t = 0)]
        seats: u32,
        #[arg(long)]
        description: Option<String>,
    },
    /// Change the seat count.
    Seats {
        name: String,
        seats: u32,
    },
    Delete {
        name: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    List {
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        state: Option<String>,
        /// Text to look for in login, email and names.
        #[arg(long)]
        q: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: usize,
        #[arg(long, default_value_t = 0)]
        offset: usize,
    },
    /// USER is an id or a login.
    Show {
        #[arg(value_name = "USER")]
        account: String,
    },
    Create {
        login: String,
        /// Default: your own organization (for a delegate).
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        given_name: Option<String>,
        #[arg(long)]
        family_name: Option<String>,
        /// provisioned (default) or active.
        #[arg(long)]
        state: Option<String>,
    },
    Disable {
        #[arg(value_name = "USER")]
        account: String,
    },
    Enable {
        #[arg(value_name = "USER")]
        account: String,
    },
    /// registered → active, after checking the person out of band.
    Validate {
        #[arg(value_name = "USER")]
        account: String,
    },
    Unlock {
        #[arg(value_name = "USER")]
        account: String,
    },
    /// Issue a fresh registration token for a provisioned user (printed once).
    Invite {
        #[arg(value_name = "USER")]
        account: String,
    },
    /// Move to another organization (--none: out of every organization).
    Move {
        #[arg(value_name = "USER")]
        account: String,
        #[arg(long, required_unless_present = "none")]
        org: Option<String>,
        #[arg(long, conflicts_with = "org")]
        none: bool,
    },
    /// Set a new password, read from DIRGATE_NEW_PASSWORD or the first line of stdin.
    SetPassword {
        #[arg(value_name = "USER")]
        account: String,
    },
    /// Remove a user's second factor (a lost phone); it enrols again.
    ResetSecondFactor {
        #[arg(value_name = "USER")]
        account: String,
    },
    Delete {
        #[arg(value_name = "USER")]
        account: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum RoleCmd {
    List {
        #[arg(long)]
        org: Option<String>,
    },
    Show {
        id: String,
    },
    Create {
        name: String,
        #[arg(long)]
        org: Option<String>,
        /// user-management, role-management or account-unlock (repeatable).
        #[arg(long = "right")]
        rights: Vec<String>,
        #[arg(long)]
        description: Option<String>,
    },
    Delete {
        id: String,
    },
    AddMember {
        id: String,
        /// A user's id or login.
        #[arg(value_name = "USER")]
        account: String,
    },
    RemoveMember {
        id: String,
        #[arg(value_name = "USER")]
        account: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AppCmd {
    List,
    /// An application (by id or name) with the users who have it.
    Show {
        app: String,
    },
    Create {
        name: String,
        /// The owning organization (default: the caller's; none for the
        /// system administrator makes it server-wide).
        #[arg(long)]
        org: Option<String>,
        /// Where its users sign in.
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// Let users ask for it.
        #[arg(long)]
        requestable: bool,
    },
    /// Change an application's name, URL, description or whether it takes requests.
    Set {
        app: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        requestable: Option<bool>,
    },
    Delete {
        app: String,
    },
    /// Set ORG's default role and approvers for an application.
    Approvers {
        app: String,
        org: String,
        /// The role approvals put users in (its id).
        #[arg(long)]
        default_role: Option<String>,
        /// A user (id or login) who approves; `role:<id>` for a role's
        /// members (repeatable; replaces the list when given).
        #[arg(long = "approver")]
        approvers: Vec<String>,
    },
    /// Make ROLE (its id) carry an application: its members have it.
    Carry {
        role: String,
        app: String,
    },
    /// Take an application off ROLE.
    Uncarry {
        role: String,
        app: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum RequestCmd {
    List {
        /// pending, approved, rejected, withdrawn or expired.
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        org: Option<String>,
        /// Only the caller's own requests.
        #[arg(long)]
        mine: bool,
    },
    Show {
        id: String,
    },
    /// Ask for access to an application (as the user the command runs as).
    Ask {
        app: String,
        #[arg(long)]
        reason: String,
    },
    Approve {
        id: String,
        /// The role to put the user in (default: the application's default role).
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    Reject {
        id: String,
        #[arg(long)]
        note: Option<String>,
    },
    Withdraw {
        id: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AdminsCmd {
    /// An organization's Organization Administrator and delegates.
    Show { org: String },
    /// Appoint (or replace) the Organization Administrator; prints its recovery code once.
    Appoint {
        org: String,
        #[arg(value_name = "USER")]
        account: String,
    },
    /// Make a member of ORG a Delegated Administrator.
    Delegate {
        org: String,
        #[arg(value_name = "USER")]
        account: String,
    },
    /// Take delegation away.
    Undelegate {
        org: String,
        #[arg(value_name = "USER")]
        account: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCmd {
    /// Issue a token; its secret is printed once.
    Issue {
        /// A SCIM provisioning token (server-wide, or --org).
        #[arg(long, required_unless_present = "admin")]
        scim: bool,
        /// An admin API token acting as you.
        #[arg(long, conflicts_with = "scim")]
        admin: bool,
        #[arg(long, requires = "scim")]
        org: Option<String>,
        /// Admin tokens: seconds until it stops working (a session).
        #[arg(long, requires = "admin")]
        expires_in: Option<u32>,
        #[arg(long)]
        description: Option<String>,
    },
    List,
    Revoke {
        id: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum SuffixCmd {
    List,
    Add { name: String },
    Delete { name: String },
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    #[arg(long)]
    pub org: Option<String>,
    #[arg(long)]
    pub actor: Option<String>,
    /// An action (user.create) or a prefix ending in '.' (user.).
    #[arg(long)]
    pub action: Option<String>,
    /// RFC 3339 time.
    #[arg(long)]
    pub since: Option<String>,
    #[arg(long)]
    pub until: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    pub name: String,
    /// Default: your own organization (the whole server for the system administrator).
    #[arg(long)]
    pub org: Option<String>,
    /// Look-back period in days.
    #[arg(long)]
    pub days: Option<u32>,
    /// Print CSV (with a header row) instead of a table.
    #[arg(long)]
    pub csv: bool,
}
