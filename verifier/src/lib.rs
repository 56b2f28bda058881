//! zkfl-verifier: the auditor's side of zkfl.
//!
//! Given a verifying key and the bundles a coordinator published, this crate decides whether
//! every federated-learning round was aggregated honestly, without seeing any update or
//! model value. It depends on `zkfl-circuits` only for the public-input layout, the file
//! formats and the native commitment code, and on `zkfl-task` (without its signing code)
//! for client signatures — never on prover code — so an auditor can read the whole trust
//! base in an hour.
//!
//! Integrators start with [`Verifier`]: built once from a verifying key's file or bytes, it
//! verifies rounds, histories (one round in memory at a time) and released models, optionally
//! under a task's signature rule, and refuses keys without a ceremony unless told otherwise.
//! It re-exports what a caller needs, so nobody has to depend on arkworks to verify. The
//! functions below are the pieces it is made of:
//!
//! - [`verify_round`]: one round bundle (structure, commitments, accumulator chain, and all
//!   chunk proofs in one batched pairing check).
//! - [`verify_history`]: a sequence of rounds, plus the model-commitment chain between them,
//!   with every proof of the history in a single batch.
//! - [`verify_history_for_task`]: the same under a task (`task.json`, `roster.json`), also
//!   checking that every weighted slot is signed by a distinct enrolled client for exactly
//!   this round, model, update and weight (`zkfl_task::check_bundle`, PROTOCOL.md §10).
//! - [`verify_model`]: a released model file against a commitment and its opening.
//! - [`export_snarkjs`]: one chunk's key, proof and public inputs in snarkjs's JSON format,
//!   so that an independent Groth16 implementation can check our proofs.
//! - [`verify_batch`] / [`verify_single`]: the raw Groth16 checks under a [`PreparedKey`]
//!   (one proof, or many in one multi-pairing), for callers that hold proofs outside a bundle
//!   (the prover checks every proof it makes with them).
//!
//! # Batch randomness
//!
//! Batching checks Σ ρ_k·(Groth16 equation of proof k) with random 128-bit scalars ρ_k, so
//! that k proofs cost k + 3 pairings instead of 3k + 1 (prepared key). The ρ_k are drawn
//! from the operating system's CSPRNG ([`rand::rngs::OsRng`]), not derived by Fiat–Shamir.
//! Why: the verifier here runs off-chain with private randomness chosen *after* the bundle
//! is fixed, so a cheating prover cannot adapt to it, and soundness does not depend on
//! hashing exactly the right transcript (a Fiat–Shamir transcript that forgets one input is
//! a classic forgery bug). A false accept requires guessing a combination that cancels, with
//! probability at most 2^-128 per batch. The on-chain registry has no private randomness and
//! therefore uses Fiat–Shamir over the calldata instead (PROTOCOL.md §7). Results are not
//! reproducible bit-for-bit across runs, only the verdict is; callers that need determinism
//! (tests, benchmarks) pass their own RNG to [`verify_batch`].
//!
//! When a batch fails, every proof is re-checked on its own so that the report names the
//! failing round and chunk.
//!
//! The protocol is specified in `docs/PROTOCOL.md` (§2 public inputs, §3 commitments,
//! §6 bundle format, §7 verification).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod batch;
#[cfg(feature = "cli")]
pub mod cli;
pub mod error;
pub mod io;
pub mod model;
pub mod model_file;
pub mod report;
pub mod round;
pub mod snarkjs;
mod verifier;

pub use batch::{verify_batch, verify_single, BatchError, PreparedKey, ProofItem};
pub use error::VerifyError;
pub use io::{bundle_index, load_bundle, load_bundles_dir, LoadError, BUNDLE_FILE};
pub use model::{verify_model, ModelError, ModelReport};
pub use model_file::{
    check_model_file, check_round_model_file, ModelFileCheckError, ModelFileReport,
};
pub use report::{HistoryReport, RoundReport, Signatures};
pub use round::{
    verify_history, verify_history_for_task, verify_history_with_rng, verify_round,
    verify_round_with_rng, HistoryVerifier, TaskRoster, BATCH_GROUP,
};
pub use snarkjs::{export_snarkjs, ExportError};
pub use verifier::{Verifier, VerifierError};

pub use zkfl_circuits::{bundle::RoundBundle, keys::KeyHeader, Commitment};

/// An error and its causes on one line, each cause shown once: zkfl's errors already embed
/// their cause in their message, so a cause whose text is already shown is skipped.
pub fn describe_error(e: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        cause = c.source();
    }
    msg
}
