use std::{path::PathBuf, time::Instant};

use anyhow::{bail, Context};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use zkfl_circuits::keys::{read_pk, read_vk};
use zkfl_prover::{
    inputs::{self, ClientArgs},
    output, plan,
    prove::{prove_round_with, Parallelism},
    setup::KeyPaths,
    signed,
};
use zkfl_task::Task;

use super::shard::ShardArgs;

/// Aggregate a round with FedAvg and prove it.
///
/// A round too large for one machine is sharded: `--prepare --out plan/` computes the
/// round once, `--plan plan/ --shard i/N` (e.g. one Slurm array task each) proves a part,
/// and `zkfl assemble plan/ --out round-T/` checks the parts and writes the round.
#[derive(Args)]
pub struct ProveCmd {
    /// Key directory from `zkfl setup`.
    #[arg(long, default_value = "keys")]
    keys: PathBuf,
    /// Round index t (this round turns M_t into M_{t+1}); the first round is 1.
    #[arg(long, required_unless_present = "plan")]
    round: Option<u64>,
    /// The current global model M_t (safetensors).
    #[arg(long, required_unless_present = "plan")]
    model: Option<PathBuf>,
    /// The previous round's `model.opening.json`; omit for the genesis model (committed afresh).
    #[arg(long, conflicts_with = "genesis_opening")]
    model_opening: Option<PathBuf>,
    /// The genesis model's opening from `zkfl commit --model`: the first round opens the
    /// genesis commitment its clients signed instead of committing the model afresh.
    #[arg(long)]
    genesis_opening: Option<PathBuf>,
    /// A client update (safetensors); repeat once per client.
    #[arg(long = "update", required_unless_present = "plan")]
    updates: Vec<PathBuf>,
    /// The client's opening from `zkfl commit`; one per --update, same order.
    #[arg(long = "opening", required_unless_present = "plan")]
    openings: Vec<PathBuf>,
    /// The client's FedAvg weight (e.g. its sample count); one per --update, same order.
    /// Signed rounds take each weight from its record (a --weight, if given, must agree).
    #[arg(long = "weight")]
    weights: Vec<u64>,
    /// The client's signed record from `zkfl commit --task` (`X.signed.json`); one per
    /// --update, same order. The slots are then ordered by signer address, and the bundle
    /// is a signed `zkfl-round/2`.
    #[arg(long = "signed", requires = "task")]
    signed: Vec<PathBuf>,
    /// The task (task.json) the records are signed under; needs --roster and --signed.
    #[arg(long, requires_all = ["roster", "signed"])]
    task: Option<PathBuf>,
    /// The task's roster (roster.json).
    #[arg(long, requires = "task")]
    roster: Option<PathBuf>,
    /// L∞ bound on every update coordinate (float; rounded down to fixed point). Keys made
    /// with `zkfl setup --linf-bits j` fix it: pass 2^j / 2^f (setup prints the value).
    #[arg(long, required_unless_present = "plan")]
    linf: Option<f64>,
    /// L2 bound on every update (float; rounded down to fixed point).
    #[arg(long, required_unless_present = "plan")]
    l2: Option<f64>,
    /// Output directory (must not exist; written atomically): the round, or with --prepare
    /// the plan.
    #[arg(long, required_unless_present = "plan")]
    out: Option<PathBuf>,
    /// Compute the round and write a plan for sharded proving instead of proving: the
    /// statement (public inputs, commitments), the private witness data, and an empty
    /// `chunks/` for `--plan`'s tasks to fill. Needs only keys/vk.bin.
    #[arg(long, conflicts_with = "plan")]
    prepare: bool,
    #[command(flatten)]
    shard: ShardArgs,
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
        if self.shard.plan.is_some() {
            return self.shard.run(&self.keys, self.jobs, self.json);
        }
        // clap requires these without --plan.
        let (Some(round), Some(model), Some(linf), Some(l2), Some(out)) = (
            self.round,
            self.model.clone(),
            self.linf,
            self.l2,
            self.out.clone(),
        ) else {
            bail!("--round, --model, --linf, --l2 and --out are required (or --plan)");
        };
        let signing = self.task.is_some();
        let weights_ok =
            self.weights.len() == self.updates.len() || (signing && self.weights.is_empty());
        if self.updates.len() != self.openings.len()
            || !weights_ok
            || (signing && self.signed.len() != self.updates.len())
        {
            bail!(
                "give one --opening, one --weight (unless signed) and, for a signed round, one --signed per --update ({} updates, {} openings, {} weights, {} signed records)",
                self.updates.len(),
                self.openings.len(),
                self.weights.len(),
                self.signed.len()
            );
        }
        output::check_new_output(&out)?;
        let model_opening = self
            .model_opening
            .as_deref()
            .or(self.genesis_opening.as_deref());
        // Signed rounds: every record is checked before any work, and fixes its slot's
        // weight and position.
        let (signed, clients): (_, Vec<ClientArgs>) = match (&self.task, &self.roster) {
            (Some(task_path), Some(roster_path)) => {
                let task = Task::read(task_path)?;
                let roster = task.read_roster(roster_path)?;
                let Some(opening) = model_opening else {
                    bail!(
                        "a signed round needs the previous model's commitment fixed before its clients sign: pass --genesis-opening (from `zkfl commit --model`) for round 1, or --model-opening"
                    );
                };
                let prev = signed::opening_commitment(opening)?;
                let clients = signed::signed_clients(
                    &task,
                    &roster,
                    round,
                    &prev,
                    &self.updates,
                    &self.openings,
                    &self.signed,
                    &self.weights,
                )?;
                let args = clients.iter().map(|c| c.args.clone()).collect();
                (Some((task, roster, clients)), args)
            }
            _ => {
                eprintln!("unsigned round (zkfl-round/1): for local runs; a signed registry refuses it (pass --task, --roster and --signed)");
                let args = self
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
                (None, args)
            }
        };
        let paths = KeyPaths::in_dir(&self.keys);
        let started = Instant::now();
        // A plan needs the key's shape and digest, not the (large) proving key.
        let (header, pk) = if self.prepare {
            (read_vk(&paths.vk)?.0, None)
        } else {
            let (header, pk) = read_pk(&paths.pk)?;
            (header, Some(pk))
        };
        if let Some(seed) = header.insecure_seed {
            eprintln!("WARNING: {} was generated from seed {seed}: proofs under it are forgeable (demo/test keys).", paths.pk.display());
        }
        let shape = header.shape;
        let mut prepared = inputs::prepare(
            &shape,
            &model,
            model_opening,
            &clients,
            linf,
            l2,
            self.clip,
            &mut inputs::salt_rng(),
        )?;
        // The genesis model was committed up front, so M_t is opened, but this is still the
        // genesis round (no proven round produced M_t).
        prepared.genesis |= self.genesis_opening.is_some();
        let bundle_clients = signed
            .as_ref()
            .map(|(task, roster, c)| {
                signed::bundle_clients(task, roster, round, &prepared.round, c)
            })
            .transpose()?;
        let k = prepared.round.num_chunks();
        let Some(pk) = pk else {
            let digest =
                plan::write_plan(&out, &prepared, round, &header.vk_digest, bundle_clients)
                    .with_context(|| format!("writing {}", out.display()))?;
            if self.json {
                let summary = serde_json::json!({
                    "round": round,
                    "plan": out,
                    "chunks": k,
                    "statement_digest": digest,
                    "new_model_commitment": prepared.round.new_model_commitment,
                });
                println!("{summary}");
            } else {
                println!(
                    "round {round} prepared: {k} chunks, statement {digest}\n  prove with: zkfl prove --plan {} --shard i/N   (or --chunks A..B)\n  then:       zkfl assemble {} --out round-{round}",
                    out.display(),
                    out.display()
                );
            }
            return Ok(());
        };
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
        let mut bundle = output::bundle(&prepared, round, &header.vk_digest, &proofs);
        if let Some(clients) = bundle_clients.clone() {
            bundle = bundle.signed(clients);
        }
        let widened = output::write_round(&out, &prepared, &bundle)
            .with_context(|| format!("writing {}", out.display()))?;
        for t in &widened {
            eprintln!(
                "note: tensor '{t}' is written as F64: some of its proven values need more than an f32's 24-bit significand"
            );
        }
        let r = &prepared.round;
        if self.json {
            let summary = serde_json::json!({
                "round": round,
                "out": out,
                "chunks": k,
                "params": r.input.model.len(),
                "clients": clients.len(),
                "genesis": prepared.genesis,
                "format": bundle.format,
                "signers": signed.as_ref().map(|(_, _, c)| c.iter().map(|c| c.record.slot.signer).collect::<Vec<_>>()),
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
                round,
                k,
                shape.slots,
                prove_secs,
                par.jobs,
                par.threads,
                r.model_commitment,
                if prepared.genesis { " (genesis)" } else { "" },
                r.new_model_commitment,
                out.display()
            );
        }
        Ok(())
    }
}
