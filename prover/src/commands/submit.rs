use std::path::PathBuf;

use alloy_primitives::Address;
use anyhow::{bail, ensure, Context};
use clap::Args;
use zkfl_circuits::keys::read_vk;
use zkfl_contracts::bundle::round_call;
use zkfl_contracts::chain::Client;
use zkfl_prover::setup::KeyPaths;
use zkfl_task::Task;
use zkfl_verifier::{load_bundle, verify_history_for_task, TaskRoster, BUNDLE_FILE};

use super::onchain::KeyArgs;

/// Submit a proven round to the registry: one transaction, all chunk proofs in one batched
/// pairing check. The round is first verified exactly as `zkfl-verify round --task T
/// --roster R` does (proofs, commitments, and each slot's client signature), so nothing is
/// sent that an auditor would reject. The private key comes from $ZKFL_PRIVATE_KEY or
/// --key-file.
#[derive(Args)]
pub struct SubmitCmd {
    /// Key directory from `zkfl setup` (reads vk.bin to verify the round before sending).
    #[arg(long, default_value = "keys")]
    keys: PathBuf,
    /// JSON-RPC endpoint of the node, e.g. http://127.0.0.1:8545.
    #[arg(long)]
    rpc: String,
    /// The registry's address (printed by `zkfl deploy`).
    #[arg(long)]
    registry: Address,
    /// The round directory from `zkfl prove` (or its round.json).
    round: PathBuf,
    /// The task (task.json) the registry serves: its signatures are checked before sending.
    #[arg(long)]
    task: PathBuf,
    /// The task's roster (roster.json).
    #[arg(long)]
    roster: PathBuf,
    /// Submit even under a key from `zkfl setup` (fixed seed or no ceremony), as
    /// `zkfl-verify --allow-insecure-keys` would verify it: tests and demos only.
    #[arg(long)]
    allow_insecure_keys: bool,
    #[command(flatten)]
    key: KeyArgs,
    /// Print a JSON summary on stdout.
    #[arg(long)]
    json: bool,
}

impl SubmitCmd {
    pub fn run(self) -> anyhow::Result<()> {
        let path = if self.round.is_dir() {
            self.round.join(BUNDLE_FILE)
        } else {
            self.round.clone()
        };
        let bundle = load_bundle(&self.round)?;
        let vk_path = KeyPaths::in_dir(&self.keys).vk;
        let (header, vk) = read_vk(&vk_path)?;
        if let Some(why) = header.insecurity() {
            ensure!(
                self.allow_insecure_keys,
                "{}: {why}; zkfl-verify refuses rounds under it, so it was not sent. Use keys from a ceremony, or pass --allow-insecure-keys for tests and demos",
                vk_path.display()
            );
        }
        let task = Task::read(&self.task)?;
        let roster = task.read_roster(&self.roster)?;
        let checked = verify_history_for_task(
            &vk,
            &header,
            std::slice::from_ref(&bundle),
            Some(TaskRoster {
                task: &task,
                roster: &roster,
            }),
        );
        if let Err(e) = checked {
            bail!(
                "{} does not verify under {}, so it was not sent: {e}",
                path.display(),
                vk_path.display()
            );
        }
        let (key, origin) = self.key.load()?;
        let client = Client::connect(&self.rpc, &key, &origin)?;
        // The round carries the registry's roster in the registry's order, read just before
        // sending (an enrolment in between makes the registry refuse it: RosterMismatch).
        let roster_now = client
            .roster(self.registry)
            .with_context(|| format!("reading the roster of {}", self.registry))?;
        let call = round_call(&bundle, &roster_now)
            .with_context(|| format!("reading {}", path.display()))?;
        let submitted = client
            .submit_round(self.registry, &call)
            .with_context(|| format!("submitting {}", path.display()))?;
        let event = &submitted.accepted;
        ensure!(
            event.new_model == bundle.new_model_commitment.0,
            "the registry accepted round {} but stored 0x{}, not the bundle's new model {}",
            bundle.round,
            hex::encode(event.new_model),
            bundle.new_model_commitment
        );
        let new_model = bundle.new_model_commitment.to_string();
        // What RoundAccepted recorded as the model file's SHA-256 (zero: none in the bundle).
        let model_file =
            (event.model_file != [0; 32]).then(|| format!("0x{}", hex::encode(event.model_file)));
        if self.json {
            let summary = serde_json::json!({
                "round": bundle.round,
                "registry": self.registry,
                "tx_hash": submitted.tx_hash,
                "gas_used": submitted.gas_used,
                "block": submitted.block,
                "chunks": bundle.chunks.len(),
                "prev_model_commitment": format!("0x{}", hex::encode(event.prev_model)),
                "new_model_commitment": new_model,
                "model_file_sha256": model_file,
            });
            println!("{summary}");
        } else {
            println!(
                "round {} accepted by {}: {} chunk proofs in one batched check\n  tx {}\n  gas used {}\n  new model commitment {new_model}",
                bundle.round,
                self.registry,
                bundle.chunks.len(),
                submitted.tx_hash,
                submitted.gas_used
            );
            if let Some(sha) = &model_file {
                println!("  model file sha256 {sha} (in RoundAccepted)");
            }
        }
        Ok(())
    }
}
