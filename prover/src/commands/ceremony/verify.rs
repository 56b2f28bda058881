use std::path::PathBuf;

use clap::Args;
use zkfl_ceremony::verify::Report;
use zkfl_prover::FullShapeArgs;

use super::format_hash;

/// Rebuild the initial key from the ptau and the circuit and check every contribution.
#[derive(Args)]
pub struct VerifyCmd {
    /// The phase-1 file the ceremony used (check its blake2b hash first).
    #[arg(long)]
    ptau: PathBuf,
    #[command(flatten)]
    shape: FullShapeArgs,
    /// The `.zkey` to check.
    zkey: PathBuf,
    /// Print a JSON summary on stdout.
    #[arg(long)]
    json: bool,
}

impl VerifyCmd {
    pub fn run(self) -> anyhow::Result<()> {
        let shape = self.shape.shape()?;
        let report = zkfl_ceremony::verify_files(&self.ptau, &shape, &self.zkey)?;
        print_report(&report, self.json);
        Ok(())
    }
}

/// Prints a verified key's contribution list (newest first, as snarkjs does).
pub fn print_report(report: &Report, json: bool) {
    if json {
        let list: Vec<_> = report
            .contributions
            .iter()
            .map(|c| {
                serde_json::json!({
                    "index": c.index,
                    "name": c.name,
                    "hash": hex::encode(c.hash),
                    "beacon": c.beacon.as_ref().map(|(h, e)| serde_json::json!({"hash": hex::encode(h), "iterations_exp": e})),
                })
            })
            .collect();
        let summary = serde_json::json!({
            "ok": true,
            "circuit_hash": hex::encode(report.cs_hash),
            "contributions": list,
        });
        println!("{summary}");
        return;
    }
    println!("Circuit hash:\n{}", format_hash(&report.cs_hash));
    for c in report.contributions.iter().rev() {
        println!(
            "-------------------------\ncontribution #{} {}:\n{}",
            c.index,
            c.name,
            format_hash(&c.hash)
        );
        if let Some((h, e)) = &c.beacon {
            println!(
                "Beacon generator: {}\nBeacon iterations Exp: {e}",
                hex::encode(h)
            );
        }
    }
    println!(
        "-------------------------\nZKey Ok! {} contributions verified.",
        report.contributions.len()
    );
}
