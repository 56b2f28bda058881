#![no_main]

// The fixture (a key setup and six chunk proofs) is built before fuzzing starts, so that
// its seconds do not count against the first input's timeout.
libfuzzer_sys::fuzz_target!(
    init: {
        zkfl_fuzz::fixture::fixture(); zkfl_fuzz::seeds::json_seeds();
    },
    |data: &[u8]| zkfl_fuzz::targets::json(data)
);
