//! Shared helpers for the zkfl benchmark binaries and criterion benches.
//!
//! - [`fixtures`]: seeded random honest rounds and their bundles.
//! - [`irreducible`]: the part of a Groth16 proof no circuit design can avoid (the H-query
//!   MSM and the R1CS-to-QAP FFTs), measured on random data of a given domain size.
//! - [`machine`]: what the numbers were measured on (date, cores, RAM, git commit).
//! - [`msm`]: ark-ec's MSM against zkfl-msm, side by side.
//! - [`rss`]: peak resident set size as the kernel reports it.
//! - [`timing`]: wall-clock timing and medians.
//!
//! The figures and their goals are explained in `docs/BENCHMARKS.md`; what is proven in
//! `docs/PROTOCOL.md`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod fixtures;
pub mod irreducible;
pub mod machine;
pub mod msm;
pub mod rss;
pub mod timing;
