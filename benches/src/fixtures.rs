//! Seeded random honest rounds: every slot filled, updates within B∞, B₂² generous.

use ark_bn254::Bn254;
use ark_groth16::Proof;
use zkfl_circuits::{bundle::RoundBundle, testing::RandomRound, Round, RoundError, Shape};

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

/// The bundle `zkfl prove` would write for `round`.
///
/// # Panics
/// If B₂² is not a perfect square (every [`RandomRound`] has one).
pub fn bundle(round: Round, vk_digest: &str, proofs: &[Proof<Bn254>]) -> RoundBundle {
    let floats = round
        .input
        .bounds
        .to_floats(round.shape())
        .expect("B₂² of a random round is a perfect square");
    RoundBundle::from_round(&round, 1, true, vk_digest, floats, proofs)
}
