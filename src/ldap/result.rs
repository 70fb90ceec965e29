//! The one mapping from the core's errors to LDAP result codes, and helpers to
//! build results. Internal failures are logged here and answered with a generic
//! message so nothing about the store leaks to clients.

use crate::directory::Error;
use ldap3_proto::proto::{LdapResult, LdapResultCode};

/// An LDAP result with `code` and a message.
pub fn result(code: LdapResultCode, message: impl Into<String>) -> LdapResult {
    LdapResult {
        code,
        matcheddn: String::new(),
        message: message.into(),
        referral: Vec::new(),
    }
}

pub fn success() -> LdapResult {
    result(LdapResultCode::Success, "")
}

/// noSuchObject with the deepest existing ancestor as matchedDN.
pub fn no_such_object(matched: String) -> LdapResult {
    LdapResult {
        matcheddn: matched,
        ..result(LdapResultCode::NoSuchObject, "no such object")
    }
}

/// The result code and message for a core error.
pub fn from_error(e: &Error) -> LdapResult {
    let code = match e {
        Error::Invalid(_) | Error::Taken(_) | Error::WeakPassword(_) => {
            LdapResultCode::ConstraintViolation
        }
        Error::NotFound(_) | Error::Hidden { .. } => LdapResultCode::NoSuchObject,
        Error::Exists(_) => LdapResultCode::EntryAlreadyExists,
        Error::Conflict(_) => LdapResultCode::UnwillingToPerform,
        Error::SeatsExhausted { .. } => LdapResultCode::UnwillingToPerform,
        Error::Denied(_) => LdapResultCode::InsufficentAccessRights,
        Error::InvalidCredentials | Error::PasswordExpired => LdapResultCode::InvalidCredentials,
        Error::Busy => LdapResultCode::Busy,
        Error::Unavailable(_) => LdapResultCode::Unavailable,
        Error::Store(_) | Error::Internal(_) => {
            tracing::error!(error = %e, "internal error");
            return result(LdapResultCode::Other, "internal error; see the server log");
        }
    };
    let message = match e {
        // Do not echo who was refused what in detail; the code says enough.
        Error::Denied(_) => "insufficient access".to_owned(),
        other => other.to_string(),
    };
    result(code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_is_result_code_51() {
        assert_eq!(from_error(&Error::Busy).code, LdapResultCode::Busy);
    }
}
