//! What a successful verification established, for humans and for `--json`.

use serde::Serialize;
use zkfl_circuits::{params::Shape, Commitment};

/// A verified round.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoundReport {
    /// Round index t.
    pub round: u64,
    /// Whether M_t was committed afresh by this round.
    pub genesis: bool,
    /// Circuit shape.
    pub shape: Shape,
    /// Parameter count d.
    pub d: u64,
    /// Number of chunk proofs K, all verified.
    pub chunks: usize,
    /// Slots with a positive weight.
    pub active_slots: usize,
    /// Total weight W.
    pub total_weight: u64,
    /// B∞ in fixed-point units.
    pub linf: u64,
    /// B₂² in squared fixed-point units, as a decimal string (may exceed 2^53).
    pub l2_sq: String,
    /// The proven B∞ as a float: B∞ / 2^f.
    pub linf_proven: f64,
    /// The proven B₂ as a float: √B₂² / 2^f (B₂² is a perfect square, checked).
    pub l2_proven: f64,
    /// B∞ the coordinator asked for (round.json's `linf_float`); B∞ is its floor.
    pub linf_requested: f64,
    /// B₂ the coordinator asked for (round.json's `l2_float`); √B₂² is its floor.
    pub l2_requested: f64,
    /// Commitment to M_t.
    pub model_commitment: Commitment,
    /// Commitment to M_{t+1}.
    pub new_model_commitment: Commitment,
    /// Commitment to each slot's update.
    pub update_commitments: Vec<Commitment>,
}

/// A verified history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryReport {
    /// First round index.
    pub first_round: u64,
    /// Last round index.
    pub last_round: u64,
    /// The model the history starts from.
    pub initial_model: Commitment,
    /// The model the history ends with.
    pub final_model: Commitment,
    /// Chunk proofs verified in the single batch.
    pub proofs: usize,
    /// Every round.
    pub rounds: Vec<RoundReport>,
}

impl RoundReport {
    /// The proven bounds for humans, in fixed point and as floats.
    pub fn bounds_line(&self) -> String {
        format!(
            "every update |Δ| ≤ {} units ({}) per coordinate and ‖Δ‖₂² ≤ {} units² (‖Δ‖₂ ≤ {}); requested {} and {}, rounded down to fixed point with f = {}",
            self.linf,
            self.linf_proven,
            self.l2_sq,
            self.l2_proven,
            self.linf_requested,
            self.l2_requested,
            self.shape.frac_bits
        )
    }
}
