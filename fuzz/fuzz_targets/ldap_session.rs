//! Fuzz target `ldap_session`: the bytes go to `dirgate::fuzzing::ldap_session`, which says
//! what it covers.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dirgate::fuzzing::ldap_session(data));
