use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use zkfl_ceremony::contribute::beacon;

use super::format_hash;

/// Close the ceremony with a public, deterministic contribution from a beacon value
/// announced in advance (e.g. a future block hash).
#[derive(Args)]
pub struct BeaconCmd {
    /// The last contributed `.zkey`.
    input: PathBuf,
    /// The final `.zkey`.
    output: PathBuf,
    /// The beacon value, hex.
    #[arg(long)]
    beacon: String,
    /// log2 of the SHA-256 iterations over the beacon (snarkjs's numIterationsExp, 10..=63).
    #[arg(long)]
    iterations: u8,
    /// Name recorded for the beacon.
    #[arg(long, default_value = "final beacon")]
    name: String,
    /// Print a JSON summary on stdout.
    #[arg(long)]
    json: bool,
}

impl BeaconCmd {
    pub fn run(self) -> anyhow::Result<()> {
        let value = hex::decode(self.beacon.trim_start_matches("0x"))
            .with_context(|| format!("--beacon must be hex, got '{}'", self.beacon))?;
        let receipt = beacon(
            &self.input,
            &self.output,
            Some(&self.name),
            &value,
            self.iterations,
        )?;
        if self.json {
            let summary = serde_json::json!({
                "out": self.output,
                "index": receipt.index,
                "contribution_hash": hex::encode(receipt.hash),
                "beacon": hex::encode(&value),
                "iterations_exp": self.iterations,
            });
            println!("{summary}");
        } else {
            println!(
                "beacon contribution #{} written to {}\nContribution Hash:\n{}",
                receipt.index,
                self.output.display(),
                format_hash(&receipt.hash)
            );
        }
        Ok(())
    }
}
