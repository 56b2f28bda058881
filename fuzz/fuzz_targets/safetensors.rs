#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zkfl_fuzz::targets::safetensors(data));
