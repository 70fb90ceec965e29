//! Fuzz targets, one function per target taking the fuzzer's bytes. The
//! cargo-fuzz crate in `fuzz/` calls them, and `tests/fuzz_corpus.rs` runs
//! every corpus and regression file through the same functions on stable,
//! so a crash once found stays fixed. Not part of the daemon: nothing else
//! in the crate calls into here.
//!
//! Stateless targets parse and check properties (`text`, `import`, the LDAP
//! filter). Stateful ones (the LDAP session, SCIM PATCH, LDIF loading) run
//! against one real directory per process (`world`), whose store is put
//! back after every input.

mod import;
mod ldap;
mod scim;
mod text;
mod world;

pub use import::{import_csv, import_xlsx, pack};
pub use ldap::{ldap_filter, ldap_session, ldif};
pub use scim::scim_patch;
pub use text::{ldap_dn, scim_filter};

/// A fuzz target: takes whatever bytes the fuzzer made.
pub type Target = fn(&[u8]);

/// Every target by the name of its directory under `fuzz/corpus/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("ldap_session", ldap_session),
    ("ldap_filter", ldap_filter),
    ("ldap_dn", ldap_dn),
    ("ldif", ldif),
    ("scim_filter", scim_filter),
    ("scim_patch", scim_patch),
    ("import_csv", import_csv),
    ("import_xlsx", import_xlsx),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}
