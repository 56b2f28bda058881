//! `zkfl-verify model --vk keys/vk.bin (--commitment HEX | --round round-T/) model.safetensors --opening opening.json`

use std::path::PathBuf;

use crate::{check_model_file, load_bundle, verify_model, verify_round};
use anyhow::{bail, Context};
use clap::Args;
use zkfl_circuits::Commitment;

use super::{load_vk, report, Outcome, TrustArgs};

/// Check that a released model file is the committed model.
///
/// The opening's shape (fixed-point scale, digit widths) must be the verifying key's: an
/// opening cannot choose how its own values are read.
#[derive(Args)]
pub struct ModelCmd {
    /// Verifying key file: its shape is the one the opening must have.
    #[arg(long)]
    vk: PathBuf,
    #[command(flatten)]
    trust: TrustArgs,
    /// The model commitment, e.g. from the chain: 0x and 64 lowercase hex digits.
    #[arg(long, required_unless_present = "round", conflicts_with = "round")]
    commitment: Option<String>,
    /// Take the commitment from this round's new model, after verifying the round.
    #[arg(long)]
    round: Option<PathBuf>,
    /// The released model (safetensors).
    model: PathBuf,
    /// The model's opening (salts and exact integers).
    #[arg(long)]
    opening: PathBuf,
}

impl ModelCmd {
    pub fn run(self, json: bool) -> anyhow::Result<Outcome> {
        let (header, vk) = load_vk(&self.vk, &self.trust)?;
        let mut recorded = None;
        let commitment: Commitment = match (&self.commitment, &self.round) {
            (Some(c), _) => c.parse().context("--commitment")?,
            (None, Some(dir)) => {
                let bundle = load_bundle(dir)?;
                recorded = bundle.model_file.clone();
                match verify_round(&vk, &header, &bundle) {
                    Ok(r) => r.new_model_commitment,
                    Err(e) => {
                        return Ok(report::<()>(
                            json,
                            Err(format!("{}: {e}", dir.display())),
                            Some(&header),
                            |_| String::new(),
                        ));
                    }
                }
            }
            (None, None) => bail!("give --commitment or --round"),
        };
        let result = match verify_model(&header.shape, &commitment, &self.model, &self.opening) {
            Err(e) if e.is_unreadable() => return Err(e.into()),
            result => result.map_err(|e| e.to_string()),
        };
        // With --round, a safetensors file must also be the one whose digests round.json
        // records (PROTOCOL.md §6.2), when it records them. A .npy/.npz file holds the same
        // values in another encoding: the commitment binds its values, no file digest can.
        let other_encoding = matches!(
            self.model.extension().and_then(|e| e.to_str()),
            Some("npy" | "npz")
        );
        if other_encoding {
            recorded = None;
        }
        let result = result.and_then(|model| match &recorded {
            Some(rec) => check_model_file(rec, &self.model)
                .map(|m| Verified {
                    model,
                    model_file: Some(m),
                })
                .map_err(|e| e.to_string()),
            None => Ok(Verified {
                model,
                model_file: None,
            }),
        });
        Ok(report(json, result, Some(&header), |v| {
            let (r, m) = (&v.model, &v.model_file);
            format!(
                "{} is the model committed to by {} ({} parameters in {} tensors, {} chunks){}",
                self.model.display(),
                r.commitment,
                r.d,
                r.tensors,
                r.chunks,
                match (m, other_encoding) {
                    (Some(m), _) => format!("\n  {}", m.line()),
                    (None, true) => "\n  file digests: not checked (a .npy/.npz file; round.json \
                                     records those of model.safetensors)"
                        .to_string(),
                    (None, false) => String::new(),
                }
            )
        }))
    }
}

/// A verified model file (JSON: the model report's fields plus `model_file` when the round
/// records the file's digests).
#[derive(serde::Serialize)]
struct Verified {
    #[serde(flatten)]
    model: crate::ModelReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    model_file: Option<crate::ModelFileReport>,
}
