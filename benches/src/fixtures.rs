//! Seeded random honest rounds: every slot filled, updates within B∞, B₂² generous.

use ark_bn254::Bn254;
use ark_ff::UniformRand;
use ark_groth16::Proof;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkfl_circuits::{
    bundle::RoundBundle,
    tensors::{Layout, TensorSpec},
    Bounds, ClientSlot, Fr, Round, RoundError, RoundInput, Shape,
};
use zkfl_prover::inputs::PreparedRound;

/// B∞ of the generated rounds, in fixed-point units.
pub const LINF: u64 = 1000;

/// A random honest round of `d` parameters with every one of `shape.slots` slots used.
///
/// # Errors
/// [`RoundError`] if the shape cannot hold such a round (e.g. d too large for B₂²).
pub fn random_round(shape: Shape, d: usize, seed: u64) -> Result<Round, RoundError> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let k = shape.num_chunks(d);
    let salts = |rng: &mut ChaCha20Rng| (0..k).map(|_| Fr::rand(rng)).collect::<Vec<_>>();
    let model = (0..d)
        .map(|_| rng.gen_range(-(1i64 << 20)..(1i64 << 20)))
        .collect();
    let slots = (0..shape.slots)
        .map(|_| ClientSlot {
            weight: rng.gen_range(1..200),
            update: (0..d)
                .map(|_| rng.gen_range(-(LINF as i64)..=LINF as i64))
                .collect(),
            salts: salts(&mut rng),
        })
        .collect();
    Round::build(RoundInput {
        shape,
        model,
        model_salts: salts(&mut rng),
        slots,
        bounds: Bounds {
            linf: LINF,
            l2_sq: u128::from(LINF).pow(2) * d as u128,
        },
        new_model_salts: salts(&mut rng),
        acc_salts: (0..=k).map(|_| Fr::rand(&mut rng)).collect(),
    })
}

/// The bundle `zkfl prove` would write for `round` (one F32 tensor named `params`).
pub fn bundle(round: Round, vk_digest: &str, proofs: &[Proof<Bn254>]) -> RoundBundle {
    let d = round.input.model.len();
    let scale = (1u64 << round.shape().frac_bits) as f64;
    let linf_float = round.input.bounds.linf as f64 / scale;
    let l2_float = (round.input.bounds.l2_sq as f64).sqrt() / scale;
    let prepared = PreparedRound {
        round,
        layout: Layout {
            tensors: vec![TensorSpec {
                name: "params".into(),
                shape: vec![d],
                dtype: "F32".into(),
            }],
        },
        genesis: true,
        linf_float,
        l2_float,
    };
    zkfl_prover::output::bundle(&prepared, 1, vk_digest, proofs)
}
