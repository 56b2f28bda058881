//! `zkfl-verify history --vk keys/vk.bin rounds/`

use std::path::PathBuf;

use crate::{bundle_index, load_bundle, HistoryReport, HistoryVerifier, TaskRoster, VerifyError};
use clap::Args;
use rand::rngs::OsRng;

use super::{load_vk, report, Outcome, TaskArgs, TrustArgs};

/// Verify every round under a directory, and the model chain between them.
#[derive(Args)]
pub struct HistoryCmd {
    /// Verifying key file (from `zkfl ceremony export-keys`, or `zkfl setup` for tests).
    #[arg(long)]
    vk: PathBuf,
    #[command(flatten)]
    trust: TrustArgs,
    #[command(flatten)]
    task: TaskArgs,
    /// Directory whose subdirectories hold one round.json each.
    rounds: PathBuf,
}

impl HistoryCmd {
    pub fn run(self, json: bool) -> anyhow::Result<Outcome> {
        let (header, vk) = load_vk(&self.vk, &self.trust)?;
        let task = self.task.load()?;
        // One round in memory at a time (plus a pending batch of at most BATCH_GROUP
        // proofs), however long the history: a file that cannot be read is an error, a
        // round that does not verify is INVALID.
        let index = bundle_index(&self.rounds)?;
        let mut history = HistoryVerifier::new(&vk, &header, OsRng)?;
        if let Some((task, roster)) = &task {
            history = history.with_task(TaskRoster { task, roster });
        }
        let result = stream(history, &index)?;
        Ok(report(json, result, Some(&header), |r| {
            let rounds: String = r
                .rounds
                .iter()
                .map(|t| {
                    format!(
                        "\n  round {}: {}\n    {}",
                        t.round,
                        t.bounds_line(),
                        t.clients_line()
                    )
                })
                .collect();
            format!(
                "rounds {}..={}: {} chunk proofs in batches, model chain intact\n  \
                 initial model {}\n  final model   {}{rounds}",
                r.first_round, r.last_round, r.proofs, r.initial_model, r.final_model
            )
        }))
    }
}

/// Pushes the rounds of `index` one by one: `Err` if a file cannot be read, `Ok(Err)` for the
/// first round that does not verify.
fn stream(
    mut history: HistoryVerifier<'_, OsRng>,
    index: &[(u64, PathBuf)],
) -> anyhow::Result<Result<HistoryReport, VerifyError>> {
    for (_, dir) in index {
        let bundle = load_bundle(dir)?;
        if let Err(e) = history.push(&bundle) {
            return Ok(Err(e));
        }
    }
    Ok(history.finish())
}
