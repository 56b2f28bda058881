//! ark-ec's MSM against zkfl-msm on the same bases and scalars, alternating repetitions.

use std::time::Duration;

use ark_bn254::Fr;
use ark_ec::{
    short_weierstrass::{Affine, Projective},
    CurveGroup, VariableBaseMSM,
};
use ark_ff::UniformRand;
use rand::Rng;
use serde::Serialize;
use zkfl_msm::{Bases, Curve, Settings};

use crate::timing::{median_secs, min_secs, timed};

/// One side-by-side MSM measurement (the `msm` binary's JSON line).
#[derive(Clone, Debug, Serialize)]
pub struct MsmComparison {
    /// log2 of the number of bases, rounded up (19 for the 2^19 − 1 points of an H query).
    pub log_size: u32,
    /// Threads of the pool both ran in.
    pub threads: usize,
    /// Median wall time of `VariableBaseMSM::msm`, ms.
    pub arkworks_ms: f64,
    /// Median wall time of `zkfl_msm::Bases::msm` (bases prepared beforehand), ms.
    pub ours_ms: f64,
    /// arkworks_ms / ours_ms.
    pub speedup: f64,
    /// Fastest repetition of ark-ec, ms: on a VM whose neighbours come and go, the minimum
    /// moves less than the median, so A/B comparisons of zkfl-msm builds use it.
    pub arkworks_min_ms: f64,
    /// Fastest repetition of zkfl-msm, ms.
    pub ours_min_ms: f64,
}

/// `n` distinct pseudo-random points: a random start plus multiples of a random step (one
/// addition each instead of a scalar multiplication each).
pub fn random_bases<P: Curve>(n: usize, rng: &mut impl Rng) -> Vec<Affine<P>> {
    let step = Projective::<P>::rand(rng);
    let mut acc = Projective::<P>::rand(rng);
    let points: Vec<Projective<P>> = (0..n)
        .map(|_| {
            acc += step;
            acc
        })
        .collect();
    Projective::normalize_batch(&points)
}

/// Times ark-ec and zkfl-msm `reps` times each, alternating, on `bases` with fresh uniformly
/// random scalars per repetition; checks that both agree every time.
///
/// # Panics
/// If the two MSMs disagree (a bug in zkfl-msm).
pub fn compare<P: Curve>(
    bases: &[Affine<P>],
    settings: Settings,
    reps: usize,
    rng: &mut impl Rng,
) -> MsmComparison {
    compare_on(bases, settings, reps, || {
        (0..bases.len()).map(|_| Fr::rand(rng)).collect()
    })
}

/// [`compare`] with the scalars of each repetition from `scalars`.
///
/// # Panics
/// If the two MSMs disagree (a bug in zkfl-msm).
pub fn compare_on<P: Curve>(
    bases: &[Affine<P>],
    settings: Settings,
    reps: usize,
    mut scalars: impl FnMut() -> Vec<Fr>,
) -> MsmComparison {
    let prepared = Bases::new(bases, settings);
    let (mut ark, mut ours) = (Vec::<Duration>::new(), Vec::<Duration>::new());
    for _ in 0..reps.max(1) {
        let scalars = scalars();
        let (expected, t) = timed(|| Projective::<P>::msm(bases, &scalars));
        ark.push(t);
        let (got, t) = timed(|| prepared.msm(&scalars));
        ours.push(t);
        assert_eq!(got.ok(), expected.ok(), "zkfl-msm disagrees with ark-ec");
    }
    let (arkworks_ms, ours_ms) = (median_secs(&ark) * 1e3, median_secs(&ours) * 1e3);
    MsmComparison {
        log_size: bases.len().next_power_of_two().trailing_zeros(),
        threads: rayon::current_num_threads(),
        arkworks_ms,
        ours_ms,
        speedup: arkworks_ms / ours_ms,
        arkworks_min_ms: min_secs(&ark) * 1e3,
        ours_min_ms: min_secs(&ours) * 1e3,
    }
}
