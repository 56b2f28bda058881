//! One file per subcommand; each reports and returns whether the input verified. An `Err`
//! means the input could not be read (exit code 2), never that it is invalid.

mod export;
mod history;
mod model;
mod round;

use std::{fmt::Display, path::Path};

use anyhow::Context;
use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;
use clap::Subcommand;
use serde::Serialize;
use zkfl_circuits::keys::{read_vk, KeyHeader};

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
}

impl Command {
    /// Runs the subcommand.
    pub fn run(self, json: bool) -> anyhow::Result<Outcome> {
        match self {
            Command::Round(c) => c.run(json),
            Command::History(c) => c.run(json),
            Command::Model(c) => c.run(json),
            Command::ExportSnarkjs(c) => c.run(json),
        }
    }
}

/// Reads a verifying key, warning loudly about keys from a fixed seed.
fn load_vk(path: &Path) -> anyhow::Result<(KeyHeader, VerifyingKey<Bn254>)> {
    let (header, vk) =
        read_vk(path).with_context(|| format!("loading verifying key {}", path.display()))?;
    if let Some(seed) = header.insecure_seed {
        eprintln!(
            "WARNING: {} was generated from the fixed seed {seed}. Anyone can forge proofs \
             for it: it is for tests and demos only, never for a real audit.",
            path.display()
        );
    }
    Ok((header, vk))
}

/// Prints the verdict of a verification in the requested form.
fn report<T: Serialize>(
    json: bool,
    result: Result<T, impl Display>,
    insecure_key: bool,
    human: impl FnOnce(&T) -> String,
) -> Outcome {
    match result {
        Ok(r) => {
            if json {
                let v =
                    serde_json::json!({ "valid": true, "insecure_key": insecure_key, "report": r });
                println!("{v}");
            } else {
                println!("VALID: {}", human(&r));
            }
            Outcome::Valid
        }
        Err(e) => {
            if json {
                let v = serde_json::json!({ "valid": false, "insecure_key": insecure_key, "error": e.to_string() });
                println!("{v}");
            } else {
                println!("INVALID: {e}");
            }
            Outcome::Invalid
        }
    }
}
