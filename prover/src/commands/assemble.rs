//! `zkfl assemble plan/ --out round-T/`: the round directory of a sharded round.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;
use zkfl_circuits::keys::read_vk;
use zkfl_prover::{output, plan, setup::KeyPaths};
use zkfl_verifier::PreparedKey;

/// Check the chunk proofs of a plan and write its round directory.
///
/// Every chunk file is checked against the plan (statement, public inputs, proof encoding)
/// and all proofs in one batched pairing check; any missing, duplicate, foreign or invalid
/// chunk is named. The directory written is the one `zkfl prove` writes.
#[derive(Args)]
pub struct AssembleCmd {
    /// The plan directory from `zkfl prove --prepare`.
    plan: PathBuf,
    /// Key directory (only keys/vk.bin is read).
    #[arg(long, default_value = "keys")]
    keys: PathBuf,
    /// Round directory to write (must not exist; written atomically).
    #[arg(long)]
    out: PathBuf,
    /// Print a JSON summary on stdout.
    #[arg(long)]
    json: bool,
}

impl AssembleCmd {
    pub fn run(self) -> anyhow::Result<()> {
        output::check_new_output(&self.out)?;
        let loaded = plan::read_plan(&self.plan)?;
        let paths = KeyPaths::in_dir(&self.keys);
        let (header, vk) = read_vk(&paths.vk)?;
        let bundle_digest = &loaded.plan.statement.bundle.vk_digest;
        if &header.vk_digest != bundle_digest {
            bail!(
                "{} has key digest {}, but the plan was prepared for {bundle_digest}",
                paths.vk.display(),
                header.vk_digest
            );
        }
        let proofs = loaded.collect(&PreparedKey::new(&vk))?;
        let bundle = loaded.bundle(&proofs);
        let widened = output::write_round(&self.out, &loaded.prepared, &bundle)
            .with_context(|| format!("writing {}", self.out.display()))?;
        for t in &widened {
            eprintln!(
                "note: tensor '{t}' is written as F64: some of its proven values need more than an f32's 24-bit significand"
            );
        }
        let r = &loaded.prepared.round;
        if self.json {
            let summary = serde_json::json!({
                "round": bundle.round,
                "out": self.out,
                "chunks": proofs.len(),
                "statement_digest": loaded.digest(),
                "model_commitment": r.model_commitment,
                "new_model_commitment": r.new_model_commitment,
            });
            println!("{summary}");
        } else {
            println!(
                "round {} assembled from {} chunk proofs (all verified)\n  new model {}\n  written to {}",
                bundle.round,
                proofs.len(),
                r.new_model_commitment,
                self.out.display()
            );
        }
        Ok(())
    }
}
