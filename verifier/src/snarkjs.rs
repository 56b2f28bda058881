//! One chunk's key, proof and public inputs in snarkjs's JSON format, so that snarkjs
//! (`snarkjs groth16 verify verification_key.json public.json proof.json`) checks our
//! proofs with an independent pairing implementation.
//!
//! Format (snarkjs 0.7): decimal strings; G1 points projective `[x, y, "1"]`; G2 points
//! `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`; the point at infinity is `["0", "1", "0"]`
//! (G1) or `[["0","0"],["1","0"],["0","0"]]` (G2); curve "bn128". `vk_alphabeta_12` is
//! not written: snarkjs 0.7.5's `groth16 verify` does not read it (it recomputes the
//! pairing check from α and β), and a value no verifier reads is a value no test checks.

use std::path::{Path, PathBuf};

use ark_bn254::{Bn254, Fq, Fq2, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::PrimeField;
use ark_groth16::{Proof, VerifyingKey};
use serde_json::{json, Value};
use zkfl_circuits::bundle::RoundBundle;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The chunk does not exist.
    #[error("round {round} has {chunks} chunks; there is no chunk {chunk}")]
    NoChunk {
        /// Round.
        round: u64,
        /// Chunks in the bundle.
        chunks: usize,
        /// Chunk asked for.
        chunk: usize,
    },
    /// The key does not have one IC point per public input of the chunk.
    #[error("the verifying key has {ic} IC points, but chunk {chunk} has {inputs} public inputs, which need {}", .inputs + 1)]
    KeyInputs {
        /// Chunk.
        chunk: usize,
        /// IC points in the key.
        ic: usize,
        /// Public inputs of the chunk.
        inputs: usize,
    },
    /// The chunk's record cannot be decoded.
    #[error("round {round}: {source}")]
    Record {
        /// Round.
        round: u64,
        /// Cause.
        source: zkfl_circuits::bundle::RecordError,
    },
    /// The output cannot be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// File or directory.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

fn fq(x: &Fq) -> Value {
    Value::String(x.into_bigint().to_string())
}

fn fq2(x: &Fq2) -> Value {
    json!([fq(&x.c0), fq(&x.c1)])
}

/// A G1 point in snarkjs's projective JSON form.
pub fn g1_json(p: &G1Affine) -> Value {
    match p.xy() {
        Some((x, y)) => json!([fq(&x), fq(&y), "1"]),
        None => json!(["0", "1", "0"]),
    }
}

/// A G2 point in snarkjs's projective JSON form.
pub fn g2_json(p: &G2Affine) -> Value {
    match p.xy() {
        Some((x, y)) => json!([fq2(&x), fq2(&y), ["1", "0"]]),
        None => json!([["0", "0"], ["1", "0"], ["0", "0"]]),
    }
}

/// `verification_key.json`.
pub fn vk_json(vk: &VerifyingKey<Bn254>) -> Value {
    json!({
        "protocol": "groth16",
        "curve": "bn128",
        // A key always has IC_0; `saturating_sub` keeps a malformed one from panicking here.
        "nPublic": vk.gamma_abc_g1.len().saturating_sub(1),
        "vk_alpha_1": g1_json(&vk.alpha_g1),
        "vk_beta_2": g2_json(&vk.beta_g2),
        "vk_gamma_2": g2_json(&vk.gamma_g2),
        "vk_delta_2": g2_json(&vk.delta_g2),
        "IC": vk.gamma_abc_g1.iter().map(g1_json).collect::<Vec<_>>(),
    })
}

/// `proof.json`.
pub fn proof_json(proof: &Proof<Bn254>) -> Value {
    json!({
        "pi_a": g1_json(&proof.a),
        "pi_b": g2_json(&proof.b),
        "pi_c": g1_json(&proof.c),
        "protocol": "groth16",
        "curve": "bn128",
    })
}

/// Writes `verification_key.json`, `proof.json` and `public.json` for chunk `chunk` of
/// `bundle` into `out_dir` (created if missing). The public inputs are checked canonical
/// and the proof decoded first, so nothing malformed is exported.
///
/// # Errors
/// [`ExportError`] for a missing chunk, an undecodable record, a key with the wrong number
/// of IC points or an I/O failure.
pub fn export_snarkjs(
    vk: &VerifyingKey<Bn254>,
    bundle: &RoundBundle,
    chunk: usize,
    out_dir: &Path,
) -> Result<(), ExportError> {
    let files = snarkjs_files(vk, bundle, chunk)?;
    std::fs::create_dir_all(out_dir).map_err(|source| ExportError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    for (name, value) in files {
        let path = out_dir.join(name);
        // Pretty-printing a serde_json::Value to memory cannot fail.
        let text = serde_json::to_string_pretty(&value).unwrap_or_default();
        std::fs::write(&path, text).map_err(|source| ExportError::Io { path, source })?;
    }
    Ok(())
}

/// The three files [`export_snarkjs`] writes, by name, without writing them.
///
/// # Errors
/// As [`export_snarkjs`], except I/O.
pub fn snarkjs_files(
    vk: &VerifyingKey<Bn254>,
    bundle: &RoundBundle,
    chunk: usize,
) -> Result<[(&'static str, Value); 3], ExportError> {
    let round = bundle.round;
    let record = bundle.chunks.get(chunk).ok_or(ExportError::NoChunk {
        round,
        chunks: bundle.chunks.len(),
        chunk,
    })?;
    let rec = |source| ExportError::Record { round, source };
    let inputs = record.inputs(chunk).map_err(rec)?;
    let proof = record.proof(chunk).map_err(rec)?;
    if vk.gamma_abc_g1.len() != inputs.len() + 1 {
        return Err(ExportError::KeyInputs {
            chunk,
            ic: vk.gamma_abc_g1.len(),
            inputs: inputs.len(),
        });
    }
    let public: Vec<String> = inputs
        .iter()
        .map(zkfl_circuits::field::fr_to_decimal)
        .collect();
    Ok([
        ("verification_key.json", vk_json(vk)),
        ("proof.json", proof_json(&proof)),
        ("public.json", json!(public)),
    ])
}
