//! Fuzz target `scim_filter`: the bytes go to `dirgate::fuzzing::scim_filter`, which says
//! what it covers.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dirgate::fuzzing::scim_filter(data));
