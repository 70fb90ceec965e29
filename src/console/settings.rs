//! The Settings page: the rules the server runs with, read-only, for the
//! system administrator (`Action::ReadSettings`): password hashing, lockout,
//! what users change themselves, role nesting, the audit trail's retention,
//! POSIX defaults, the console's session length. They come from the
//! configuration file and the environment; the page says so, and which key
//! changes each.

use super::ConsoleState;
use super::error::respond;
use super::pages::Layout;
use super::session::{Caller, SESSION_SECS};
use crate::directory::{Directory, Request, Result};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;

/// One setting: what it is, its value, and the key that sets it.
struct Setting {
    label: &'static str,
    value: String,
    key: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings.html")]
pub struct SettingsPage {
    layout: Layout,
    settings: Vec<Setting>,
}

/// Milliseconds as people read them.
fn duration(ms: i64) -> String {
    match ms / 1000 {
        0 => "none".to_owned(),
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

fn page(d: &Directory, req: &Request) -> Result<SettingsPage> {
    let s = d.read_settings(req)?;
    let on = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let fields: Vec<&str> = s.self_service.iter().map(|f| f.as_str()).collect();
    let settings = vec![
        Setting {
            label: "argon2id memory",
            value: format!("{} KiB", s.hash.memory_kib),
            key: "[passwords] argon2_memory_kib",
        },
        Setting {
            label: "argon2id iterations",
            value: s.hash.iterations.to_string(),
            key: "[passwords] argon2_iterations",
        },
        Setting {
            label: "argon2id parallelism",
            value: s.hash.parallelism.to_string(),
            key: "[passwords] argon2_parallelism",
        },
        Setting {
            label: "Hashing threads, queue",
            value: format!("{}, {}", s.hash_workers, s.hash_queue),
            key: "[passwords] hash_workers, hash_queue",
        },
        Setting {
            label: "Rehash other schemes at login",
            value: on(s.rehash_on_login),
            key: "[passwords] rehash_on_login",
        },
        Setting {
            label: "Lockout after failures",
            value: if s.lockout.threshold == 0 {
                "off".to_owned()
            } else {
                format!(
                    "{} within {}, for {}",
                    s.lockout.threshold,
                    duration(s.lockout.window),
                    match s.lockout.duration {
                        0 => "until unlocked".to_owned(),
                        d => duration(d),
                    }
                )
            },
            key: "[lockout] threshold, window_secs, duration_secs",
        },
        Setting {
            label: "Logins need a suffix",
            value: on(s.require_suffix),
            key: "[logins] require_suffix",
        },
        Setting {
            label: "Users change themselves",
            value: fields.join(", "),
            key: "[users] self_service",
        },
        Setting {
            label: "Role nesting depth",
            value: s.max_role_depth.to_string(),
            key: "fixed",
        },
        Setting {
            label: "Audit trail kept",
            value: match s.audit_retention_days {
                0 => "forever".to_owned(),
                n => format!("{n} days"),
            },
            key: "[audit] retention_days",
        },
        Setting {
            label: "POSIX home directory, shell",
            value: format!(
                "{}, {}",
                s.posix.home_directory,
                s.posix.login_shell.as_deref().unwrap_or("none")
            ),
            key: "[posix] home_directory, login_shell",
        },
        Setting {
            label: "Console session",
            value: duration(SESSION_SECS * 1000),
            key: "fixed",
        },
    ];
    Ok(SettingsPage {
        layout: Layout::for_caller(d, req, "Settings"),
        settings,
    })
}

pub async fn settings(State(s): State<ConsoleState>, Caller { req, .. }: Caller) -> Response {
    respond(&s.dir, move |d| page(d, &req)).await
}
