use std::{path::PathBuf, time::Instant};

use anyhow::{bail, Context};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use zkfl_circuits::keys::read_pk;
use zkfl_prover::{
    inputs::{self, ClientArgs},
    output,
    prove::{prove_round_with, Parallelism},
    setup::KeyPaths,
};

/// Aggregate a round with FedAvg and prove it.
#[derive(Args)]
pub struct ProveCmd {
    /// Key directory from `zkfl setup`.
    #[arg(long, default_value = "keys")]
    keys: PathBuf,
    /// Round index t (this round turns M_t into M_{t+1}); the first round is 1.
    #[arg(long)]
    round: u64,
    /// The current global model M_t (safetensors).
    #[arg(long)]
    model: PathBuf,
    /// The previous round's `model.opening.json`; omit for the genesis model (committed afresh).
    #[arg(long)]
    model_opening: Option<PathBuf>,
    /// A client update (safetensors); repeat once per client.
    #[arg(long = "update", required = true)]
    updates: Vec<PathBuf>,
    /// The client's opening from `zkfl commit`; one per --update, same order.
    #[arg(long = "opening", required = true)]
    openings: Vec<PathBuf>,
    /// The client's FedAvg weight (e.g. its sample count); one per --update, same order.
    #[arg(long = "weight", required = true)]
    weights: Vec<u64>,
    /// L∞ bound on every update coordinate (float; rounded down to fixed point).
    #[arg(long)]
    linf: f64,
    /// L2 bound on every update (float; rounded down to fixed point).
    #[arg(long)]
    l2: f64,
    /// Output directory (must not exist; written atomically).
    #[arg(long)]
    out: PathBuf,
    /// Chunks proven at once (default: one per thread).
    #[arg(long)]
    jobs: Option<usize>,
    /// Saturate out-of-range values instead of refusing them.
    #[arg(long)]
    clip: bool,
    /// Print a JSON summary on stdout.
    #[arg(long)]
    json: bool,
}

impl ProveCmd {
    pub fn run(self) -> anyhow::Result<()> {
        if self.updates.len() != self.openings.len() || self.updates.len() != self.weights.len() {
            bail!(
                "give one --opening and one --weight per --update ({} updates, {} openings, {} weights)",
                self.updates.len(),
                self.openings.len(),
                self.weights.len()
            );
        }
        output::check_new_output(&self.out)?;
        let paths = KeyPaths::in_dir(&self.keys);
        let started = Instant::now();
        let (header, pk) = read_pk(&paths.pk)?;
        if let Some(seed) = header.insecure_seed {
            eprintln!("WARNING: {} was generated from seed {seed}: proofs under it are forgeable (demo/test keys).", paths.pk.display());
        }
        let shape = header.shape;
        let clients: Vec<ClientArgs> = self
            .updates
            .iter()
            .zip(&self.openings)
            .zip(&self.weights)
            .map(|((u, o), w)| ClientArgs {
                update: u.clone(),
                opening: o.clone(),
                weight: *w,
            })
            .collect();
        let prepared = inputs::prepare(
            &shape,
            &self.model,
            self.model_opening.as_deref(),
            &clients,
            self.linf,
            self.l2,
            self.clip,
            &mut inputs::salt_rng(),
        )?;
        let k = prepared.round.num_chunks();
        let par = Parallelism::new(self.jobs, None, k);
        let bar = ProgressBar::new(k as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} proving chunks {pos}/{len} [{elapsed_precise}] {wide_bar} eta {eta}",
            )
            .expect("template"),
        );
        let prove_start = Instant::now();
        let proofs =
            prove_round_with(&pk, header.reduction, &prepared.round, par, &|_| bar.inc(1))?;
        bar.finish_and_clear();
        let prove_secs = prove_start.elapsed().as_secs_f64();
        let bundle = output::bundle(&prepared, self.round, &header.vk_digest, &proofs);
        let widened = output::write_round(&self.out, &prepared, &bundle)
            .with_context(|| format!("writing {}", self.out.display()))?;
        for t in &widened {
            eprintln!(
                "note: tensor '{t}' is written as F64: some of its proven values need more than an f32's 24-bit significand"
            );
        }
        let r = &prepared.round;
        if self.json {
            let summary = serde_json::json!({
                "round": self.round,
                "out": self.out,
                "chunks": k,
                "params": r.input.model.len(),
                "clients": clients.len(),
                "genesis": prepared.genesis,
                "model_commitment": r.model_commitment,
                "new_model_commitment": r.new_model_commitment,
                "prove_seconds": prove_secs,
                "total_seconds": started.elapsed().as_secs_f64(),
                "jobs": par.jobs,
                "threads": par.threads,
            });
            println!("{summary}");
        } else {
            println!(
                "round {} proven: {} chunks × {} slots in {:.1} s ({} jobs over {} threads)\n  previous model {}{}\n  new model      {}\n  written to {}",
                self.round,
                k,
                shape.slots,
                prove_secs,
                par.jobs,
                par.threads,
                r.model_commitment,
                if prepared.genesis { " (genesis)" } else { "" },
                r.new_model_commitment,
                self.out.display()
            );
        }
        Ok(())
    }
}
