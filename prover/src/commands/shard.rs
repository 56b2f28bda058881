//! `zkfl prove --plan plan/ --chunks A..B | --shard i/N | --shard auto`: one task of a
//! sharded round (docs/PROTOCOL.md §11).

use std::{
    path::{Path, PathBuf},
    sync::atomic::{AtomicUsize, Ordering},
    time::Instant,
};

use anyhow::{bail, Context};
use clap::Args;
use zkfl_circuits::keys::{read_pk, read_vk};
use zkfl_prover::{
    plan::{self, Selection},
    prove::{Parallelism, ProvingContext},
    setup::KeyPaths,
    Error,
};
use zkfl_verifier::{PreparedKey, ProofItem};

use super::Retryable;

/// The sharded-task flags of `zkfl prove`.
#[derive(Args)]
pub struct ShardArgs {
    /// Prove chunks of a plan from `zkfl prove --prepare` (with --chunks or --shard). Chunks
    /// that already have a valid proof file are skipped, so a resubmitted task resumes.
    /// Exit code 75 means a retryable failure (I/O); 1 a fatal one (plan, key, arguments).
    #[arg(
        long,
        conflicts_with_all = ["model", "updates", "openings", "weights", "signed", "task", "out", "round", "linf", "l2", "clip"]
    )]
    pub plan: Option<PathBuf>,
    /// Chunks to prove: A..B (B exclusive), A..=B, or one chunk A.
    #[arg(long, requires = "plan", conflicts_with = "shard")]
    chunks: Option<String>,
    /// This task's part: i/N (0-based, N contiguous parts), or `auto` from
    /// SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT (an array 0..N-1) or Kubernetes'
    /// JOB_COMPLETION_INDEX with ZKFL_SHARD_COUNT.
    #[arg(long, requires = "plan")]
    shard: Option<String>,
    /// Worker threads (default: SLURM_CPUS_PER_TASK, else the CPUs this process may use,
    /// cgroup quota included).
    #[arg(long, requires = "plan")]
    threads: Option<usize>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// I/O failures are worth a retry (a shared filesystem hiccup); everything else is fatal.
fn classify(e: Error) -> anyhow::Error {
    match e {
        Error::Io { .. } | Error::File(zkfl_circuits::files::FileError::Io { .. }) => {
            Retryable(e.into()).into()
        }
        e => e.into(),
    }
}

impl ShardArgs {
    pub fn run(self, keys: &Path, jobs: Option<usize>, json: bool) -> anyhow::Result<()> {
        let dir = self.plan.expect("run only with --plan");
        let selection = match (&self.chunks, &self.shard) {
            (Some(c), None) => Selection::parse_chunks(c)?,
            (None, Some(s)) => Selection::parse_shard(s, &env)?,
            _ => bail!("--plan needs --chunks A..B or --shard i/N (or --shard auto)"),
        };
        let started = Instant::now();
        let loaded = plan::read_plan(&dir).map_err(classify)?;
        let k = loaded.num_chunks();
        let range = selection.chunks(k)?;
        let paths = KeyPaths::in_dir(keys);
        let (vk_header, vk) = read_vk(&paths.vk).map_err(|e| classify(e.into()))?;
        let want = &loaded.plan.statement.bundle.vk_digest;
        if &vk_header.vk_digest != want {
            bail!(
                "{} has key digest {}, but the plan was prepared for {want}: pass the plan's --keys",
                paths.vk.display(),
                vk_header.vk_digest
            );
        }
        let key = PreparedKey::new(&vk);
        let todo: Vec<usize> = range
            .clone()
            .filter(|&c| !loaded.has_valid_chunk(&key, c))
            .collect();
        let skipped = range.len() - todo.len();
        eprintln!(
            "plan {} ({k} chunks): this task has chunks {}..{}; {} already proven, {} to prove",
            dir.display(),
            range.start,
            range.end,
            skipped,
            todo.len()
        );
        let threads = self.threads.unwrap_or_else(|| plan::default_threads(&env));
        let par = Parallelism::new(jobs, Some(threads), todo.len());
        let (mut key_secs, mut prove_secs) = (0.0, 0.0);
        if !todo.is_empty() {
            // One proving key load per task, whatever the number of chunks.
            let t = Instant::now();
            let (header, pk) = read_pk(&paths.pk).map_err(|e| classify(e.into()))?;
            if header.vk_digest != vk_header.vk_digest {
                bail!(
                    "{} and {} are not one key pair",
                    paths.pk.display(),
                    paths.vk.display()
                );
            }
            if let Some(seed) = header.insecure_seed {
                eprintln!("WARNING: {} was generated from seed {seed}: proofs under it are forgeable (demo/test keys).", paths.pk.display());
            }
            let ctx = ProvingContext::new(&pk, header.shape)?.with_reduction(header.reduction);
            key_secs = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let done = AtomicUsize::new(0);
            let round = &loaded.prepared.round;
            ctx.prove_chunks(round, &todo, par, &|c, proof| {
                // Verified before it is written: a file in chunks/ is always a valid proof.
                ctx.check(vec![ProofItem {
                    proof: proof.clone(),
                    inputs: round.public(c).to_vec(),
                }])
                .map_err(|_| Error::SelfCheck { chunk: Some(c) })?;
                loaded.write_chunk(c, &proof)?;
                let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                eprintln!(
                    "chunk {c} proven ({n}/{}, {:.1} s)",
                    todo.len(),
                    t.elapsed().as_secs_f64()
                );
                Ok(())
            })
            .map_err(classify)
            .with_context(|| format!("proving chunks of {}", dir.display()))?;
            prove_secs = t.elapsed().as_secs_f64();
        }
        if json {
            let summary = serde_json::json!({
                "plan": dir,
                "statement_digest": loaded.digest(),
                "chunks": [range.start, range.end],
                "proven": todo.len(),
                "skipped": skipped,
                "key_load_seconds": key_secs,
                "prove_seconds": prove_secs,
                "total_seconds": started.elapsed().as_secs_f64(),
                "jobs": par.jobs,
                "threads": par.threads,
            });
            println!("{summary}");
        } else {
            println!(
                "chunks {}..{} of {}: {} proven in {prove_secs:.1} s (key {key_secs:.1} s, {} jobs over {} threads), {} already there",
                range.start,
                range.end,
                dir.display(),
                todo.len(),
                par.jobs,
                par.threads,
                skipped
            );
        }
        Ok(())
    }
}
