//! Fuzz target `import_csv`: the bytes go to `dirgate::fuzzing::import_csv`, which says
//! what it covers.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dirgate::fuzzing::import_csv(data));
