//! Fuzz target `import_xlsx`: the bytes go to `dirgate::fuzzing::import_xlsx`, which says
//! what it covers.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dirgate::fuzzing::import_xlsx(data));
