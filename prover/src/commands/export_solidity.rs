use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use zkfl_circuits::keys::read_vk;
use zkfl_contracts::export::export_solidity;
use zkfl_prover::setup::KeyPaths;

use super::onchain::SolcArgs;

/// Write the Solidity verifier (this key baked in) and the round registry; with the npm
/// solc installed also their ABI JSON and bytecode.
#[derive(Args)]
pub struct ExportSolidityCmd {
    /// Key directory from `zkfl setup` (reads vk.bin).
    #[arg(long, default_value = "keys")]
    keys: PathBuf,
    /// Output directory (created if missing; files in it are overwritten).
    #[arg(long)]
    out: PathBuf,
    /// Print a JSON summary on stdout.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    solc: SolcArgs,
}

impl ExportSolidityCmd {
    pub fn run(self) -> anyhow::Result<()> {
        let vk_path = KeyPaths::in_dir(&self.keys).vk;
        let (header, vk) = read_vk(&vk_path)?;
        // Without a compiler the sources are still useful (compile them elsewhere), so a
        // missing solc is a warning here; `deploy` and the demo require it.
        let solc = match self.solc.solc() {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("warning: writing sources only, no ABI or bytecode: {e:#}");
                None
            }
        };
        let files = export_solidity(&vk, &header.shape, &self.out, solc.as_ref())
            .with_context(|| format!("exporting the contracts for {}", vk_path.display()))?;
        if self.json {
            let summary = serde_json::json!({
                "out": self.out,
                "vk_digest": header.vk_digest,
                "slots": header.shape.slots,
                "compiled": solc.is_some(),
                "files": files,
            });
            println!("{summary}");
        } else {
            println!(
                "contracts for n = {} slots (vk sha256 {}) written to {}:",
                header.shape.slots,
                header.vk_digest,
                self.out.display()
            );
            for f in &files {
                println!("  {}", f.display());
            }
        }
        Ok(())
    }
}
