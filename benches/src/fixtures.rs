//! Seeded random honest rounds: every slot filled, updates within B∞, B₂² generous.

use ark_bn254::Bn254;
use ark_groth16::Proof;
use zkfl_circuits::{
    bundle::RoundBundle,
    tensors::{Layout, TensorSpec},
    testing::RandomRound,
    Round, RoundError, Shape,
};
use zkfl_prover::inputs::PreparedRound;

/// A random honest round of `d` parameters with every one of `shape.slots` slots used
/// (B∞ = 1000 units, weights in 1..200; see [`RandomRound`]).
///
/// # Errors
/// [`RoundError`] if the shape cannot hold such a round (e.g. d too large for B₂²).
pub fn random_round(shape: Shape, d: usize, seed: u64) -> Result<Round, RoundError> {
    RandomRound {
        seed,
        ..RandomRound::new(shape, d)
    }
    .build()
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
            tensors: vec![TensorSpec::f32("params", &[d])],
        },
        genesis: true,
        linf_float,
        l2_float,
    };
    zkfl_prover::output::bundle(&prepared, 1, vk_digest, proofs)
}
