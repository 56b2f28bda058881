//! `zkfl-verify round --vk keys/vk.bin round-T/`

use std::path::PathBuf;

use crate::{
    check_round_model_file, load_bundle, verify_history_for_task, RoundReport, TaskRoster,
};
use clap::Args;
use serde::Serialize;

use super::{load_vk, report, Outcome, TaskArgs, TrustArgs};

/// Verify one round bundle.
#[derive(Args)]
pub struct RoundCmd {
    /// Verifying key file (from `zkfl ceremony export-keys`, or `zkfl setup` for tests).
    #[arg(long)]
    vk: PathBuf,
    #[command(flatten)]
    trust: TrustArgs,
    #[command(flatten)]
    task: TaskArgs,
    /// Round directory holding round.json (or the bundle file itself).
    round: PathBuf,
}

impl RoundCmd {
    pub fn run(self, json: bool) -> anyhow::Result<Outcome> {
        let (header, vk) = load_vk(&self.vk, &self.trust)?;
        let task = self.task.load()?;
        let bundle = load_bundle(&self.round)?;
        let task = task
            .as_ref()
            .map(|(task, roster)| TaskRoster { task, roster });
        let result = verify_history_for_task(&vk, &header, std::slice::from_ref(&bundle), task)
            .map(|mut h| h.rounds.remove(0))
            .map_err(|e| e.to_string())
            .and_then(|round| {
                // The model file beside round.json, against the digests the bundle records.
                let model_file = check_round_model_file(bundle.model_file.as_ref(), &self.round)
                    .map_err(|e| e.to_string())?;
                Ok(Verified { round, model_file })
            });
        Ok(report(json, result, Some(&header), |v| {
            let r = &v.round;
            format!(
                "round {}: {} chunk proofs (batched), {} of {} slots active, total weight {}\n  \
                 {}\n  {}\n  model     {}\n  new model {}{}",
                r.round,
                r.chunks,
                r.active_slots,
                r.shape.slots,
                r.total_weight,
                r.bounds_line(),
                r.clients_line(),
                r.model_commitment,
                r.new_model_commitment,
                v.model_file
                    .as_ref()
                    .map(|m| format!("\n  {}", m.line()))
                    .unwrap_or_default()
            )
        }))
    }
}

/// A verified round and its checked model file (JSON: the round report's fields plus
/// `model_file`).
#[derive(Serialize)]
struct Verified {
    #[serde(flatten)]
    round: RoundReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    model_file: Option<crate::ModelFileReport>,
}
