//! The core's one error enum. Every use case returns it; each protocol maps it once
//! (LDAP result codes, SCIM error bodies, HTTP statuses) in its own module. Messages
//! are written for the person who has to fix the input, and never carry a secret.

use crate::store::StoreError;

/// What went wrong, in terms a front end can map to its protocol.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input breaks a rule (name syntax, an email that is not an address, …).
    #[error("{0}")]
    Invalid(String),
    /// The named thing does not exist (or the actor may not know that it does).
    #[error("{0} not found")]
    NotFound(String),
    /// The actor may not know that what it named exists: answered exactly
    /// as [`Error::NotFound`] with the same name, on every front end, and
    /// audited as the refusal it is (see [`crate::directory::acl::Policy::may_know`]).
    #[error("{what} not found")]
    Hidden {
        what: String,
        denied: Box<crate::directory::acl::Denied>,
    },
    /// A unique name or value is already taken.
    #[error("{0} already exists")]
    Exists(String),
    /// A value that must be unique (a uidNumber, a group's gidNumber) is held
    /// by another entry: not a name clash (LDAP answers constraintViolation
    /// for it, as slapd's unique overlay does; SCIM a 409 `uniqueness`).
    #[error("{0}")]
    Taken(String),
    /// The operation conflicts with the current state (non-empty organization, …).
    #[error("{0}")]
    Conflict(String),
    /// The organization has no free seat.
    #[error(
        "organization {org} has no free seat: {used} of {seats} seats are used; raise its seat count or disable a user"
    )]
    SeatsExhausted { org: String, used: u64, seats: u32 },
    /// The policy refused the operation.
    #[error("{0}")]
    Denied(#[from] crate::directory::acl::Denied),
    /// Wrong name or password, unknown account, locked or not yet active account:
    /// deliberately one variant so callers cannot tell them apart.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// A new password the password policy refuses (too short, too simple,
    /// the account's name, used before): the reason, never the password.
    #[error("{0}")]
    WeakPassword(String),
    /// The right password, expired with no grace login left: said only to
    /// whoever gave it (LDAP answers invalidCredentials with the password
    /// policy control's passwordExpired; it may still be changed with the
    /// old one).
    #[error(
        "the password has expired: change it with the Password Modify operation or ask an administrator"
    )]
    PasswordExpired,
    /// Too many password checks are already waiting for the hashing pool
    /// (`[passwords] hash_queue`): refused at once rather than queued without
    /// bound. Front ends answer busy (LDAP 51) or 503 with Retry-After.
    #[error("the server is busy checking passwords; try again in a moment")]
    Busy,
    /// In a server set, this node cannot write now: the log is unreachable,
    /// or another node's write came first. Front ends answer unavailable
    /// (LDAP 52) or 503; the client may try again.
    #[error("{0}")]
    Unavailable(String),
    /// The store failed; details are logged, not shown to clients.
    #[error("storage error: {0}")]
    Store(StoreError),
    /// A password-hashing failure or a background task that did not finish.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Moved { .. } => Error::Unavailable(
                "another node of the server set wrote at the same time; nothing was changed, try again".into(),
            ),
            StoreError::Unavailable(why) => Error::Unavailable(format!(
                "this node cannot reach the server set's log, so it takes no writes now ({why})"
            )),
            StoreError::Stale { secs } => Error::Unavailable(format!(
                "this node has not been in step with its server set for {secs} s \
                 (more than cluster.max_staleness_secs), so it answers nothing until it catches up"
            )),
            other => Error::Store(other),
        }
    }
}

/// Shorthand for results of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(msg: impl Into<String>) -> Error {
        Error::Invalid(msg.into())
    }
    pub fn not_found(what: impl Into<String>) -> Error {
        Error::NotFound(what.into())
    }
    /// Whether this answers "not found", hidden or truly absent.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound(_) | Error::Hidden { .. })
    }
    pub fn exists(what: impl Into<String>) -> Error {
        Error::Exists(what.into())
    }
    pub fn taken(msg: impl Into<String>) -> Error {
        Error::Taken(msg.into())
    }
    pub fn conflict(msg: impl Into<String>) -> Error {
        Error::Conflict(msg.into())
    }
}
