use std::path::PathBuf;

use clap::Args;
use zkfl_prover::{
    setup::{setup, write_keys},
    FullShapeArgs,
};

/// Generate keys for one circuit shape on this machine (single-party, development).
#[derive(Args)]
pub struct SetupCmd {
    #[command(flatten)]
    shape: FullShapeArgs,
    /// INSECURE: derive the keys from this seed (tests and demos only).
    #[arg(long)]
    seed: Option<u64>,
    /// Output directory for pk.bin, vk.bin and params.json.
    #[arg(long)]
    out: PathBuf,
    /// Print a JSON summary on stdout.
    #[arg(long)]
    json: bool,
}

impl SetupCmd {
    pub fn run(self) -> anyhow::Result<()> {
        let shape = self.shape.shape()?;
        if let Some(seed) = self.seed {
            eprintln!(
                "WARNING: --seed {seed}: these keys are INSECURE. Anyone who knows the seed can forge proofs.\n\
                 WARNING: use seeded keys for tests and demos only; the key files record the seed."
            );
        }
        let (pk, params) = setup(shape, self.seed)?;
        write_keys(&self.out, &pk, &params)?;
        let fill =
            (params.constraints + shape.num_public_inputs() + 1) as f64 / params.domain_size as f64;
        if self.json {
            println!("{}", serde_json::to_string(&params)?);
        } else {
            println!(
                "keys for n = {} slots, m = {} params/chunk written to {}\n  constraints {} (domain 2^{}, {:.1}% full), vk sha256 {}",
                shape.slots,
                shape.chunk,
                self.out.display(),
                params.constraints,
                params.domain_size.trailing_zeros(),
                fill * 100.0,
                params.vk_digest
            );
        }
        Ok(())
    }
}
