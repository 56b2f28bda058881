//! zkfl-msm equals ark-ec's `VariableBaseMSM::msm` as group elements.
//!
//! Scalars are drawn from the shapes a Groth16 witness and quotient take (0, ±1, small
//! signed integers, r − 1, full-size), bases include repeats, negations and the point at
//! infinity, and sizes include 0, 1 and 2^k ± 1. G1 and G2, GLV on and off, forced windows
//! and several thread counts. Takes about 20 s (opt-level 3).

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{AdditiveGroup, Field, UniformRand};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkfl_msm::{Bases, Curve, Error, Settings};

/// A scalar of the kind `kind` selects.
fn scalar(kind: u8, rng: &mut ChaCha20Rng) -> Fr {
    match kind % 8 {
        0 => Fr::ZERO,
        1 => Fr::ONE,
        2 => -Fr::ONE,
        3 => Fr::from(rng.gen::<u16>()),
        4 => -Fr::from(rng.gen::<u32>()),
        5 => Fr::from(rng.gen::<u64>()),
        6 => -Fr::ONE - Fr::ONE, // r − 2
        _ => Fr::rand(rng),
    }
}

/// `n` bases: fresh random points, with repeats, negations and infinity mixed in.
fn bases<A: AffineRepr>(n: usize, rng: &mut ChaCha20Rng) -> Vec<A>
where
    A::Group: UniformRand,
{
    let fresh: Vec<A> = A::Group::normalize_batch(
        &(0..n.min(64))
            .map(|_| A::Group::rand(rng))
            .collect::<Vec<_>>(),
    );
    (0..n)
        .map(|i| match rng.gen_range(0..10) {
            0 => A::zero(),
            1 => -fresh[i % fresh.len()],
            2 | 3 => fresh[rng.gen_range(0..fresh.len())],
            _ if i < fresh.len() => fresh[i],
            _ => A::Group::rand(rng).into_affine(),
        })
        .collect()
}

fn check<P: Curve>(points: &[ark_ec::short_weierstrass::Affine<P>], scalars: &[Fr]) {
    check_with(points, scalars, &settings());
}

/// Everything but precomputed tables (tested on their own: building them takes a while).
fn settings() -> [Settings; 5] {
    [
        Settings::default(),
        Settings {
            glv: false,
            ..Settings::default()
        },
        Settings {
            window: Some(5),
            ..Settings::default()
        },
        Settings {
            copy_bases: false,
            ..Settings::default()
        },
        Settings {
            glv: false,
            copy_bases: false,
            tables: false,
            window: None,
        },
    ]
}

fn check_with<P: Curve>(
    points: &[ark_ec::short_weierstrass::Affine<P>],
    scalars: &[Fr],
    settings: &[Settings],
) {
    let expected =
        ark_ec::short_weierstrass::Projective::<P>::msm(points, scalars).expect("equal lengths");
    for &settings in settings {
        let ours = Bases::new(points, settings)
            .msm(scalars)
            .expect("equal lengths");
        assert_eq!(ours, expected, "n = {}, {settings:?}", points.len());
    }
}

fn case(n: usize, kinds: &[u8], seed: u64) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let scalars: Vec<Fr> = (0..n)
        .map(|i| scalar(kinds[i % kinds.len()], &mut rng))
        .collect();
    check(&bases::<G1Affine>(n, &mut rng), &scalars);
    check(&bases::<G2Affine>(n, &mut rng), &scalars);
}

#[test]
fn sizes_zero_one_and_around_powers_of_two() {
    for n in [0, 1, 2, 3, 15, 17, 255, 257, 1023, 1025] {
        case(n, &[7, 7, 1, 0, 2, 3, 4, 5, 6], n as u64);
    }
}

#[test]
fn all_zero_scalars() {
    case(300, &[0], 1);
}

#[test]
fn r_minus_one_and_units_everywhere() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let points = bases::<G1Affine>(500, &mut rng);
    check(&points, &vec![-Fr::ONE; 500]);
    check(&points, &vec![Fr::ONE; 500]);
}

#[test]
fn one_base_repeated() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let p = G1Projective::rand(&mut rng).into_affine();
    let scalars: Vec<Fr> = (0..700).map(|i| scalar(i as u8, &mut rng)).collect();
    check(&vec![p; 700], &scalars);
    let q = G2Projective::rand(&mut rng).into_affine();
    check(&vec![q; 700], &scalars);
}

#[test]
fn buckets_larger_than_a_block() {
    // Two thirds of the scalars are ±1, which share one bucket per thread's part: 40,000
    // units in G1 and 20,000 in G2, so with up to two parts each part's bucket is longer
    // than a block (1 MiB: 16,384 G1 or 8,192 G2 points) and is cut across blocks.
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let points = bases::<G1Affine>(60_000, &mut rng);
    let scalars: Vec<Fr> = (0..60_000)
        .map(|i| scalar([1, 2, 7][i % 3], &mut rng))
        .collect();
    check(&points, &scalars);
    let points = bases::<G2Affine>(30_000, &mut rng);
    check(&points, &scalars[..30_000]);
}

#[test]
fn any_thread_count() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let points = bases::<G1Affine>(2049, &mut rng);
    let scalars: Vec<Fr> = (0..2049)
        .map(|i| scalar(i as u8 % 3 + 5, &mut rng))
        .collect();
    for threads in [1, 3, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| check(&points, &scalars));
    }
}

#[test]
fn precomputed_tables() {
    let tables = [
        Settings {
            tables: true,
            ..Settings::default()
        },
        Settings {
            glv: false,
            tables: true,
            window: Some(9),
            ..Settings::default()
        },
    ];
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    for n in [0, 1, 257] {
        let scalars: Vec<Fr> = (0..n).map(|i| scalar(i as u8, &mut rng)).collect();
        check_with(&bases::<G1Affine>(n, &mut rng), &scalars, &tables);
        check_with(&bases::<G2Affine>(n, &mut rng), &scalars, &tables);
    }
}

#[test]
fn length_mismatch_is_an_error() {
    let points = vec![G1Affine::generator(); 3];
    assert_eq!(
        zkfl_msm::msm(&points, &[Fr::ONE; 2]),
        Err(Error::LengthMismatch {
            bases: 3,
            scalars: 2
        })
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn equals_arkworks(n in 0usize..400, kinds in proptest::collection::vec(0u8..8, 1..6), seed: u64) {
        case(n, &kinds, seed);
    }
}
