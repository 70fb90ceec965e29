//! Fuzz target `scim_patch`: the bytes go to `dirgate::fuzzing::scim_patch`, which says
//! what it covers.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dirgate::fuzzing::scim_patch(data));
