//! The hidden `child` subcommands: work whose peak RSS is measured in a fresh process.
//!
//! The parent re-runs this binary; the child loads the proving key from a file as
//! `zkfl prove` does, resets the kernel's peak-RSS mark, does the work, and prints one JSON
//! object on stdout with the kernel's peak (`VmHWM`) before and after the reset.

use std::path::PathBuf;

use clap::Subcommand;
use serde::{Deserialize, Serialize};
use zkfl_benches::{fixtures, rss, timing::timed};
use zkfl_circuits::{circuit::cost, keys};
use zkfl_prover::prove::{prove_round, Parallelism};

/// Memory figures of one child, in bytes, from `/proc/self/status`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Rss {
    /// Peak while reading the proving key file (file bytes + decoded key).
    pub key_load_peak: Option<u64>,
    /// Resident after loading the key.
    pub after_key_load: Option<u64>,
    /// Peak of the work itself (key resident), measured after resetting the mark; `None`
    /// if the kernel cannot reset it.
    pub work_peak: Option<u64>,
    /// Peak of the whole child process.
    pub process_peak: Option<u64>,
}

/// One chunk proof.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ChunkOutcome {
    /// n.
    pub slots: usize,
    /// m.
    pub chunk: usize,
    /// Threads.
    pub threads: usize,
    /// Reading the proving key, s.
    pub key_load_s: f64,
    /// Proving, s.
    pub prove_s: f64,
    /// Memory.
    pub rss: Rss,
}

/// A whole round.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RoundOutcome {
    /// j of the fixed-L∞ variant, `None` for the per-round one.
    pub linf_bits: Option<u32>,
    /// n (every slot used).
    pub slots: usize,
    /// m.
    pub chunk: usize,
    /// Parameters d.
    pub params: usize,
    /// Proofs K.
    pub proofs: usize,
    /// K × constraints per chunk.
    pub total_constraints: usize,
    /// Chunks proven at once.
    pub jobs: usize,
    /// Total threads.
    pub threads: usize,
    /// Reading the proving key, s.
    pub key_load_s: f64,
    /// Native round: aggregation, commitments, accumulators, s.
    pub build_s: f64,
    /// Proving every chunk, s.
    pub prove_s: f64,
    /// Bundle assembly and JSON serialisation, s.
    pub bundle_s: f64,
    /// build + prove + bundle (the key load excluded), s.
    pub wall_s: f64,
    /// `round.json` size in bytes (pretty JSON as `zkfl prove` writes it).
    pub bundle_bytes: usize,
    /// zkfl-verifier's `verify_round` on the bundle, s (accepting).
    pub verify_s: f64,
    /// Constraints per second over the proving time.
    pub constraints_per_s: f64,
    /// n·d client parameters per second over the wall time.
    pub client_params_per_s: f64,
    /// Memory.
    pub rss: Rss,
}

#[derive(Subcommand)]
pub enum ChildCmd {
    /// Prove one chunk with the key at --pk (internal).
    #[command(hide = true, name = "child-chunk")]
    Chunk {
        #[arg(long)]
        pk: PathBuf,
    },
    /// Prove a round of --params parameters with the key at --pk (internal).
    #[command(hide = true, name = "child-round")]
    Round {
        #[arg(long)]
        pk: PathBuf,
        #[arg(long)]
        params: usize,
    },
}

fn load(
    path: &std::path::Path,
) -> anyhow::Result<(
    keys::KeyHeader,
    ark_groth16::ProvingKey<zkfl_circuits::Bn254>,
    f64,
    Rss,
)> {
    let (loaded, t) = timed(|| keys::read_pk(path));
    let (header, pk) = loaded?;
    let rss = Rss {
        key_load_peak: rss::peak_bytes(),
        after_key_load: rss::current_bytes(),
        ..Rss::default()
    };
    Ok((header, pk, t.as_secs_f64(), rss))
}

fn finish(mut r: Rss, reset: bool) -> Rss {
    let now = rss::peak_bytes();
    r.work_peak = if reset { now } else { None };
    r.process_peak = match (r.key_load_peak, now) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    r
}

impl ChildCmd {
    pub fn run(self) -> anyhow::Result<()> {
        let json = match self {
            ChildCmd::Chunk { pk } => {
                let (header, pk, key_load_s, rss) = load(&pk)?;
                let shape = header.shape;
                let round = fixtures::random_round(shape, shape.chunk, 5)?;
                let reset = rss::reset_peak();
                let par = Parallelism::new(Some(1), None, 1);
                let (proofs, t) = timed(|| prove_round(&pk, &round, par, &|_| {}));
                proofs?;
                serde_json::to_string(&ChunkOutcome {
                    slots: shape.slots,
                    chunk: shape.chunk,
                    threads: par.threads,
                    key_load_s,
                    prove_s: t.as_secs_f64(),
                    rss: finish(rss, reset),
                })?
            }
            ChildCmd::Round { pk, params } => {
                let (header, pk, key_load_s, rss) = load(&pk)?;
                let shape = header.shape;
                let reset = rss::reset_peak();
                let (round, build) = timed(|| fixtures::random_round(shape, params, 6));
                let round = round?;
                let k = round.num_chunks();
                let par = Parallelism::new(None, None, k);
                let (proofs, prove) = timed(|| {
                    prove_round(&pk, &round, par, &|c| eprintln!("[round] chunk {c} proven"))
                });
                let proofs = proofs?;
                let ((bundle, text), bundle_t) = timed(|| {
                    let b = fixtures::bundle(round, &header.vk_digest, &proofs);
                    let text = serde_json::to_string_pretty(&b);
                    (b, text)
                });
                let text = text?;
                let vk_header = keys::KeyHeader {
                    kind: "verifying".into(),
                    ..header
                };
                let (verdict, verify) =
                    timed(|| zkfl_verifier::verify_round(&pk.vk, &vk_header, &bundle));
                verdict?;
                let total_constraints = k * cost::num_constraints(&shape);
                let wall = build + prove + bundle_t;
                serde_json::to_string(&RoundOutcome {
                    linf_bits: shape.linf_bits,
                    slots: shape.slots,
                    chunk: shape.chunk,
                    params,
                    proofs: proofs.len(),
                    total_constraints,
                    jobs: par.jobs,
                    threads: par.threads,
                    key_load_s,
                    build_s: build.as_secs_f64(),
                    prove_s: prove.as_secs_f64(),
                    bundle_s: bundle_t.as_secs_f64(),
                    wall_s: wall.as_secs_f64(),
                    bundle_bytes: text.len(),
                    verify_s: verify.as_secs_f64(),
                    constraints_per_s: total_constraints as f64 / prove.as_secs_f64(),
                    client_params_per_s: (shape.slots * params) as f64 / wall.as_secs_f64(),
                    rss: finish(rss, reset),
                })?
            }
        };
        println!("{json}");
        Ok(())
    }
}
