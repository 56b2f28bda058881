//! Criterion: proving one chunk of a small shape (n = 2, m = 64) on all threads.
//!
//! `cargo bench -p zkfl-benches --bench prove`. The report binary measures the real shape
//! against its irreducible part; this bench catches regressions in seconds.

use criterion::{criterion_group, criterion_main, Criterion};
use zkfl_benches::fixtures;
use zkfl_circuits::Shape;
use zkfl_prover::{
    prove::{prove_round, Parallelism},
    setup,
};

fn bench(c: &mut Criterion) {
    let shape = Shape::new(2, 64);
    let (pk, _) = setup::setup(shape, Some(1)).expect("setup");
    let round = fixtures::random_round(shape, shape.chunk, 2).expect("honest round");
    let par = Parallelism::new(Some(1), None, 1);
    let mut g = c.benchmark_group("prove_chunk");
    g.sample_size(10);
    g.bench_function("n2_m64", |b| {
        b.iter(|| prove_round(&pk, &round, par, &|_| {}).expect("prove"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
