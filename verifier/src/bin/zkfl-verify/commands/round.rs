//! `zkfl-verify round --vk keys/vk.bin round-T/`

use std::path::PathBuf;

use clap::Args;
use zkfl_verifier::{load_bundle, verify_round};

use super::{load_vk, report, Outcome, TrustArgs};

/// Verify one round bundle.
#[derive(Args)]
pub struct RoundCmd {
    /// Verifying key file (from `zkfl ceremony export-keys`, or `zkfl setup` for tests).
    #[arg(long)]
    vk: PathBuf,
    #[command(flatten)]
    trust: TrustArgs,
    /// Round directory holding round.json (or the bundle file itself).
    round: PathBuf,
}

impl RoundCmd {
    pub fn run(self, json: bool) -> anyhow::Result<Outcome> {
        let (header, vk) = load_vk(&self.vk, &self.trust)?;
        let bundle = load_bundle(&self.round)?;
        let result = verify_round(&vk, &header, &bundle);
        Ok(report(json, result, Some(&header), |r| {
            format!(
                "round {}: {} chunk proofs (batched), {} of {} slots active, total weight {}\n  \
                 {}\n  model     {}\n  new model {}",
                r.round,
                r.chunks,
                r.active_slots,
                r.shape.slots,
                r.total_weight,
                r.bounds_line(),
                r.model_commitment,
                r.new_model_commitment
            )
        }))
    }
}
