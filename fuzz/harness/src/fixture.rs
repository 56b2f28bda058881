//! The valid inputs every structure-aware target starts from: a key from a fixed seed
//! (INSECURE, fuzzing only) and a real two-round history proven with it, built once per
//! process and identical in every process, so that a corpus file replays the same way in
//! the fuzzer and in CI.

use std::sync::OnceLock;

use ark_bn254::Bn254;
use ark_groth16::{Groth16, ProvingKey, VerifyingKey};
use ark_snark::{CircuitSpecificSetupSNARK, SNARK};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkfl_circuits::{
    bundle::RoundBundle,
    keys::{self, KeyHeader},
    testing::RandomRound,
    ChunkCircuit, Round, Shape,
};

/// n = 2 slots, m = 4 parameters per chunk: l = 11 public inputs.
pub fn shape() -> Shape {
    Shape::new(2, 4)
}

/// d = 10: K = 3 chunks, the last one padded.
pub const D: usize = 10;

/// Everything the targets verify against.
pub struct Fixture {
    /// The proving key (only its verifying key is used after setup).
    pub pk: ProvingKey<Bn254>,
    /// The verifying key.
    pub vk: VerifyingKey<Bn254>,
    /// Its header.
    pub header: KeyHeader,
    /// Rounds 1 and 2: round 2 starts from round 1's new model and leaves slot 1 empty.
    pub rounds: Vec<Round>,
    /// Their bundles.
    pub bundles: Vec<RoundBundle>,
}

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn prove(pk: &ProvingKey<Bn254>, digest: &str, round: &Round, t: u64) -> RoundBundle {
    let shape = *round.shape();
    let mut rng = rng(1000 + t);
    let proofs: Vec<_> = (0..round.num_chunks())
        .map(|c| {
            let circuit = ChunkCircuit {
                shape,
                witness: round.witness(c),
            };
            Groth16::<Bn254>::prove(pk, circuit, &mut rng).expect("prove")
        })
        .collect();
    let floats = round.input.bounds.to_floats(&shape).expect("square B₂²");
    RoundBundle::from_round(round, t, t == 1, digest, floats, &proofs)
}

fn build() -> Fixture {
    let shape = shape();
    let (pk, vk) = Groth16::<Bn254>::setup(ChunkCircuit::blank(shape), &mut rng(42))
        .expect("setup of the fuzzing key");
    let header = KeyHeader {
        kind: "verifying".into(),
        shape,
        insecure_seed: Some(42),
        vk_digest: keys::vk_digest_hex(&vk),
        reduction: keys::Reduction::Libsnark,
        provenance: None,
    };
    let first = RandomRound::new(shape, D).build().expect("honest round 1");
    let second = RandomRound {
        seed: 8,
        empty: vec![1],
        ..RandomRound::new(shape, D)
    }
    .input_from(first.new_model.clone(), first.input.new_model_salts.clone());
    let second = Round::build(second).expect("honest round 2");
    let bundles = vec![
        prove(&pk, &header.vk_digest, &first, 1),
        prove(&pk, &header.vk_digest, &second, 2),
    ];
    Fixture {
        pk,
        vk,
        header,
        rounds: vec![first, second],
        bundles,
    }
}

/// The fixture, built on first use (a few seconds: one setup, six chunk proofs).
pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(build)
}
