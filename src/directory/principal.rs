//! Who a password is presented for ([`Principal`]) and a secret issued
//! once ([`Issued`]): the types credentials pass around, apart from the
//! checks in `auth`.

use uuid::Uuid;

/// Which account a password is presented for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    SystemAdmin,
    Login(String),
    Email(String),
    Service(String),
    User(Uuid),
    /// The user with this id provided it is in this organization (`None`: in
    /// none): what a DN names, checked when the record is read anyway.
    UserIn {
        id: Uuid,
        org: Option<Uuid>,
    },
}

/// A freshly issued secret (token or service-account password): shown once.
#[derive(Clone, PartialEq, Eq)]
pub struct Issued<T> {
    pub record: T,
    pub secret: String,
}

impl<T: std::fmt::Debug> std::fmt::Debug for Issued<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Issued {{ record: {:?}, secret: <redacted> }}",
            self.record
        )
    }
}
