//! Per-chunk prove time against the irreducible part (H-query MSM + QAP FFTs) of the same
//! domain, measured alternately in the same run on the same number of threads.

use ark_bn254::{Bn254, Fr};
use ark_ff::UniformRand;
use ark_groth16::{Groth16, Proof, ProvingKey};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::Serialize;
use zkfl_benches::{
    fixtures, irreducible,
    timing::{median_secs, timed},
};
use zkfl_circuits::{circuit::cost, ChunkWitness, Shape};
use zkfl_msm::{Bases, Settings};
use zkfl_prover::{prove::ProvingContext, setup};
use zkfl_verifier::ProofItem;

use crate::{goal::Goal, plan::Plan};

/// Seed of every benchmark key: INSECURE keys, for measuring only.
pub const KEY_SEED: u64 = 0x7a6b_666c;

/// A shape with its (seeded) proving key.
pub struct Keyed {
    pub shape: Shape,
    pub pk: ProvingKey<Bn254>,
    pub vk_digest: String,
}

/// The irreducible part of one proof.
#[derive(Serialize)]
pub struct Irreducible {
    /// zkfl-msm's G1 MSM over the H query (domain − 1 points, random full-size scalars),
    /// median s.
    pub h_msm_s: f64,
    /// The 7 FFTs of R1CS-to-QAP, median s.
    pub qap_ffts_s: f64,
    /// Median of the per-repetition sums.
    pub total_s: f64,
}

/// One proved shape.
#[derive(Serialize)]
pub struct ProverRun {
    /// n.
    pub slots: usize,
    /// m.
    pub chunk: usize,
    /// Constraints.
    pub constraints: usize,
    /// FFT domain size.
    pub domain_size: usize,
    /// (constraints + inputs + 1) / domain.
    pub fill: f64,
    /// ≥ 90%.
    pub fill_goal: Goal,
    /// Groth16 setup, s (once).
    pub setup_s: f64,
    /// Building the proving context (R1CS matrices), s: once per process, not per chunk.
    pub context_s: f64,
    /// Threads inside the proof.
    pub threads: usize,
    /// Every repetition of one chunk proof, s.
    pub prove_samples_s: Vec<f64>,
    /// Median prove time of one chunk, s.
    pub prove_s: f64,
    /// Every repetition of the same proof with ark-groth16's own prover (ark-ec MSMs), s.
    pub prove_arkworks_samples_s: Vec<f64>,
    /// Median of those, s.
    pub prove_arkworks_s: f64,
    /// prove_arkworks / prove.
    pub speedup: f64,
    /// ≥ 1.4.
    pub speedup_goal: Goal,
    /// Constraints per second.
    pub constraints_per_s: f64,
    /// n·m client parameters per second.
    pub client_params_per_s: f64,
    /// Measured alongside.
    pub irreducible: Irreducible,
    /// prove / irreducible.
    pub ratio: f64,
    /// ≤ 1.5.
    pub ratio_goal: Goal,
}

/// The chunk size that fills a domain (closed form, not proven).
#[derive(Serialize)]
pub struct AutoChunk {
    /// log2 of the domain.
    pub log_domain: u32,
    /// Largest m that fits.
    pub chunk: usize,
    /// Constraints at that m.
    pub constraints: usize,
    /// Fill at that m.
    pub fill: f64,
}

/// Prover section.
#[derive(Serialize)]
pub struct ProverSection {
    /// The shape.
    pub main: ProverRun,
    /// The chunk size that fills the main shape's domain, proven the same way.
    pub auto_tuned: Option<ProverRun>,
    /// Auto-tuned chunk sizes for several domains.
    pub auto_chunks: Vec<AutoChunk>,
}

/// Seeded setup of `shape`.
pub fn keyed(shape: Shape) -> anyhow::Result<(Keyed, f64)> {
    eprintln!("[prover] setup n = {}, m = {}", shape.slots, shape.chunk);
    let (out, t) = timed(|| setup::setup(shape, Some(KEY_SEED)));
    let (pk, params) = out?;
    anyhow::ensure!(
        pk.h_query.len() + 1 == cost::domain_size(&shape),
        "proving key's domain {} differs from the closed form {}",
        pk.h_query.len() + 1,
        cost::domain_size(&shape)
    );
    let keyed = Keyed {
        shape,
        pk,
        vk_digest: params.vk_digest,
    };
    Ok((keyed, t.as_secs_f64()))
}

/// One chunk proof the way the prover did before zkfl-msm: the same witness-only synthesis
/// and matrices, then ark-groth16's `create_proof_with_reduction_and_matrices`.
fn prove_arkworks(
    ctx: &ProvingContext<'_>,
    pk: &ProvingKey<Bn254>,
    witness: ChunkWitness,
    rng: &mut ChaCha20Rng,
) -> anyhow::Result<Proof<Bn254>> {
    let full = ctx.assignment(witness)?;
    let (r, s) = (Fr::rand(rng), Fr::rand(rng));
    Ok(Groth16::<Bn254>::create_proof_with_reduction_and_matrices(
        pk,
        r,
        s,
        ctx.matrices(),
        ctx.num_inputs(),
        ctx.num_constraints(),
        &full,
    )?)
}

fn run(plan: &Plan, shape: Shape, threads: usize) -> anyhow::Result<(ProverRun, Keyed)> {
    let (keyed, setup_s) = keyed(shape)?;
    let round = fixtures::random_round(shape, shape.chunk, 1)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    // The matrices are built once per process (`zkfl prove` does the same); the per-chunk
    // figure is the steady state that a round of K chunks pays K times.
    let (ctx, context_t) = timed(|| ProvingContext::new(&keyed.pk, shape));
    let ctx = ctx?;
    let h_bases = Bases::new(&keyed.pk.h_query, Settings::default());
    let (mut proves, mut msms, mut ffts, mut sums) = (vec![], vec![], vec![], vec![]);
    let mut arkworks = vec![];
    for rep in 0..plan.reps {
        eprintln!(
            "[prover] n = {}, m = {}: repetition {}/{}",
            shape.slots,
            shape.chunk,
            rep + 1,
            plan.reps
        );
        let (proof, t) = timed(|| pool.install(|| ctx.prove(round.witness(0), &mut rng)));
        let proof = proof?;
        ctx.check(vec![ProofItem {
            proof,
            inputs: round.public(0).to_vec(),
        }])?;
        proves.push(t);
        let (proof, t) =
            timed(|| pool.install(|| prove_arkworks(&ctx, &keyed.pk, round.witness(0), &mut rng)));
        ctx.check(vec![ProofItem {
            proof: proof?,
            inputs: round.public(0).to_vec(),
        }])?;
        arkworks.push(t);
        let (msm, fft) = pool.install(|| {
            (
                irreducible::g1_msm_ours(&h_bases, &mut rng),
                irreducible::qap_ffts(cost::domain_size(&shape), &mut rng),
            )
        });
        msms.push(msm);
        ffts.push(fft);
        sums.push(msm + fft);
    }
    let constraints = cost::num_constraints(&shape);
    let domain_size = cost::domain_size(&shape);
    let fill = (constraints + shape.num_public_inputs() + 1) as f64 / domain_size as f64;
    let prove_s = median_secs(&proves);
    let irreducible = Irreducible {
        h_msm_s: median_secs(&msms),
        qap_ffts_s: median_secs(&ffts),
        total_s: median_secs(&sums),
    };
    let ratio = prove_s / irreducible.total_s;
    let prove_arkworks_s = median_secs(&arkworks);
    let speedup = prove_arkworks_s / prove_s;
    let run = ProverRun {
        slots: shape.slots,
        chunk: shape.chunk,
        constraints,
        domain_size,
        fill,
        fill_goal: Goal::at_least(fill, 0.9, "≥ 90%"),
        setup_s,
        context_s: context_t.as_secs_f64(),
        threads,
        prove_samples_s: proves.iter().map(|d| d.as_secs_f64()).collect(),
        prove_s,
        prove_arkworks_samples_s: arkworks.iter().map(|d| d.as_secs_f64()).collect(),
        prove_arkworks_s,
        speedup,
        speedup_goal: Goal::at_least(speedup, 1.4, "≥ 1.4×"),
        constraints_per_s: constraints as f64 / prove_s,
        client_params_per_s: (shape.slots * shape.chunk) as f64 / prove_s,
        irreducible,
        ratio,
        ratio_goal: Goal::at_most(ratio, 1.5, "≤ 1.5×"),
    };
    Ok((run, keyed))
}

/// Measures the main shape (whose key the later sections reuse) and, in a full run, the
/// chunk size that fills its domain.
pub fn measure(plan: &Plan, threads: usize) -> anyhow::Result<(ProverSection, Keyed)> {
    let shape = Shape::new(plan.slots, plan.chunk);
    let (main, keyed) = run(plan, shape, threads)?;
    let log_domain = main.domain_size.trailing_zeros();
    let auto_tuned = if plan.auto_tune {
        let m = cost::max_chunk_for_domain(&shape, log_domain)
            .ok_or_else(|| anyhow::anyhow!("no chunk size fits 2^{log_domain}"))?;
        Some(run(plan, Shape { chunk: m, ..shape }, threads)?.0)
    } else {
        None
    };
    let auto_chunks = plan
        .auto_domains
        .iter()
        .filter_map(|&log| {
            let chunk = cost::max_chunk_for_domain(&shape, log)?;
            let s = Shape { chunk, ..shape };
            let constraints = cost::num_constraints(&s);
            Some(AutoChunk {
                log_domain: log,
                chunk,
                constraints,
                fill: (constraints + s.num_public_inputs() + 1) as f64 / (1u64 << log) as f64,
            })
        })
        .collect();
    Ok((
        ProverSection {
            main,
            auto_tuned,
            auto_chunks,
        },
        keyed,
    ))
}
