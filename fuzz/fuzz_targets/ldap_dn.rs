//! Fuzz target `ldap_dn`: the bytes go to `dirgate::fuzzing::ldap_dn`, which says
//! what it covers.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dirgate::fuzzing::ldap_dn(data));
