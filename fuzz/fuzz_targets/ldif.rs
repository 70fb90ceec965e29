//! Fuzz target `ldif`: the bytes go to `dirgate::fuzzing::ldif`, which says
//! what it covers.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dirgate::fuzzing::ldif(data));
