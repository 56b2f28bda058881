//! Sorting scalars into classes by size, so each class gets its own window plan.
//!
//! Witness vectors are mostly 0, ±1 and small integers (bit decompositions, fixed-point
//! values), with a minority of full-size field elements (hash states). Each scalar is read
//! as a signed value in (−r/2, r/2): the magnitude goes to the class it fits, the sign to the
//! point. Zeros are dropped; ±1 is one bucket (a plain batch-affine sum); magnitudes of 16,
//! 32 and 64 bits get one or a few windows; full-size scalars are split by GLV into two
//! halves below 2^127 (or kept whole when GLV is off).

use ark_bn254::Fr;
use ark_ff::{BigInt, BigInteger, PrimeField};
use rayon::prelude::*;

use crate::{glv::Glv, pippenger::Term};

/// Magnitude bounds (bits) of the small classes.
pub(crate) const SMALL_BITS: [u32; 4] = [1, 16, 32, 64];

/// Magnitude bound of a GLV half (see `glv`).
pub(crate) const GLV_BITS: u32 = 127;

/// The terms of one MSM, by class.
#[derive(Default)]
pub(crate) struct Classes {
    /// Terms of magnitude < 2^SMALL_BITS[i] (and ≥ 2^SMALL_BITS[i − 1]).
    pub(crate) small: [Vec<Term<1>>; 4],
    /// GLV halves of full-size scalars (base or endomorphism base).
    pub(crate) halves: Vec<Term<2>>,
    /// Full-size scalars when GLV is off.
    pub(crate) full: Vec<Term<4>>,
}

impl Classes {
    /// Classifies `scalars[i]` (canonical, < r) as the scalar of base `i`.
    pub(crate) fn new(scalars: &[BigInt<4>], glv: Option<&Glv>) -> Self {
        const CHUNK: usize = 1 << 13;
        let chunks: Vec<Classes> = scalars
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let mut out = Classes::default();
                for (j, k) in chunk.iter().enumerate() {
                    out.push(c * CHUNK + j, k, glv);
                }
                out
            })
            .collect();
        let mut all = Classes::default();
        for c in chunks {
            for (a, b) in all.small.iter_mut().zip(c.small) {
                a.extend(b);
            }
            all.halves.extend(c.halves);
            all.full.extend(c.full);
        }
        all
    }

    fn push(&mut self, base: usize, k: &BigInt<4>, glv: Option<&Glv>) {
        if k.is_zero() {
            return;
        }
        let mut neg = Fr::MODULUS;
        neg.sub_with_borrow(k);
        let (negative, small) = if k.num_bits() <= 64 {
            (false, k.0[0])
        } else if neg.num_bits() <= 64 {
            (true, neg.0[0])
        } else {
            match glv {
                Some(glv) => {
                    let ((n1, m1), (n2, m2)) = glv.split(k);
                    for (endo, negative, m) in [(false, n1, m1), (true, n2, m2)] {
                        if m != 0 {
                            let mag = [m as u64, (m >> 64) as u64];
                            self.halves.push(Term::new(mag, base, endo, negative));
                        }
                    }
                }
                None => self.full.push(Term::new(k.0, base, false, false)),
            }
            return;
        };
        let bits = 64 - small.leading_zeros();
        let class = SMALL_BITS.iter().position(|&b| bits <= b).unwrap_or(3);
        self.small[class].push(Term::new([small], base, false, negative));
    }
}
