//! The auditor's command line (feature `cli`), shared by `zkfl-verify` and `zkfl verify` so
//! that both give one verdict, with one exit-code rule and one `--json` schema: 0 = valid,
//! 1 = read and invalid, 2 = usage error or unreadable input.
//!
//! One file per subcommand; each reports and returns whether the input verified. An `Err`
//! means the input could not be read (exit code 2), never that it is invalid.

mod export;
mod history;
mod key;
mod model;
mod round;

use std::{fmt::Display, path::Path};

use anyhow::Context;
use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;
use clap::{Parser, Subcommand};
use serde::Serialize;
use zkfl_circuits::keys::{read_vk, KeyHeader};

/// Verify zkfl round bundles, training histories and released models without any prover code.
#[derive(Parser)]
#[command(name = "zkfl-verify", version)]
pub struct Cli {
    /// Print a JSON report on stdout instead of human text.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to verify.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Runs the command, prints its verdict (or why the input could not be read), and
    /// returns the process exit code: 0 valid, 1 invalid, 2 unreadable.
    pub fn run(self) -> i32 {
        match self.command.run(self.json) {
            Ok(Outcome::Valid) => 0,
            Ok(Outcome::Invalid) => 1,
            Err(e) => {
                let error = crate::describe_error(e.as_ref());
                if self.json {
                    let v =
                        serde_json::json!({ "valid": false, "unreadable": true, "error": error });
                    println!("{v}");
                } else {
                    eprintln!("error: {error}");
                }
                2
            }
        }
    }
}

/// The verdict of a command whose input was readable.
pub enum Outcome {
    /// Everything verified.
    Valid,
    /// The input was read and is invalid.
    Invalid,
}

/// The subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Verify one round bundle (ROUND_DIR/round.json).
    Round(round::RoundCmd),
    /// Verify every round under a directory and the model chain between them.
    History(history::HistoryCmd),
    /// Check that a released model file is the committed model.
    Model(model::ModelCmd),
    /// Write one chunk's key, proof and public inputs in snarkjs format.
    ExportSnarkjs(export::ExportCmd),
    /// Check a key's ceremony: verify the final .zkey against the ptau and the circuit, and
    /// that vk.bin is that zkey's verifying key.
    Key(key::KeyCmd),
}

/// The flag that lets an auditor verify under keys without a ceremony.
#[derive(clap::Args)]
pub struct TrustArgs {
    /// Verify even under a key from `zkfl setup` (fixed seed or no ceremony). Such proofs
    /// convince only someone who trusts whoever made the key: tests and demos only.
    #[arg(long)]
    allow_insecure_keys: bool,
}

impl Command {
    /// Runs the subcommand.
    pub fn run(self, json: bool) -> anyhow::Result<Outcome> {
        match self {
            Command::Round(c) => c.run(json),
            Command::History(c) => c.run(json),
            Command::Model(c) => c.run(json),
            Command::ExportSnarkjs(c) => c.run(json),
            Command::Key(c) => c.run(json),
        }
    }
}

/// `--task task.json --roster roster.json`: check every round's client signatures.
#[derive(clap::Args)]
pub struct TaskArgs {
    /// The task (task.json): check that every weighted slot is signed by a distinct enrolled
    /// client for exactly this round, previous model, update and weight, and that the quorum
    /// is met; an unsigned round is then INVALID. Without it, signed rounds verify their
    /// proofs only, and the report says the signatures were not checked.
    #[arg(long, requires = "roster")]
    task: Option<std::path::PathBuf>,
    /// The task's roster (roster.json), whose digest task.json records.
    #[arg(long, requires = "task")]
    roster: Option<std::path::PathBuf>,
}

impl TaskArgs {
    /// The task and its roster, read and checked against each other, if given.
    pub fn load(&self) -> anyhow::Result<Option<(zkfl_task::Task, zkfl_task::Roster)>> {
        let (Some(task), Some(roster)) = (&self.task, &self.roster) else {
            return Ok(None);
        };
        let task = zkfl_task::Task::read(task)?;
        let roster = task.read_roster(roster)?;
        eprintln!(
            "task '{}': registry {} on chain {}, {} enrolled clients, quorum {}",
            task.name,
            task.registry,
            task.chain_id,
            roster.clients.len(),
            task.quorum
        );
        Ok(Some((task, roster)))
    }
}

/// Reads a verifying key, prints its digest and claimed provenance (stderr), and refuses a
/// key without a ceremony unless `trust` allows it (then warns loudly).
fn load_vk(path: &Path, trust: &TrustArgs) -> anyhow::Result<(KeyHeader, VerifyingKey<Bn254>)> {
    let (header, vk) =
        read_vk(path).with_context(|| format!("loading verifying key {}", path.display()))?;
    eprintln!("key {}: vk sha256 {}", path.display(), header.vk_digest);
    for line in header.provenance_lines() {
        eprintln!("  {line}");
    }
    if let Some(why) = header.insecurity() {
        anyhow::ensure!(
            trust.allow_insecure_keys,
            "{}: {why}. Refusing to verify under it; use keys from a ceremony (`zkfl ceremony export-keys`, checked with `zkfl-verify key`), or pass --allow-insecure-keys for tests and demos",
            path.display()
        );
        eprintln!(
            "WARNING: {}: {why}. Verifying anyway (--allow-insecure-keys): tests and demos only, never a real audit.",
            path.display()
        );
    } else {
        eprintln!("  (claimed provenance: check it with `zkfl-verify key`)");
    }
    Ok((header, vk))
}

/// Prints the verdict of a verification in the requested form.
fn report<T: Serialize>(
    json: bool,
    result: Result<T, impl Display>,
    header: Option<&KeyHeader>,
    human: impl FnOnce(&T) -> String,
) -> Outcome {
    let insecure_key = header.is_some_and(|h| h.insecurity().is_some());
    let vk_digest = header.map(|h| &h.vk_digest);
    let provenance = header.and_then(|h| h.provenance.as_ref());
    match result {
        Ok(r) => {
            if json {
                let v = serde_json::json!({
                    "valid": true,
                    "insecure_key": insecure_key,
                    "vk_digest": vk_digest,
                    "provenance": provenance,
                    "report": r,
                });
                println!("{v}");
            } else {
                println!("VALID: {}", human(&r));
            }
            Outcome::Valid
        }
        Err(e) => {
            if json {
                let v = serde_json::json!({
                    "valid": false,
                    "insecure_key": insecure_key,
                    "vk_digest": vk_digest,
                    "error": e.to_string(),
                });
                println!("{v}");
            } else {
                println!("INVALID: {e}");
            }
            Outcome::Invalid
        }
    }
}
