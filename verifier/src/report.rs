//! What a successful verification established, for humans and for `--json`.

use serde::Serialize;
use zkfl_circuits::{params::Shape, Commitment};
use zkfl_task::Address;

/// Whether a round's client signatures were checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signatures {
    /// A `zkfl-round/1` bundle: its updates are bound to no client (local runs).
    Unsigned,
    /// A `zkfl-round/2` bundle verified without a task and roster: the proofs hold, the
    /// signatures were not checked.
    NotChecked,
    /// Every weighted slot is signed by a distinct enrolled client for this round, and the
    /// quorum is met.
    Checked,
}

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
    /// Whether the client signatures were checked.
    pub signatures: Signatures,
    /// The client of each slot (`null` for empty slots), when `signatures` is `checked`.
    pub clients: Option<Vec<Option<Address>>>,
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
    /// The clients line for humans.
    pub fn clients_line(&self) -> String {
        match (self.signatures, &self.clients) {
            (Signatures::Checked, Some(clients)) => {
                let list: Vec<String> = clients
                    .iter()
                    .enumerate()
                    .filter_map(|(slot, c)| c.map(|a| format!("slot {slot} {a}")))
                    .collect();
                format!(
                    "clients (signatures checked): {} signed: {}",
                    list.len(),
                    list.join(", ")
                )
            }
            (Signatures::NotChecked, _) => {
                "clients: signed bundle, but the signatures were NOT checked (pass --task and --roster)"
                    .into()
            }
            _ => "clients: unsigned round (zkfl-round/1): updates are bound to no client".into(),
        }
    }

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
