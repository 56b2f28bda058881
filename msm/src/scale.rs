//! One scalar times many points: k·P for every P of a list, as a phase-2 contribution
//! scales a whole key's L and H sections by its secret.
//!
//! The scalar is the same for every point, so its GLV split k ≡ k₁ + λk₂ (|kᵢ| < 2¹²⁷) and
//! the width-4 NAF digits of both halves are computed once ([`Ladder`]). Per point:
//! - the odd multiples P, 3P, 5P, 7P (one doubling, three additions), made affine in
//!   batches with one shared inversion, and their images under φ(x, y) = (βx, y) (one
//!   multiplication each);
//! - a joint ladder of at most 128 doublings, adding ±(odd multiple) of P or of φ(P) at
//!   each nonzero digit (about one in five per half) with mixed additions.
//!
//! That is roughly 1,500 field multiplications a point against about 3,200 for a
//! double-and-add over all 254 bits (`docs/BENCHMARKS.md`, "Ceremony"). The ladder's
//! branches depend on the scalar: like arkworks' own scalar multiplication, this is not
//! constant time. The digits are wiped when the ladder is dropped.

use ark_bn254::Fr;
use ark_ec::{
    short_weierstrass::{Affine, Projective},
    AffineRepr, CurveGroup,
};
use ark_ff::{AdditiveGroup, PrimeField};
use rayon::prelude::*;
use zeroize::Zeroize;

use crate::{glv::Glv, Curve};

/// Window of the NAF digits: odd digits in −7..=7, tables of 4 odd multiples.
const W: u32 = 4;
/// Odd multiples kept per point (and per endomorphism image).
const ODD: usize = 1 << (W - 2);
/// Points whose tables share one inversion.
const BATCH: usize = 1 << 10;

/// The width-4 NAF of a GLV half, least significant digit first, and its sign.
fn naf(negative: bool, mut m: u128) -> Vec<i8> {
    let mut digits = Vec::with_capacity(130);
    while m != 0 {
        let d = if m & 1 == 1 {
            let low = (m & ((1 << W) - 1)) as i8;
            if low >= 1 << (W - 1) {
                low - (1 << W)
            } else {
                low
            }
        } else {
            0
        };
        // m − d is even; for d < 0 the sum stays below 2¹²⁸ because m < 2¹²⁷.
        m = if d >= 0 {
            m - d as u128
        } else {
            m + u128::from(d.unsigned_abs())
        };
        digits.push(if negative { -d } else { d });
        m >>= 1;
    }
    digits
}

/// A scalar prepared for scaling many points.
struct Ladder {
    /// NAF digits of k₁ and k₂ (sign folded in), padded to one length.
    d1: Vec<i8>,
    d2: Vec<i8>,
}

impl Drop for Ladder {
    fn drop(&mut self) {
        self.d1.zeroize();
        self.d2.zeroize();
    }
}

impl Ladder {
    fn new<P: Curve>(k: &Fr) -> Self {
        let mut big = k.into_bigint();
        let ((neg1, m1), (neg2, m2)) = Glv::new::<P>().split(&big);
        big.0.zeroize();
        let (mut d1, mut d2) = (naf(neg1, m1), naf(neg2, m2));
        let len = d1.len().max(d2.len());
        d1.resize(len, 0);
        d2.resize(len, 0);
        Self { d1, d2 }
    }

    /// k·P for every point of `points`.
    fn apply<P: Curve>(&self, points: &[Affine<P>]) -> Vec<Projective<P>> {
        // Odd multiples (2j + 1)·P, then affine in one batch.
        let mut odd = Vec::with_capacity(points.len() * ODD);
        for p in points {
            let twice = p.into_group().double();
            let mut t = p.into_group();
            odd.push(t);
            for _ in 1..ODD {
                t += twice;
                odd.push(t);
            }
        }
        let odd = Projective::normalize_batch(&odd);
        let beta = P::ENDO_COEFFS[0];
        points
            .iter()
            .zip(odd.chunks_exact(ODD))
            .map(|(p, table)| {
                if p.is_zero() {
                    return Projective::ZERO;
                }
                let endo: [Affine<P>; ODD] = std::array::from_fn(|j| {
                    let t = table[j];
                    if t.is_zero() {
                        t
                    } else {
                        Affine::new_unchecked(t.x * beta, t.y)
                    }
                });
                let mut acc = Projective::ZERO;
                for (&a, &b) in self.d1.iter().zip(&self.d2).rev() {
                    acc.double_in_place();
                    add_digit(&mut acc, table, a);
                    add_digit(&mut acc, &endo, b);
                }
                acc
            })
            .collect()
    }
}

fn add_digit<P: Curve>(acc: &mut Projective<P>, table: &[Affine<P>], d: i8) {
    if d > 0 {
        *acc += table[(d as usize) >> 1];
    } else if d < 0 {
        *acc -= table[(d.unsigned_abs() as usize) >> 1];
    }
}

/// k·P for every point of `points` (in parallel), in affine form.
pub fn scale<P: Curve>(points: &[Affine<P>], k: &Fr) -> Vec<Affine<P>> {
    let ladder = Ladder::new::<P>(k);
    points
        .par_chunks(BATCH)
        .flat_map_iter(|chunk| Projective::normalize_batch(&ladder.apply(chunk)))
        .collect()
}

#[cfg(test)]
mod tests {
    use ark_bn254::{G1Affine, G1Projective, G2Affine, G2Projective};
    use ark_ec::{scalar_mul::glv::GLVConfig, CurveGroup, PrimeGroup};
    use ark_ff::{Field, One, UniformRand, Zero};
    use rand::SeedableRng;

    use super::*;

    fn scalars() -> Vec<Fr> {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        let mut v = vec![
            Fr::zero(),
            Fr::one(),
            -Fr::one(),
            Fr::from(7u8),
            -Fr::from(8u8),
            ark_bn254::g1::Config::LAMBDA,
            Fr::from(2u8).pow([127u64]),
            Fr::from(2u8).pow([253u64]) - Fr::one(),
        ];
        v.extend((0..6).map(|_| Fr::rand(&mut rng)));
        v
    }

    fn check<P: Curve>(points: &[Affine<P>]) {
        for k in scalars() {
            let want: Vec<Affine<P>> = points.iter().map(|p| (*p * k).into_affine()).collect();
            assert_eq!(scale(points, &k), want, "k = {k}");
        }
    }

    #[test]
    fn naf_digits_recombine() {
        for (neg, m) in [
            (false, 0u128),
            (false, 1),
            (true, 7),
            (false, 8),
            (false, (1 << 127) - 1),
            (true, 0x5555_5555_5555_5555_5555_5555_5555_5555),
        ] {
            let d = naf(neg, m);
            let mut v = 0i128;
            for x in d.iter().rev() {
                assert!(*x == 0 || (x % 2 != 0 && x.abs() < 8), "digit {x}");
                // Wrapping: a prefix may pass 2¹²⁷ on its way to the (representable) value.
                v = v.wrapping_mul(2).wrapping_add(i128::from(*x));
            }
            let m = m as i128;
            assert_eq!(v, if neg { m.wrapping_neg() } else { m });
        }
    }

    #[test]
    fn equals_arkworks_on_g1_and_g2_with_infinity_and_repeats() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        // More than one batch, with the point at infinity and a repeated point inside.
        let mut g1: Vec<G1Affine> = (0..BATCH + 3)
            .map(|_| G1Projective::rand(&mut rng).into_affine())
            .collect();
        g1[1] = G1Affine::zero();
        g1[2] = g1[0];
        g1[BATCH] = G1Projective::generator().into_affine();
        check(&g1[..]);
        let mut g2: Vec<G2Affine> = (0..9)
            .map(|_| G2Projective::rand(&mut rng).into_affine())
            .collect();
        g2[4] = G2Affine::zero();
        check(&g2[..]);
        check::<ark_bn254::g1::Config>(&[]);
    }
}
