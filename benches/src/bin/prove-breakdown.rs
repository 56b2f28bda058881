//! `prove-breakdown`: where one steady-state chunk proof spends its time.
//!
//! `cargo run --release -p zkfl-benches --bin prove-breakdown -- --slots 8 --chunk 1024`
//!
//! Proves one chunk of a seeded random round the way `zkfl prove` does (matrices built once,
//! witness-only synthesis), then repeats each step of ark-groth16 0.6's prover on its own:
//! the R1CS-to-QAP witness map (the FFTs), and the five MSMs (H, L, A, B in G1, B in G2).
//! H and the FFTs are the irreducible part of the report; the other MSMs depend on how many
//! witness values are full-size field elements, which the scalar-size histogram shows
//! (arkworks' MSM takes 0/±1 and small scalars on a cheap path). Keys are seeded: insecure,
//! for measuring only.

use std::time::{Duration, Instant};

use ark_bn254::{Fr, G1Projective, G2Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_poly::GeneralEvaluationDomain;
use clap::Parser;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkfl_benches::{fixtures, timing::timed};
use zkfl_prover::{prove::ProvingContext, setup, ShapeArgs};

#[derive(Parser)]
#[command(about = "Split one steady-state zkfl chunk proof into synthesis, FFTs and MSMs")]
struct Args {
    #[command(flatten)]
    shape: ShapeArgs,
    /// Parameters per chunk (m).
    #[arg(long, default_value_t = 128)]
    chunk: usize,
    /// Repetitions; the median of each step is printed.
    #[arg(long, default_value_t = 3)]
    reps: usize,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// Bits of |x| where x is read as a signed value in (−r/2, r/2).
fn signed_bits(x: &<Fr as PrimeField>::BigInt) -> u32 {
    let mut neg = Fr::MODULUS;
    neg.sub_with_borrow(x);
    x.num_bits().min(neg.num_bits())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let shape = args.shape.shape(args.chunk);
    shape.validate()?;
    eprintln!("setup n = {}, m = {} (seeded)", shape.slots, shape.chunk);
    let (pk, _) = setup::setup(shape, Some(1))?;
    let round = fixtures::random_round(shape, shape.chunk, 1)?;
    let ctx = ProvingContext::new(&pk, shape)?;
    let (num_inputs, num_constraints) = (ctx.num_inputs(), ctx.num_constraints());
    let mut rng = ChaCha20Rng::seed_from_u64(2);

    let mut steps: [Vec<Duration>; 8] = Default::default();
    let mut histogram = [0usize; 6];
    for rep in 0..args.reps.max(1) {
        let (proof, t) = timed(|| ctx.prove(round.witness(0), &mut rng));
        proof?;
        steps[0].push(t);

        let (z, t) = timed(|| ctx.assignment(round.witness(0)));
        let z = z?;
        steps[1].push(t);

        let (h, t) = timed(|| {
            LibsnarkReduction::witness_map_from_matrices::<Fr, GeneralEvaluationDomain<Fr>>(
                ctx.matrices(),
                num_inputs,
                num_constraints,
                &z,
            )
        });
        let h = h?;
        steps[2].push(t);

        let h: Vec<_> = h.iter().map(|x| x.into_bigint()).collect();
        let all: Vec<_> = z[1..].iter().map(|x| x.into_bigint()).collect();
        let aux = &all[num_inputs - 1..];
        let time = |f: &dyn Fn()| {
            let start = Instant::now();
            f();
            start.elapsed()
        };
        steps[3].push(time(&|| {
            let _ = std::hint::black_box(G1Projective::msm_bigint(&pk.h_query, &h));
        }));
        steps[4].push(time(&|| {
            let _ = std::hint::black_box(G1Projective::msm_bigint(&pk.l_query, aux));
        }));
        steps[5].push(time(&|| {
            let _ = std::hint::black_box(G1Projective::msm_bigint(&pk.a_query[1..], &all));
        }));
        steps[6].push(time(&|| {
            let _ = std::hint::black_box(G1Projective::msm_bigint(&pk.b_g1_query[1..], &all));
        }));
        steps[7].push(time(&|| {
            let _ = std::hint::black_box(G2Projective::msm_bigint(&pk.b_g2_query[1..], &all));
        }));
        if rep == 0 {
            for x in &all {
                let slot = match signed_bits(x) {
                    0 => 0,
                    1 => 1,
                    2..=16 => 2,
                    17..=32 => 3,
                    33..=64 => 4,
                    _ => 5,
                };
                histogram[slot] += 1;
            }
        }
    }
    let [prove, synth, fft, h, l, a, b1, b2] = steps.map(median);
    let irreducible = fft + h;
    let rest = synth + l + a + b1 + b2;
    println!(
        "n = {}, m = {}: {} constraints, domain 2^{}, {} variables, {} thread(s), median of {}",
        shape.slots,
        shape.chunk,
        num_constraints,
        (pk.h_query.len() + 1).trailing_zeros(),
        histogram.iter().sum::<usize>(),
        rayon::current_num_threads(),
        args.reps.max(1)
    );
    println!(
        "scalars (signed size): zero {}, ±1 {}, ≤16 bits {}, ≤32 bits {}, ≤64 bits {}, full-size {}",
        histogram[0], histogram[1], histogram[2], histogram[3], histogram[4], histogram[5]
    );
    println!("| step | time |\n|---|---:|");
    for (what, t) in [
        ("ProvingContext::prove (whole proof)", prove),
        ("witness-only synthesis", synth),
        ("R1CS-to-QAP witness map (FFTs)", fft),
        ("H-query MSM (G1)", h),
        ("L-query MSM (G1)", l),
        ("A-query MSM (G1)", a),
        ("B-query MSM (G1)", b1),
        ("B-query MSM (G2)", b2),
    ] {
        println!("| {what} | {} |", ms(t));
    }
    println!(
        "irreducible (FFTs + H) {}, the rest {}: (irreducible + rest) / irreducible = {:.2}×; whole proof / irreducible = {:.2}×",
        ms(irreducible),
        ms(rest),
        (irreducible + rest).as_secs_f64() / irreducible.as_secs_f64(),
        prove.as_secs_f64() / irreducible.as_secs_f64()
    );
    Ok(())
}
