//! `zkfl-verify model --commitment HEX model.safetensors --opening opening.json`

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use zkfl_circuits::Commitment;
use zkfl_verifier::verify_model;

use super::{report, Outcome};

/// Check that a released model file is the committed model.
#[derive(Args)]
pub struct ModelCmd {
    /// The model commitment from the chain or round.json: 0x and 64 lowercase hex digits.
    #[arg(long)]
    commitment: String,
    /// The released model (safetensors).
    model: PathBuf,
    /// The model's opening (salts and exact integers).
    #[arg(long)]
    opening: PathBuf,
}

impl ModelCmd {
    pub fn run(self, json: bool) -> anyhow::Result<Outcome> {
        let commitment: Commitment = self.commitment.parse().context("--commitment")?;
        match verify_model(&commitment, &self.model, &self.opening) {
            Err(e) if e.is_unreadable() => Err(e.into()),
            result => Ok(report(json, result, false, |r| {
                format!(
                    "{} is the model committed to by {} ({} parameters in {} tensors, {} chunks)",
                    self.model.display(),
                    r.commitment,
                    r.d,
                    r.tensors,
                    r.chunks
                )
            })),
        }
    }
}
