//! The LDAP v3 front end. A thin edge over the core: it maps the tree to the
//! directory's records and back (`tree`), renders entries (`render`), evaluates
//! filters and selects attributes (`filter`, `select`, `entry`), and turns core
//! errors into result codes (`result`). Access decisions are the core policy's.
//!
//! - `listener`: accept loop, framing, limits, Notice of Disconnection;
//! - `session`: one connection's state, one message in, responses out;
//! - `bind`, `ops` (search), `compare`, `extended` (StartTLS, WhoAmI, Password
//!   Modify), `write` (add, modify, delete, modify DN), `search` (candidates, probes), `rootdse` (root DSE, cn=Subschema);
//! - `dn` (RFC 4514), `schema` (the core's attribute and class table, which
//!   LDAP serves and checks writes against), `binary`
//!   (binary values: bytes on the wire, base64 in the core);
//! - `ldif` (RFC 2849), `load` (`dirgate load-ldif`), `export` (the LDIF export).

pub mod binary;
pub mod bind;
pub mod codec;
pub mod compare;
pub mod dn;
pub mod entry;
pub mod export;
pub mod extended;
pub mod filter;
pub mod ldif;
pub mod listener;
pub mod load;
mod load_apps;
pub mod ops;
pub mod render;
pub mod result;
pub mod rootdse;
/// The attribute and class table lives in the core; LDAP reads it here.
pub use crate::directory::schema;
pub mod search;
pub mod select;
pub mod session;
pub mod tree;
pub mod write;
