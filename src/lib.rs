//! dirgate: a directory gateway daemon. One process speaks LDAP v3 and SCIM 2.0
//! over one embedded redb store; organizations are LDAP OUs with their own
//! administrators; administrators bulk-load users from spreadsheets.
//!
//! Module map:
//! - [`config`]: TOML file + `DIRGATE_*` environment → validated [`config::Config`].
//! - [`directory`]: the core: model, rules, the one access policy, use cases.
//!   Imports no protocol crate and no redb.
//! - [`store`]: redb tables, indexes, migrations, change log. The only redb user.
//! - [`ldap`]: the LDAP front end: listener, sessions, search, writes, the
//!   schema, and LDIF in (`load-ldif`) and out (the export).
//! - [`scim`]: the SCIM 2.0 front end at `/scim/v2` (Users, Groups, discovery).
//! - [`import`]: spreadsheet import: reading CSV/XLSX, previews, confirm, report.
//! - [`admin`]: the admin API (`/admin/v1`, JSON) over the core's use cases.
//! - [`cli`]: administrative subcommands that call a running daemon's admin API.
//! - [`cluster`]: the server set's etcd client and replicated log (issue 14).
//! - [`console`]: the web console (`/`): sign-in sessions and pages over the
//!   core's use cases.
//! - [`http`]: the HTTP listener (`/healthz`, the admin API, SCIM, the
//!   console) and the guard against cross-site requests.
//! - [`logging`]: the log filter, which keeps credentials out of the log.
//! - [`memory`]: handing freed memory back to the system when a pool goes idle.
//! - [`conn_limit`]: the connection caps (total and per address) both
//!   listeners apply.
//! - [`tls`]: the rustls configuration for LDAPS and StartTLS, reloaded on SIGHUP.
//! - [`client_tls`]: the TLS of outgoing HTTPS (webhooks, etcd, peers): roots, client certificate.
//! - [`smtp`]: the mail notification channel (lettre: STARTTLS, TLS, AUTH).
//! - [`webhook`]: the webhook notification channel (signed JSON POSTs).
//! - [`backup`]: scheduled backups and the offline restore.
//! - [`server`]: start-up, bootstrap, listeners and shutdown ([`run`]).
//! - `fuzzing` (hidden): the fuzz targets, shared by `fuzz/` and the
//!   corpus regression test.

pub mod admin;
pub mod backup;
pub mod cli;
pub mod client_tls;
pub mod cluster;
pub mod config;
pub mod conn_limit;
pub mod console;
pub mod directory;
#[doc(hidden)]
pub mod fuzzing;
pub mod http;
pub mod import;
pub mod ldap;
pub mod logging;
pub mod memory;
pub mod metrics;
pub mod scim;
pub mod server;
pub mod service;
pub mod smtp;
pub mod store;
pub mod tls;
pub mod webhook;

pub use server::{Server, run, start};
