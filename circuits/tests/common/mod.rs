//! Shared helpers: seeded random rounds of any shape.
#![allow(dead_code)]

use ark_ff::UniformRand;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkfl_circuits::{Bounds, ClientSlot, Fr, Round, RoundInput, Shape};

/// A seeded RNG.
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// How to fill a random round.
#[derive(Clone, Copy)]
pub struct Spec {
    pub shape: Shape,
    pub d: usize,
    /// Slots (from the end) left empty.
    pub empty: usize,
    pub linf: u64,
    pub seed: u64,
}

impl Spec {
    pub fn new(shape: Shape, d: usize) -> Self {
        Self {
            shape,
            d,
            empty: 0,
            linf: 1000,
            seed: 7,
        }
    }
}

/// A random honest round input: updates within B∞, B₂² generous.
pub fn random_input(spec: Spec) -> RoundInput {
    let Spec {
        shape,
        d,
        empty,
        linf,
        seed,
    } = spec;
    let mut rng = rng(seed);
    let k = shape.num_chunks(d);
    let salts = |rng: &mut ChaCha20Rng| (0..k).map(|_| Fr::rand(rng)).collect::<Vec<_>>();
    let model = (0..d)
        .map(|_| rng.gen_range(-(1i64 << 20)..(1i64 << 20)))
        .collect();
    let slots = (0..shape.slots)
        .map(|i| {
            if i >= shape.slots - empty {
                ClientSlot::empty(&shape, d)
            } else {
                ClientSlot {
                    weight: rng.gen_range(1..200),
                    update: (0..d)
                        .map(|_| rng.gen_range(-(linf as i64)..=linf as i64))
                        .collect(),
                    salts: salts(&mut rng),
                }
            }
        })
        .collect();
    RoundInput {
        shape,
        model,
        model_salts: salts(&mut rng),
        slots,
        bounds: Bounds {
            linf,
            l2_sq: (linf as u128).pow(2) * d as u128,
        },
        new_model_salts: salts(&mut rng),
        acc_salts: (0..=k).map(|_| Fr::rand(&mut rng)).collect(),
    }
}

pub fn random_round(spec: Spec) -> Round {
    Round::build(random_input(spec)).expect("honest round")
}
