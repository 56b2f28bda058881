//! k separate verifications against one batched check of the same k honest proofs.

use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::Serialize;
use zkfl_benches::timing::{median_secs, timed};
use zkfl_verifier::{verify_batch, verify_single, PreparedKey, ProofItem};

use crate::{goal::Goal, plan::Plan};

/// Verifications per measurement at least (small batches are repeated).
const MIN_WORK: usize = 64;

/// One batch size.
#[derive(Serialize)]
pub struct VerifyRow {
    /// Proofs.
    pub proofs: usize,
    /// k × `verify_single` (prepared key), s.
    pub singles_s: f64,
    /// One `verify_batch`, s.
    pub batch_s: f64,
    /// singles / batch.
    pub ratio: f64,
    /// ≥ 3× at 64 proofs.
    pub goal: Option<Goal>,
}

/// Verifier section.
#[derive(Serialize)]
pub struct VerifierSection {
    /// Distinct proofs behind the items (repeated to fill a batch).
    pub distinct_proofs: usize,
    /// Public inputs per proof.
    pub public_inputs: usize,
    /// Rows.
    pub rows: Vec<VerifyRow>,
}

/// The first `k` items, cycling through the distinct ones.
pub fn repeat(items: &[ProofItem], k: usize) -> Vec<ProofItem> {
    items.iter().cycle().take(k).cloned().collect()
}

pub fn measure(
    plan: &Plan,
    vk: &VerifyingKey<Bn254>,
    items: &[ProofItem],
) -> anyhow::Result<VerifierSection> {
    anyhow::ensure!(!items.is_empty(), "no proofs to verify");
    let key = PreparedKey::new(vk);
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let mut rows = Vec::new();
    for &k in &plan.verify_sizes {
        eprintln!("[verifier] {k} proof(s)");
        let batch = repeat(items, k);
        let reps = MIN_WORK.div_ceil(k).max(3);
        let (mut singles, mut batched) = (vec![], vec![]);
        for _ in 0..reps {
            let (ok, t) = timed(|| -> anyhow::Result<bool> {
                let mut all = true;
                for it in &batch {
                    all &= verify_single(&key, &it.proof, &it.inputs)?;
                }
                Ok(all)
            });
            anyhow::ensure!(ok?, "an honest proof failed single verification");
            singles.push(t);
            let (ok, t) = timed(|| verify_batch(&key, &batch, &mut rng));
            anyhow::ensure!(ok?, "an honest batch of {k} failed batched verification");
            batched.push(t);
        }
        let (singles_s, batch_s) = (median_secs(&singles), median_secs(&batched));
        let ratio = singles_s / batch_s;
        rows.push(VerifyRow {
            proofs: k,
            singles_s,
            batch_s,
            ratio,
            goal: (k == 64).then(|| Goal::at_least(ratio, 3.0, "≥ 3×")),
        });
    }
    Ok(VerifierSection {
        distinct_proofs: items.len(),
        public_inputs: key.num_inputs(),
        rows,
    })
}
