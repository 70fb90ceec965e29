//! The SCIM 2.0 front end. So far: the RFC 7644 filter and PATCH path parser,
//! bounded in length and depth before it recurses.

pub mod filter;
