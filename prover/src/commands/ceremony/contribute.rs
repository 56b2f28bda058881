use std::path::PathBuf;

use clap::Args;
use zkfl_ceremony::contribute::contribute;

use super::format_hash;

/// Add one secret contribution. The secret comes from the OS (mixed with `--entropy` if
/// given) and is wiped when done; publish the printed contribution hash.
#[derive(Args)]
pub struct ContributeCmd {
    /// The latest `.zkey` of the ceremony.
    input: PathBuf,
    /// Where to write the new `.zkey`.
    output: PathBuf,
    /// Your name, recorded in the key (at most 64 bytes).
    #[arg(long)]
    name: String,
    /// Extra text mixed into the OS randomness (never a replacement for it).
    #[arg(long)]
    entropy: Option<String>,
    /// Print a JSON summary on stdout.
    #[arg(long)]
    json: bool,
}

impl ContributeCmd {
    pub fn run(self) -> anyhow::Result<()> {
        let receipt = contribute(
            &self.input,
            &self.output,
            Some(&self.name),
            self.entropy.as_deref().map(str::as_bytes),
        )?;
        if self.json {
            let summary = serde_json::json!({
                "out": self.output,
                "index": receipt.index,
                "name": self.name,
                "contribution_hash": hex::encode(receipt.hash),
                "circuit_hash": hex::encode(receipt.cs_hash),
            });
            println!("{summary}");
        } else {
            println!(
                "contribution #{} ({}) written to {}\nContribution Hash (publish it):\n{}",
                receipt.index,
                self.name,
                self.output.display(),
                format_hash(&receipt.hash)
            );
        }
        Ok(())
    }
}
