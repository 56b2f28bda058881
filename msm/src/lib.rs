//! Multi-scalar multiplication on BN254 G1 and G2 for zkfl's Groth16 prover.
//!
//! [`Bases`] prepares a fixed set of bases once (a proving key's query) and computes
//! Σ kᵢ·Pᵢ for any number of scalar vectors; [`msm`] is the one-shot form. The result
//! equals ark-ec's `VariableBaseMSM::msm` as a group element; the tests check that on
//! random and adversarial inputs (zeros, ±1, r − 1, repeated bases, the point at infinity).
//!
//! How it differs from ark-ec 0.6 (whose full-size path adds mixed points into XYZZ
//! buckets, one window per task):
//! - **batch-affine buckets** ([`batch`](crate::batch)): the points of each bucket are
//!   summed in affine coordinates, one inversion shared by a whole block of additions;
//!   collisions are just longer runs in a bucket-sorted block;
//! - **GLV** ([`glv`](crate::glv)): full-size scalars split into two halves below 2^127
//!   against P and φ(P) = (βx, y); the βx are computed once per [`Bases`];
//! - **independent signed digits** ([`digits`](crate::digits)): each window's digit is
//!   read straight from the scalar, with 2^{c−1} buckets per window;
//! - **a cost model** ([`plan`](crate::plan)) picks the window width and how the work is
//!   split for the size and the thread count;
//! - **classes by scalar size** ([`scalars`](crate::scalars)): 0 is skipped, ±1 is a plain
//!   batch-affine sum, 16/32/64-bit magnitudes get one or a few windows.
//!
//! Measurements and the reasoning behind each choice are in `docs/BENCHMARKS.md`
//! ("Prover: MSM"). The crate is safe Rust except two measured and justified places: one
//! software prefetch in the gather of bucket points ([`prefetch`](crate::prefetch)), and
//! Fq's Montgomery multiplication with MULX/ADCX/ADOX where the CPU has them
//! ([`field`](crate::field)).
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod batch;
mod digits;
mod field;
mod glv;
mod pippenger;
mod plan;
mod prefetch;
mod scalars;
mod scale;
mod tables;

use ark_bn254::{g1, g2, Fr};
use ark_ec::{
    scalar_mul::glv::GLVConfig,
    short_weierstrass::{Affine, Projective},
    AffineRepr,
};
use ark_ff::{AdditiveGroup, BigInt, PrimeField};
use rayon::prelude::*;

pub use crate::scale::scale;

use crate::{
    batch::{Line, Pt},
    glv::Glv,
    pippenger::{Source, Term},
    plan::Plan,
    scalars::{Classes, GLV_BITS, SMALL_BITS},
    tables::Tables,
};

/// The curves this crate computes MSMs on: BN254 G1 and G2.
pub trait Curve: GLVConfig<ScalarField = Fr, BaseField: field::Arith> + sealed::Sealed {}
impl Curve for g1::Config {}
impl Curve for g2::Config {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for ark_bn254::g1::Config {}
    impl Sealed for ark_bn254::g2::Config {}
}

/// Errors of an MSM.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// Bases and scalars differ in number.
    #[error("MSM over {bases} bases with {scalars} scalars: pass one scalar per base")]
    LengthMismatch {
        /// Number of bases.
        bases: usize,
        /// Number of scalars.
        scalars: usize,
    },
}

/// How to compute MSMs over a set of bases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Split full-size scalars with the GLV endomorphism.
    pub glv: bool,
    /// Keep a copy of every base (and of its endomorphism image, with GLV) aligned to cache
    /// lines: faster gathers for 64 (128 with GLV) more bytes per G1 base, twice that in
    /// G2. Without it the bases are read from the caller's slice and βx is computed when
    /// an endomorphism image is needed.
    pub copy_bases: bool,
    /// Precompute 2^{wc}·P for every window w of the full-size class, so all windows
    /// share one set of buckets (see [`tables`](crate::tables)); implies `copy_bases`.
    /// Costs one more copy of the bases per window (8 with GLV at 2^19 bases).
    pub tables: bool,
    /// Force the window width of the full-size class (for measurements); `None` lets the
    /// cost model choose.
    pub window: Option<u32>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            glv: true,
            copy_bases: true,
            tables: false,
            window: None,
        }
    }
}

/// A fixed set of bases, prepared for repeated MSMs.
pub struct Bases<'a, P: Curve> {
    points: &'a [Affine<P>],
    /// With `copy_bases`: P (and φ(P) after it, with GLV) of every base.
    lines: Vec<Line<P::BaseField>>,
    /// With `tables`: the rows for windows 1 and up.
    tables: Option<Tables<P::BaseField>>,
    glv: Option<Glv>,
    settings: Settings,
}

impl<'a, P: Curve> Bases<'a, P> {
    /// Prepares `points` with `settings` (borrowed; copied too with `copy_bases`).
    pub fn new(points: &'a [Affine<P>], settings: Settings) -> Self {
        let beta = P::ENDO_COEFFS[0];
        let lines = if settings.copy_bases || settings.tables {
            points
                .par_iter()
                .flat_map_iter(|p| {
                    let p = pt(p);
                    let endo = Pt {
                        x: p.x * beta,
                        y: p.y,
                    };
                    std::iter::once(Line(p)).chain(settings.glv.then_some(Line(endo)))
                })
                .collect()
        } else {
            Vec::new()
        };
        let tables = settings.tables.then(|| {
            let (terms, bits) = full_class(points.len(), settings.glv);
            let layout =
                Plan::table_layout(terms, bits, rayon::current_num_threads(), settings.window);
            tables::build::<P>(&lines, settings.glv, layout)
        });
        Self {
            points,
            lines,
            tables,
            glv: settings.glv.then(Glv::new::<P>),
            settings,
        }
    }

    /// Number of bases.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether there are no bases.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Bytes held beyond the borrowed bases (the copies of `copy_bases` and `tables`).
    pub fn extra_bytes(&self) -> usize {
        let rows = 1 + self.tables.as_ref().map_or(0, |t| t.rows.len());
        rows * self.lines.len() * std::mem::size_of::<Line<P::BaseField>>()
    }

    /// Σ scalars[i]·bases[i].
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] unless there is exactly one scalar per base.
    pub fn msm(&self, scalars: &[Fr]) -> Result<Projective<P>, Error> {
        self.check_len(scalars.len())?;
        let bigints: Vec<BigInt<4>> = scalars.par_iter().map(|s| s.into_bigint()).collect();
        self.msm_bigint(&bigints)
    }

    /// Σ scalars[i]·bases[i] for canonical scalars (as from `Fr::into_bigint`).
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] unless there is exactly one scalar per base.
    pub fn msm_bigint(&self, scalars: &[BigInt<4>]) -> Result<Projective<P>, Error> {
        self.check_len(scalars.len())?;
        let classes = Classes::new(scalars, self.glv.as_ref());
        let threads = rayon::current_num_threads();
        let mut total = Projective::<P>::ZERO;
        for (terms, bits) in classes.small.iter().zip(SMALL_BITS) {
            total += self.run(terms, Plan::windows(terms.len(), bits, threads, None));
        }
        let (halves, full) = (classes.halves.len(), classes.full.len());
        let window = self.settings.window;
        let (glv_plan, full_plan) = match &self.tables {
            Some(t) => (
                Plan::tables(t.layout, threads),
                Plan::tables(t.layout, threads),
            ),
            None => (
                Plan::windows(halves, GLV_BITS, threads, window),
                Plan::windows(full, Fr::MODULUS_BIT_SIZE, threads, window),
            ),
        };
        total += self.run(&classes.halves, glv_plan);
        total += self.run(&classes.full, full_plan);
        Ok(total)
    }

    /// Row `window` of the copied bases: the bases themselves, or 2^{window·c} times them.
    #[inline(always)]
    fn row(&self, window: u32) -> &[Line<P::BaseField>] {
        match (window, &self.tables) {
            (0, _) | (_, None) => &self.lines,
            (w, Some(t)) => &t.rows[w as usize - 1],
        }
    }

    /// Index in a row of point 2·base + [endomorphism image].
    #[inline(always)]
    fn line(&self, point: usize) -> usize {
        if self.glv.is_some() {
            point
        } else {
            point >> 1
        }
    }

    fn run<const L: usize>(&self, terms: &[Term<L>], plan: Plan) -> Projective<P> {
        pippenger::run::<P, Self, L>(terms, &plan, self)
    }

    fn check_len(&self, scalars: usize) -> Result<(), Error> {
        if scalars == self.points.len() {
            Ok(())
        } else {
            Err(Error::LengthMismatch {
                bases: self.points.len(),
                scalars,
            })
        }
    }
}

impl<P: Curve> Source<P::BaseField> for Bases<'_, P> {
    #[inline(always)]
    fn prefetch(&self, point: usize, window: u32) {
        if self.lines.is_empty() {
            prefetch::prefetch(self.points, point >> 1);
        } else {
            prefetch::prefetch(self.row(window), self.line(point));
        }
    }

    #[inline(always)]
    fn point(&self, point: usize, window: u32) -> Pt<P::BaseField> {
        // `point` is 2·base + [endomorphism image].
        if !self.lines.is_empty() {
            return self.row(window)[self.line(point)].0;
        }
        let p = pt(&self.points[point >> 1]);
        if point & 1 == 1 {
            Pt {
                x: p.x * P::ENDO_COEFFS[0],
                y: p.y,
            }
        } else {
            p
        }
    }
}

/// Terms and magnitude bits of the full-size class when every one of `bases` scalars is
/// full-size.
fn full_class(bases: usize, glv: bool) -> (usize, u32) {
    if glv {
        (2 * bases, GLV_BITS)
    } else {
        (bases, Fr::MODULUS_BIT_SIZE)
    }
}

/// The affine point as (x, y), with y = 0 for the point at infinity.
fn pt<P: Curve>(p: &Affine<P>) -> Pt<P::BaseField> {
    if p.is_zero() {
        Pt::INFINITY
    } else {
        Pt { x: p.x, y: p.y }
    }
}

/// Σ scalars[i]·bases[i], preparing the bases for this one call.
///
/// # Errors
/// [`Error::LengthMismatch`] unless there is exactly one scalar per base.
pub fn msm<P: Curve>(bases: &[Affine<P>], scalars: &[Fr]) -> Result<Projective<P>, Error> {
    Bases::new(bases, Settings::default()).msm(scalars)
}
