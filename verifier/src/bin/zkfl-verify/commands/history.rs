//! `zkfl-verify history --vk keys/vk.bin rounds/`

use std::path::PathBuf;

use clap::Args;
use zkfl_verifier::{load_bundles_dir, verify_history};

use super::{load_vk, report, Outcome, TrustArgs};

/// Verify every round under a directory, and the model chain between them.
#[derive(Args)]
pub struct HistoryCmd {
    /// Verifying key file (from `zkfl ceremony export-keys`, or `zkfl setup` for tests).
    #[arg(long)]
    vk: PathBuf,
    #[command(flatten)]
    trust: TrustArgs,
    /// Directory whose subdirectories hold one round.json each.
    rounds: PathBuf,
}

impl HistoryCmd {
    pub fn run(self, json: bool) -> anyhow::Result<Outcome> {
        let (header, vk) = load_vk(&self.vk, &self.trust)?;
        let bundles = load_bundles_dir(&self.rounds)?;
        let result = verify_history(&vk, &header, &bundles);
        Ok(report(json, result, Some(&header), |r| {
            let rounds: String = r
                .rounds
                .iter()
                .map(|t| format!("\n  round {}: {}", t.round, t.bounds_line()))
                .collect();
            format!(
                "rounds {}..={}: {} chunk proofs in batches, model chain intact\n  \
                 initial model {}\n  final model   {}{rounds}",
                r.first_round, r.last_round, r.proofs, r.initial_model, r.final_model
            )
        }))
    }
}
