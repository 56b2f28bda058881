//! zkfl-msm against ark-ec's `VariableBaseMSM::msm`, side by side on the same bases and
//! scalars, alternating repetitions on the same threads: the H query of the main key
//! (random full-size scalars, as the quotient's coefficients are), the same with window
//! tables, a 2^16 G1 MSM on random bases, and the G2 B query with a real chunk witness.

use ark_bn254::Fr;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::Serialize;
use zkfl_benches::{
    fixtures,
    msm::{compare, compare_on, random_bases, MsmComparison},
    timing::timed,
};
use zkfl_msm::{Bases, Settings};
use zkfl_prover::{groth16::MsmKey, prove::ProvingContext};

use crate::{goal::Goal, plan::Plan, prover::Keyed};

/// One comparison.
#[derive(Serialize)]
pub struct MsmRow {
    /// Which MSM.
    pub what: String,
    /// Number of bases.
    pub points: usize,
    /// Timings.
    pub comparison: MsmComparison,
    /// The goal for this size, if it sets one.
    pub goal: Option<Goal>,
}

/// MSM section.
#[derive(Serialize)]
pub struct MsmSection {
    /// Side-by-side timings.
    pub rows: Vec<MsmRow>,
    /// Bytes zkfl-msm keeps beside the proving key for all five queries (default settings:
    /// aligned copies of P and φ(P)).
    pub key_extra_bytes: usize,
    /// Bytes of the H query alone, default settings.
    pub h_extra_bytes: usize,
    /// Bytes of the H query with window tables.
    pub h_tables_extra_bytes: usize,
    /// Building the H query's tables, s (once per key).
    pub h_tables_build_s: f64,
}

/// ≥ 2× at 2^19 and above, ≥ 1.5× from 2^16 (issue 15).
fn goal_for(points: usize, speedup: f64) -> Option<Goal> {
    let log = (points + 1).next_power_of_two().trailing_zeros();
    if log >= 19 {
        Some(Goal::at_least(speedup, 2.0, "≥ 2×"))
    } else if log >= 16 {
        Some(Goal::at_least(speedup, 1.5, "≥ 1.5×"))
    } else {
        None
    }
}

/// A row; the goals are for random full-size scalars in G1 (the H query).
fn row(what: &str, points: usize, comparison: MsmComparison, goal: bool) -> MsmRow {
    eprintln!(
        "[msm] {what}: ark-ec {:.1} ms, zkfl-msm {:.1} ms",
        comparison.arkworks_ms, comparison.ours_ms
    );
    MsmRow {
        what: what.into(),
        points,
        goal: goal.then(|| goal_for(points, comparison.speedup)).flatten(),
        comparison,
    }
}

/// Measures every row on `threads` threads.
pub fn measure(plan: &Plan, keyed: &Keyed, threads: usize) -> anyhow::Result<MsmSection> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let mut rng = ChaCha20Rng::seed_from_u64(15);
    let pk = &keyed.pk;
    let reps = plan.reps;
    let mut rows = Vec::new();
    let tables = Settings {
        tables: true,
        ..Settings::default()
    };
    let (h_tables, h_tables_build) = timed(|| pool.install(|| Bases::new(&pk.h_query, tables)));
    let h_tables_extra_bytes = h_tables.extra_bytes();
    drop(h_tables);
    pool.install(|| -> anyhow::Result<()> {
        let h = &pk.h_query;
        let c = compare(h, Settings::default(), reps, &mut rng);
        rows.push(row("H query (G1), random scalars", h.len(), c, true));
        let c = compare(h, tables, reps, &mut rng);
        rows.push(row(
            "H query (G1), random scalars, window tables",
            h.len(),
            c,
            true,
        ));
        if h.len() + 1 > 1 << 16 {
            let bases = random_bases::<ark_bn254::g1::Config>(1 << 16, &mut rng);
            let c = compare(&bases, Settings::default(), reps, &mut rng);
            rows.push(row("G1, random bases and scalars", 1 << 16, c, true));
        }
        let ctx = ProvingContext::new(pk, keyed.shape)?;
        let round = fixtures::random_round(keyed.shape, keyed.shape.chunk, 1)?;
        let z: Vec<Fr> = ctx.assignment(round.witness(0))?;
        let witness = z.get(1..).unwrap_or_default().to_vec();
        let b = pk.b_g2_query.get(1..).unwrap_or_default();
        let c = compare_on(b, Settings::default(), reps, || witness.clone());
        rows.push(row("B query (G2), a chunk's witness", b.len(), c, false));
        Ok(())
    })?;
    Ok(MsmSection {
        rows,
        key_extra_bytes: MsmKey::new(pk, Settings::default())?.extra_bytes(),
        h_extra_bytes: Bases::new(&pk.h_query, Settings::default()).extra_bytes(),
        h_tables_extra_bytes,
        h_tables_build_s: h_tables_build.as_secs_f64(),
    })
}
