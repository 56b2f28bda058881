//! Batch-affine summation of bucket segments: the hot loop of the MSM.
//!
//! A block holds the points of consecutive buckets, each bucket's points contiguous (a
//! segment). Every round adds neighbouring pairs inside each segment, halving it, until each
//! segment is one point. All additions of a round share one field inversion (Montgomery's
//! trick), so an affine addition costs 5 multiplications and 1 squaring instead of the
//! 7 multiplications and 4 squarings of a mixed Jacobian addition. Points landing in the same
//! bucket ("collisions", e.g. every ±1 scalar of a witness vector) are simply a longer
//! segment: no queue, no retry, and the depth grows only with log₂ of the largest bucket.
//!
//! The point at infinity is `y = 0`: no point of odd order has y = 0 (it would have order
//! 2), and every point we meet lies in BN254's prime-order group, so no sentinel collides
//! with a real point.

use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ff::{AdditiveGroup, Field};

use crate::field::Arith;

/// An affine point (x, y); `y == 0` is the point at infinity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pt<F> {
    pub(crate) x: F,
    pub(crate) y: F,
}

impl<F: Field> Pt<F> {
    pub(crate) const INFINITY: Self = Self {
        x: F::ZERO,
        y: F::ZERO,
    };

    #[inline(always)]
    pub(crate) fn is_infinity(&self) -> bool {
        self.y.is_zero()
    }

    /// The point in arkworks' Jacobian coordinates.
    pub(crate) fn to_projective<P: SWCurveConfig<BaseField = F>>(self) -> Projective<P> {
        if self.is_infinity() {
            Projective::ZERO
        } else {
            Affine::new_unchecked(self.x, self.y).into()
        }
    }
}

/// A point on its own cache line(s).
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
pub(crate) struct Line<F>(pub(crate) Pt<F>);

/// One bucket's points inside a block: `buf[start..start + len]`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segment {
    pub(crate) bucket: u32,
    pub(crate) start: u32,
    pub(crate) len: u32,
}

/// The denominator of a ⊕ b, or `None` when the sum needs no inversion (one side is the
/// point at infinity, or a = −b).
#[inline(always)]
fn denominator<F: Field>(a: &Pt<F>, b: &Pt<F>) -> Option<F> {
    if a.is_infinity() || b.is_infinity() {
        None
    } else if a.x != b.x {
        Some(b.x - a.x)
    } else if a.y == b.y {
        Some(a.y.double())
    } else {
        None
    }
}

/// a ⊕ b given `inv`, the inverse of [`denominator`] (ignored when that was `None`).
#[inline(always)]
fn add<F: Arith>(a: &Pt<F>, b: &Pt<F>, inv: &F) -> Pt<F> {
    if a.is_infinity() {
        return *b;
    }
    if b.is_infinity() {
        return *a;
    }
    let lambda = if a.x != b.x {
        (b.y - a.y).mul_fast(inv)
    } else if a.y == b.y {
        // Doubling on y² = x³ + b: λ = 3x² / 2y.
        let xx = a.x.square_fast();
        (xx.double() + xx).mul_fast(inv)
    } else {
        return Pt::INFINITY;
    };
    let x = lambda.square_fast() - a.x - b.x;
    let y = lambda.mul_fast(&(a.x - x)) - a.y;
    Pt { x, y }
}

/// One round of additions' denominators and, after [`Scratch::invert`], their inverses:
/// Montgomery's trick, one field inversion for the whole round. Reused across rounds.
#[derive(Default)]
pub(crate) struct Scratch<F> {
    /// Denominators of the round's non-trivial additions.
    dens: Vec<F>,
    /// Running products, then the inverses.
    invs: Vec<F>,
    /// The product of every denominator pushed so far.
    acc: F,
}

impl<F: Arith> Scratch<F> {
    fn begin(&mut self) {
        self.dens.clear();
        self.invs.clear();
        self.acc = F::ONE;
    }

    /// Adds the denominator of `a ⊕ b` to the round, if the sum needs one.
    #[inline(always)]
    fn push(&mut self, a: &Pt<F>, b: &Pt<F>) {
        if let Some(d) = denominator(a, b) {
            self.invs.push(self.acc);
            self.acc = self.acc.mul_fast(&d);
            self.dens.push(d);
        }
    }

    /// Afterwards `self.invs[p]` is the inverse of the p-th pushed denominator.
    fn invert(&mut self) {
        // Nonzero: a product of nonzero denominators.
        let mut inv = self.acc.inverse().unwrap_or(F::ZERO);
        for (prefix, d) in self.invs.iter_mut().zip(self.dens.iter()).rev() {
            let t = inv.mul_fast(prefix);
            inv = inv.mul_fast(d);
            *prefix = t;
        }
    }

    /// a ⊕ b, for the round's pairs in the order they were pushed; `next` counts the
    /// inverses used so far.
    #[inline(always)]
    fn sum(&self, a: &Pt<F>, b: &Pt<F>, next: &mut usize) -> Pt<F> {
        if denominator(a, b).is_some() {
            *next += 1;
            add(a, b, &self.invs[*next - 1])
        } else {
            add(a, b, &F::ZERO)
        }
    }
}

/// `acc[k] ← acc[k] ⊕ rhs[k]` for every k, all sharing one inversion.
pub(crate) fn add_assign_all<F: Arith>(acc: &mut [Pt<F>], rhs: &[Pt<F>], scratch: &mut Scratch<F>) {
    debug_assert_eq!(acc.len(), rhs.len());
    scratch.begin();
    for (a, b) in acc.iter().zip(rhs) {
        scratch.push(a, b);
    }
    scratch.invert();
    let mut next = 0;
    for (a, b) in acc.iter_mut().zip(rhs) {
        *a = scratch.sum(a, b, &mut next);
    }
}

/// Sums every segment of `buf` in place: afterwards `buf[seg.start]` is the sum of the
/// segment's points.
pub(crate) fn sum_segments<F: Arith>(
    buf: &mut [Pt<F>],
    segments: &mut Vec<Segment>,
    scratch: &mut Scratch<F>,
) {
    segments.retain(|s| s.len > 1);
    while !segments.is_empty() {
        scratch.begin();
        for s in segments.iter() {
            let pairs = &buf[s.start as usize..(s.start + s.len / 2 * 2) as usize];
            for pair in pairs.chunks_exact(2) {
                scratch.push(&pair[0], &pair[1]);
            }
        }
        scratch.invert();

        // The sums, compacted to the front of each segment (the write index j never passes
        // the read indices 2j, 2j + 1).
        let mut next = 0;
        for s in segments.iter_mut() {
            let start = s.start as usize;
            let half = (s.len / 2) as usize;
            for j in 0..half {
                buf[start + j] =
                    scratch.sum(&buf[start + 2 * j], &buf[start + 2 * j + 1], &mut next);
            }
            if s.len % 2 == 1 {
                buf[start + half] = buf[start + s.len as usize - 1];
            }
            s.len = s.len.div_ceil(2);
        }
        segments.retain(|s| s.len > 1);
    }
}

#[cfg(test)]
mod tests {
    use ark_bn254::{Fq, G1Affine, G1Projective};
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_std::UniformRand;
    use rand::SeedableRng;

    use super::*;

    fn pt(a: G1Affine) -> Pt<Fq> {
        if a.is_zero() {
            Pt::INFINITY
        } else {
            Pt { x: a.x, y: a.y }
        }
    }

    #[test]
    fn segments_sum_like_projective_addition() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        let p = G1Projective::rand(&mut rng).into_affine();
        let q = G1Projective::rand(&mut rng).into_affine();
        // Doubling, cancellation, infinity, odd lengths and a long segment.
        let groups: Vec<Vec<G1Affine>> = vec![
            vec![p],
            vec![p, p],
            vec![p, -p],
            vec![p, -p, q],
            vec![G1Affine::zero(), q, p],
            vec![q, q, q, q, -q, p, p, p, p],
            (0..37)
                .map(|_| G1Projective::rand(&mut rng).into_affine())
                .collect(),
            vec![p; 64],
        ];
        let mut buf = Vec::new();
        let mut segments = Vec::new();
        for (i, g) in groups.iter().enumerate() {
            segments.push(Segment {
                bucket: i as u32,
                start: buf.len() as u32,
                len: g.len() as u32,
            });
            buf.extend(g.iter().copied().map(pt));
        }
        let starts: Vec<usize> = segments.iter().map(|s| s.start as usize).collect();
        sum_segments(&mut buf, &mut segments, &mut Scratch::default());
        for (g, start) in groups.iter().zip(starts) {
            let expected: G1Projective = g.iter().copied().map(G1Projective::from).sum();
            assert_eq!(buf[start], pt(expected.into_affine()), "segment at {start}");
        }
    }
}
