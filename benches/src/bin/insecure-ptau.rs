//! Writes an INSECURE prepared phase-1 file (τ, α, β from a seed) for ceremony benchmarks
//! at sizes snarkjs needs hours to prepare (docs/BENCHMARKS.md, "Ceremony").
//!
//! `cargo run --release -p zkfl-benches --bin insecure-ptau -- --power 20 --out pot20.ptau`

use std::path::PathBuf;

use clap::Parser;

/// Write an INSECURE prepared ptau (benchmarks and tests only).
#[derive(Parser)]
struct Args {
    /// log2 of the number of powers.
    #[arg(long)]
    power: u32,
    /// Seed of τ, α and β: anyone who knows it can forge proofs under keys from the file.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output file.
    #[arg(long)]
    out: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    zkfl_ceremony::testing::write_insecure_ptau(&a.out, a.power, a.seed)?;
    eprintln!(
        "wrote {} (power {}); INSECURE: τ, α, β come from seed {}",
        a.out.display(),
        a.power,
        a.seed
    );
    Ok(())
}
