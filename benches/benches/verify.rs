//! Criterion: one batched check of 64 honest proofs against 64 single checks.
//!
//! `cargo bench -p zkfl-benches --bench verify`. The shape has n = 8 slots (l = 23 public
//! inputs, as in the report) and tiny chunks: verification cost depends on l, not on m.

use criterion::{criterion_group, criterion_main, Criterion};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkfl_benches::fixtures;
use zkfl_circuits::Shape;
use zkfl_prover::{
    prove::{proof_items, prove_round, Parallelism},
    setup,
};
use zkfl_verifier::{verify_batch, verify_single, PreparedKey, ProofItem};

const PROOFS: usize = 64;
const DISTINCT: usize = 4;

fn items() -> (PreparedKey, Vec<ProofItem>) {
    let shape = Shape::new(8, 16);
    let (pk, _) = setup::setup(shape, Some(1)).expect("setup");
    let round = fixtures::random_round(shape, DISTINCT * shape.chunk, 2).expect("honest round");
    let par = Parallelism::new(None, None, DISTINCT);
    let proofs = prove_round(&pk, &round, par, &|_| {}).expect("prove");
    let distinct = proof_items(&round, &proofs);
    let items = distinct.iter().cycle().take(PROOFS).cloned().collect();
    (PreparedKey::new(&pk.vk), items)
}

fn bench(c: &mut Criterion) {
    let (key, items) = items();
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let mut g = c.benchmark_group("verify_64");
    g.sample_size(20);
    g.bench_function("batch", |b| {
        b.iter(|| assert!(verify_batch(&key, &items, &mut rng).expect("lengths")))
    });
    g.bench_function("singles", |b| {
        b.iter(|| {
            for it in &items {
                assert!(verify_single(&key, &it.proof, &it.inputs).expect("lengths"));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
