use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use zkfl_circuits::circuit::cost;
use zkfl_prover::{
    setup::{setup, write_keys},
    ShapeArgs,
};

/// Generate keys for one circuit shape.
#[derive(Args)]
pub struct SetupCmd {
    #[command(flatten)]
    shape: ShapeArgs,
    /// Parameters per chunk (m), or `auto` to fill the FFT domain 2^--log-domain.
    #[arg(long, default_value = "auto")]
    chunk: String,
    /// With `--chunk auto`: log2 of the FFT domain to fill.
    #[arg(long, default_value_t = 16)]
    log_domain: u32,
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
        let mut shape = self.shape.shape(1);
        shape.chunk = if self.chunk == "auto" {
            cost::max_chunk_for_domain(&shape, self.log_domain).with_context(|| {
                format!(
                    "{} slots do not fit a domain of 2^{}; raise --log-domain",
                    shape.slots, self.log_domain
                )
            })?
        } else {
            self.chunk.parse().with_context(|| {
                format!("--chunk must be a number or `auto`, got '{}'", self.chunk)
            })?
        };
        shape.validate()?;
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
                "keys for n = {} slots, m = {} params/chunk written to {}\n  {}\n  constraints {} (domain 2^{}, {:.1}% full), vk sha256 {}",
                shape.slots,
                shape.chunk,
                self.out.display(),
                match shape.fixed_linf() {
                    Some(b) => format!(
                        "L∞ fixed: every update coordinate in [{}, {}] fixed-point units (prove with --linf {})",
                        shape.update_min(),
                        shape.update_max(),
                        b as f64 / (1u64 << shape.frac_bits) as f64
                    ),
                    None => "L∞ bound chosen per round (zkfl prove --linf)".into(),
                },
                params.constraints,
                params.domain_size.trailing_zeros(),
                fill * 100.0,
                params.vk_digest
            );
        }
        Ok(())
    }
}
