//! Runs the PyPI conformance checker scim2-tester against dirgate on port 0
//! and fails when any of its checks fails. `scripts/test` installs it into the
//! Python virtual environment `target/pyenv` (override with `DIRGATE_PYENV`).
//! scim2-tester invents bare user names, so this server accepts logins without
//! a suffix, as the configuration allows; the default stays strict.

mod common;

use common::scim::start_scim;
use std::path::PathBuf;

fn python() -> PathBuf {
    let env = std::env::var_os("DIRGATE_PYENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/pyenv"));
    env.join("bin/python")
}

/// Runs scim2-tester with the token `pick` chooses and fails on any failed check.
async fn passes_every_check(pick: fn(&common::scim::Scim) -> &str) {
    let s = start_scim("[logins]\nrequire_suffix = false\n").await;
    let py = python();
    assert!(
        py.exists(),
        "{} is missing: run scripts/test, which installs scim2-tester",
        py.display()
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scim2/run_tester.py");
    let out = tokio::process::Command::new(&py)
        .args([script, &s.base, pick(&s)])
        .output()
        .await
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{text}");
    assert!(
        out.status.success(),
        "scim2-tester reported failures:\n{text}"
    );
    assert!(text.contains("0 failed"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scim2_tester_passes_every_check_with_an_organization_token() {
    passes_every_check(|s| &s.token_big).await;
}

/// A server-wide token sees the enterprise `organization` as plain data,
/// like any generic client expects (it places users by dirgate's extension).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scim2_tester_passes_every_check_with_a_server_wide_token() {
    passes_every_check(|s| &s.token_all).await;
}
