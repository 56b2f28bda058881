//! zkfl's fuzz targets: every parser of an input file (round bundles and their
//! verification, key files, openings, commitment records, params.json, safetensors, the
//! snarkjs export), as plain functions of the fuzzer's bytes.
//!
//! The cargo-fuzz crate in `fuzz/` wraps each [`targets::TARGETS`] entry in a
//! `fuzz_target!`; `tests/replay.rs` runs every file of every committed corpus
//! (`fuzz/corpus/<target>/`) through the same functions on stable Rust, so CI needs neither
//! nightly nor cargo-fuzz. See `docs/FUZZING.md`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod fixture;
pub mod mutate;
pub mod seeds;
pub mod targets;

pub use targets::TARGETS;

/// The corpus directory of target `name`: `fuzz/corpus/<name>/`.
pub fn corpus_dir(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus")
        .join(name)
}
