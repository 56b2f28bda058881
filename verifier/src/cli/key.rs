//! `zkfl-verify key --ptau pot.ptau --zkey final.zkey --vk keys/vk.bin`: what an auditor
//! trusts about a key, as opposed to what its header claims.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use zkfl_ceremony::{export::verifying_key, zkey::file_blake2b, CeremonyError};
use zkfl_circuits::keys::{read_vk, ContributionRecord, Reduction};

use super::Outcome;

/// Verify a key's ceremony and that vk.bin is its verifying key.
#[derive(Args)]
pub struct KeyCmd {
    /// The phase-1 file (compare its printed blake2b hash with the published one).
    #[arg(long)]
    ptau: PathBuf,
    /// The ceremony's final .zkey.
    #[arg(long)]
    zkey: PathBuf,
    /// The verifying key to check (its header names the circuit shape).
    #[arg(long)]
    vk: PathBuf,
}

impl KeyCmd {
    pub fn run(self, json: bool) -> anyhow::Result<Outcome> {
        let (header, vk) = read_vk(&self.vk)
            .with_context(|| format!("loading verifying key {}", self.vk.display()))?;
        let verdict = match zkfl_ceremony::verify_files(&self.ptau, &header.shape, &self.zkey) {
            Ok(report) => Ok(report),
            Err(e @ (CeremonyError::Contribution { .. } | CeremonyError::Mismatch { .. })) => {
                Err(e.to_string())
            }
            Err(e) => return Err(e.into()),
        };
        let ptau_hash = hex::encode(file_blake2b(&self.ptau)?);
        let zkey_hash = hex::encode(file_blake2b(&self.zkey)?);
        let verdict = verdict.and_then(|report| {
            if verifying_key(&self.zkey).map_err(|e| e.to_string())? != vk {
                return Err(format!("{} is not the verifying key of {}", self.vk.display(), self.zkey.display()));
            }
            if header.reduction != Reduction::Circom {
                return Err(format!("{}'s header does not name the circom reduction a .zkey key needs", self.vk.display()));
            }
            let claims = header.provenance.as_ref().ok_or_else(|| {
                format!("{} records no ceremony provenance; re-export it with `zkfl ceremony export-keys`", self.vk.display())
            })?;
            let records: Vec<ContributionRecord> = report
                .contributions
                .iter()
                .map(|c| ContributionRecord {
                    name: c.name.clone(),
                    hash: hex::encode(c.hash),
                    beacon: c.beacon.as_ref().map(|(h, e)| (hex::encode(h), *e)),
                })
                .collect();
            let checks = [
                (claims.ptau_blake2b == ptau_hash, "ptau hash"),
                (claims.zkey_blake2b == zkey_hash, "zkey hash"),
                (claims.circuit_hash == hex::encode(report.cs_hash), "circuit hash"),
                (claims.contributions == records, "contribution list"),
            ];
            if let Some((_, what)) = checks.iter().find(|(ok, _)| !ok) {
                return Err(format!("the {what} in {}'s header does not match the files", self.vk.display()));
            }
            Ok(records)
        });
        match verdict {
            Ok(records) => {
                if json {
                    let v = serde_json::json!({
                        "valid": true,
                        "vk_digest": header.vk_digest,
                        "ptau_blake2b": ptau_hash,
                        "zkey_blake2b": zkey_hash,
                        "contributions": records,
                    });
                    println!("{v}");
                } else {
                    println!(
                        "VALID: {} is the verifying key of {}, whose {} contributions all verify against {}\n  vk sha256    {}\n  ptau blake2b {ptau_hash}\n  (compare it with the hash the phase-1 ceremony published)",
                        self.vk.display(),
                        self.zkey.display(),
                        records.len(),
                        self.ptau.display(),
                        header.vk_digest
                    );
                    for line in header.provenance_lines().iter().skip(2) {
                        println!("  {line}");
                    }
                }
                Ok(Outcome::Valid)
            }
            Err(e) => {
                if json {
                    println!(
                        "{}",
                        serde_json::json!({ "valid": false, "vk_digest": header.vk_digest, "error": e })
                    );
                } else {
                    println!("INVALID: {e}");
                }
                Ok(Outcome::Invalid)
            }
        }
    }
}
