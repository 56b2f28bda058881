//! Rounds of several chunks under different splits of the cores: one thread; all cores
//! inside each proof (jobs = 1); all cores across proofs (one 1-thread pool per job).

use serde::Serialize;
use zkfl_benches::{fixtures, timing::timed};
use zkfl_circuits::Shape;
use zkfl_prover::prove::{proof_items, prove_round, Parallelism};
use zkfl_verifier::ProofItem;

use crate::{plan::Plan, prover::Keyed};

/// One round under one split.
#[derive(Serialize)]
pub struct ScalingRow {
    /// Chunks K of the round.
    pub chunks: usize,
    /// Chunks proven at once.
    pub jobs: usize,
    /// Threads inside each proof.
    pub threads_per_job: usize,
    /// Wall time of the round, s.
    pub wall_s: f64,
    /// wall / K.
    pub per_chunk_s: f64,
    /// Wall time with one thread / this wall time, same K.
    pub speedup: f64,
}

/// Scaling section.
#[derive(Serialize)]
pub struct ScalingSection {
    /// n.
    pub slots: usize,
    /// m.
    pub chunk: usize,
    /// Cores used by the all-core rows.
    pub cores: usize,
    /// Rows, grouped by K.
    pub rows: Vec<ScalingRow>,
}

/// The splits measured on `cores` cores: (jobs, threads per job).
fn splits(cores: usize) -> Vec<(usize, usize)> {
    let mut s = vec![(1, 1)];
    if cores > 1 {
        s.push((1, cores));
        s.push((cores, 1));
    }
    s
}

/// Measures every K × split; returns the proofs of the largest round (distinct, honest) for
/// the verifier sections.
pub fn measure(
    plan: &Plan,
    keyed: &Keyed,
    cores: usize,
) -> anyhow::Result<(ScalingSection, Vec<ProofItem>)> {
    let shape: Shape = keyed.shape;
    let mut rows = Vec::new();
    let mut items = Vec::new();
    for &k in &plan.scaling_chunks {
        let round = fixtures::random_round(shape, k * shape.chunk, 3 + k as u64)?;
        let mut single = None;
        // With fewer chunks than jobs a split degenerates into another one: skip it.
        for (jobs, per_job) in splits(cores).into_iter().filter(|&(j, _)| j <= k) {
            eprintln!("[scaling] K = {k}: {jobs} job(s) × {per_job} thread(s)");
            let par = Parallelism {
                jobs,
                threads: jobs * per_job,
            };
            let (proofs, t) = timed(|| prove_round(&keyed.pk, &round, par, &|_| {}));
            let proofs = proofs?;
            let wall_s = t.as_secs_f64();
            let base = *single.get_or_insert(wall_s);
            rows.push(ScalingRow {
                chunks: k,
                jobs,
                threads_per_job: per_job,
                wall_s,
                per_chunk_s: wall_s / k as f64,
                speedup: base / wall_s,
            });
            if k == *plan.scaling_chunks.iter().max().unwrap_or(&k) && items.is_empty() {
                items = proof_items(&round, &proofs);
            }
        }
    }
    Ok((
        ScalingSection {
            slots: shape.slots,
            chunk: shape.chunk,
            cores,
            rows,
        },
        items,
    ))
}
