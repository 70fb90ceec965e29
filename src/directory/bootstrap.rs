//! The system administrator's bootstrap: on an empty store, `serve` creates
//! the one system administrator with a random password, handed to the
//! operator once (and never logged).

use super::error::Result;
use super::model::{SystemAdmin, now};
use super::password;
use super::{Change, Directory, Request};
use uuid::Uuid;

/// The system administrator's login and the fixed part of its DN.
pub const SYSTEM_ADMIN_LOGIN: &str = "admin";

/// What `serve` must hand to the operator after creating the system administrator.
#[derive(Clone, PartialEq, Eq)]
pub struct Bootstrap {
    pub login: String,
    pub password: String,
}

impl std::fmt::Debug for Bootstrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Bootstrap {{ login: {:?}, password: <redacted> }}",
            self.login
        )
    }
}

impl Directory {
    /// On an empty store, creates the system administrator with a random password
    /// and returns it (once). `None` when it already exists.
    pub fn bootstrap(&self) -> Result<Option<Bootstrap>> {
        if self.read(|tx| Ok(tx.system_admin()?))?.is_some() {
            return Ok(None);
        }
        let secret = password::random_secret(18)?;
        let hash = self.hashing().hash(&secret)?;
        let req = Request::internal();
        self.write(&req, |tx| {
            if tx.system_admin()?.is_some() {
                return Ok(None);
            }
            let t = now();
            let admin = SystemAdmin {
                id: Uuid::new_v4(),
                login: SYSTEM_ADMIN_LOGIN.into(),
                password: hash.clone(),
                created: t,
                modified: t,
            };
            let change = Change {
                action: "system.bootstrap",
                target: SYSTEM_ADMIN_LOGIN,
                target_id: Some(admin.id),
                org: None,
                detail: None,
            };
            self.log(tx, &req, change)?;
            tx.put_system_admin(&admin)?;
            Ok(Some(Bootstrap {
                login: admin.login,
                password: secret.clone(),
            }))
        })
    }
}
