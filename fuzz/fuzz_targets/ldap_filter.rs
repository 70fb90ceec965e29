//! Fuzz target `ldap_filter`: the bytes go to `dirgate::fuzzing::ldap_filter`, which says
//! what it covers.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dirgate::fuzzing::ldap_filter(data));
