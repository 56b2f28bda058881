//! GLV scalar decomposition in fixed-width arithmetic.
//!
//! BN254's G1 and G2 have an endomorphism φ(x, y) = (βx, y) with φ(P) = λP, so k·P =
//! k₁·P + k₂·φ(P) whenever k ≡ k₁ + λk₂ (mod r). ark-ec's `GLVConfig::scalar_decomposition`
//! finds k₁, k₂ with arbitrary-precision integers (heap allocations per scalar, which would
//! cost a noticeable share of an MSM); this module finds the same kind of split with
//! 64-bit limbs only.
//!
//! With the reduced lattice basis (n₁₁, n₁₂), (n₂₁, n₂₂) of `SCALAR_DECOMP_COEFFS`
//! (determinant r), β₁ = k·n₂₂/r and β₂ = −k·n₁₂/r are approximated by rounding
//! k·⌊2²⁵⁶|n|/r⌋ / 2²⁵⁶: the floor loses at most k/2²⁵⁶ < 1/4, the rounding 1/2, so each
//! bᵢ is within 3/4 of βᵢ. Then k₁ = k − b₁n₁₁ − b₂n₂₁ and k₂ = −b₁n₁₂ − b₂n₂₂ are exact
//! (wrapping 256-bit arithmetic; the true values are small) and |kᵢ| ≤ 3/4·(|n₁₁| + |n₂₁|)
//! < 1.11·10³⁸ < 2¹²⁷ for BN254. [`Glv::split`] relies on that bound; the tests check
//! k ≡ k₁ + λk₂ on random and extreme scalars.

use ark_bn254::Fr;
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ff::{BigInt, PrimeField};

/// A signed 127-bit half of a GLV split: (negative, |value|).
pub(crate) type Half = (bool, u128);

/// The per-curve constants of the fast split.
pub(crate) struct Glv {
    /// Lattice basis n₁₁, n₁₂, n₂₁, n₂₂ as (negative, |value|).
    n: [(bool, u128); 4],
    /// ⌊2²⁵⁶·|n₂₂| / r⌋ and ⌊2²⁵⁶·|n₁₂| / r⌋.
    g22: [u64; 4],
    g12: [u64; 4],
}

impl Glv {
    /// Reads the lattice of `P` (ark-bn254's `GLVConfig`).
    pub(crate) fn new<P: GLVConfig<ScalarField = Fr>>() -> Self {
        let n = P::SCALAR_DECOMP_COEFFS.map(|(positive, v)| {
            debug_assert!(v.0[2] == 0 && v.0[3] == 0, "lattice entries fit 128 bits");
            (!positive, u128::from(v.0[0]) | (u128::from(v.0[1]) << 64))
        });
        Self {
            g22: scaled_quotient(n[3].1),
            g12: scaled_quotient(n[1].1),
            n,
        }
    }

    /// k = k₁ + λk₂ (mod r) with |k₁|, |k₂| < 2¹²⁷; `k` must be canonical (< r).
    pub(crate) fn split(&self, k: &BigInt<4>) -> (Half, Half) {
        let [n11, n12, n21, n22] = self.n;
        // b₁ = round(k·n₂₂/r), b₂ = round(−k·n₁₂/r); both magnitudes fit 128 bits.
        let b1 = (n22.0, rounded_high(&k.0, &self.g22));
        let b2 = (!n12.0, rounded_high(&k.0, &self.g12));
        let mut k1 = k.0;
        sub_signed_product(&mut k1, b1, n11);
        sub_signed_product(&mut k1, b2, n21);
        let mut k2 = [0u64; 4];
        sub_signed_product(&mut k2, b1, n12);
        sub_signed_product(&mut k2, b2, n22);
        (to_half(k1), to_half(k2))
    }
}

/// ⌊2²⁵⁶·n / r⌋ by binary long division (once per curve, not per scalar).
fn scaled_quotient(n: u128) -> [u64; 4] {
    let r = Fr::MODULUS.0;
    // Numerator n·2²⁵⁶ as 8 little-endian limbs; quotient < 2²⁵⁶ because n < r.
    let num = [0, 0, 0, 0, n as u64, (n >> 64) as u64, 0, 0];
    let mut rem = [0u64; 5];
    let mut quo = [0u64; 4];
    for bit in (0..512).rev() {
        // rem = 2·rem + bit
        let mut carry = (num[bit / 64] >> (bit % 64)) & 1;
        for limb in &mut rem {
            let next = *limb >> 63;
            *limb = (*limb << 1) | carry;
            carry = next;
        }
        if ge(&rem, &r) {
            sub_in_place(&mut rem, &r);
            if bit < 256 {
                quo[bit / 64] |= 1 << (bit % 64);
            }
        }
    }
    quo
}

fn ge(a: &[u64; 5], r: &[u64; 4]) -> bool {
    if a[4] != 0 {
        return true;
    }
    for i in (0..4).rev() {
        if a[i] != r[i] {
            return a[i] > r[i];
        }
    }
    true
}

fn sub_in_place(a: &mut [u64; 5], r: &[u64; 4]) {
    let mut borrow = false;
    for i in 0..5 {
        let rhs = if i < 4 { r[i] } else { 0 };
        let (d, b1) = a[i].overflowing_sub(rhs);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        a[i] = d;
        borrow = b1 || b2;
    }
}

/// round(k·g / 2²⁵⁶) for k < 2²⁵⁴ and g < 2²⁵⁶; the result fits 128 bits for our g.
fn rounded_high(k: &[u64; 4], g: &[u64; 4]) -> u128 {
    let mut wide = [0u64; 8];
    for (i, &ki) in k.iter().enumerate() {
        let mut carry = 0u128;
        for (j, &gj) in g.iter().enumerate() {
            let t = u128::from(ki) * u128::from(gj) + u128::from(wide[i + j]) + carry;
            wide[i + j] = t as u64;
            carry = t >> 64;
        }
        wide[i + 4] = carry as u64;
    }
    let round = u128::from(wide[3] >> 63);
    (u128::from(wide[4]) | (u128::from(wide[5]) << 64)) + round
}

/// acc −= a·b (mod 2²⁵⁶) for signed 128-bit magnitudes a and b.
fn sub_signed_product(acc: &mut [u64; 4], a: (bool, u128), b: (bool, u128)) {
    let p = mul_128(a.1, b.1);
    if a.0 != b.0 {
        add_256(acc, &p);
    } else {
        add_256(acc, &neg_256(&p));
    }
}

fn mul_128(a: u128, b: u128) -> [u64; 4] {
    let (a0, a1) = (a as u64, (a >> 64) as u64);
    let (b0, b1) = (b as u64, (b >> 64) as u64);
    let mut out = [0u64; 4];
    for (i, ai) in [a0, a1].into_iter().enumerate() {
        let mut carry = 0u128;
        for (j, bj) in [b0, b1].into_iter().enumerate() {
            let t = u128::from(ai) * u128::from(bj) + u128::from(out[i + j]) + carry;
            out[i + j] = t as u64;
            carry = t >> 64;
        }
        out[i + 2] = carry as u64;
    }
    out
}

fn add_256(acc: &mut [u64; 4], x: &[u64; 4]) {
    let mut carry = false;
    for (a, &b) in acc.iter_mut().zip(x) {
        let (s, c1) = a.overflowing_add(b);
        let (s, c2) = s.overflowing_add(u64::from(carry));
        *a = s;
        carry = c1 || c2;
    }
}

fn neg_256(x: &[u64; 4]) -> [u64; 4] {
    let mut out = x.map(|l| !l);
    add_256(&mut out, &[1, 0, 0, 0]);
    out
}

/// A small two's-complement 256-bit value as (negative, |value|).
fn to_half(v: [u64; 4]) -> Half {
    let negative = v[3] >> 63 == 1;
    let m = if negative { neg_256(&v) } else { v };
    debug_assert!(
        m[2] == 0 && m[3] == 0 && m[1] >> 63 == 0,
        "GLV half of 127 bits or fewer"
    );
    (negative, u128::from(m[0]) | (u128::from(m[1]) << 64))
}

#[cfg(test)]
mod tests {
    use ark_bn254::{g1, g2, Fr};
    use ark_ec::scalar_mul::glv::GLVConfig;
    use ark_ff::{BigInteger, Field, PrimeField, UniformRand, Zero};
    use rand::SeedableRng;

    use super::*;

    fn to_fr((negative, m): Half) -> Fr {
        let v = Fr::from(m);
        if negative {
            -v
        } else {
            v
        }
    }

    fn check<P: GLVConfig<ScalarField = Fr>>(k: Fr) {
        let glv = Glv::new::<P>();
        let (h1, h2) = glv.split(&k.into_bigint());
        assert!(
            h1.1 < 1 << 127 && h2.1 < 1 << 127,
            "halves of {k} too large"
        );
        assert_eq!(to_fr(h1) + P::LAMBDA * to_fr(h2), k, "split of {k}");
    }

    fn extremes() -> Vec<Fr> {
        let mut v = vec![Fr::zero(), Fr::ONE, -Fr::ONE, Fr::from(2u8), -Fr::from(2u8)];
        for bits in [63u32, 64, 127, 128, 200, 252, 253] {
            let p = Fr::from(2u8).pow([u64::from(bits)]);
            v.extend([p, p - Fr::ONE, -p, Fr::ONE - p]);
        }
        // (r − 1)/2 and its neighbours: the largest magnitudes as signed values.
        let mut half = Fr::MODULUS;
        half.div2();
        let h = Fr::from_bigint(half).expect("below r");
        v.extend([h, h + Fr::ONE, h - Fr::ONE]);
        v
    }

    #[test]
    fn split_recombines_on_extremes_and_random_scalars() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let mut scalars = extremes();
        scalars.extend((0..2000).map(|_| Fr::rand(&mut rng)));
        for k in scalars {
            check::<g1::Config>(k);
            check::<g2::Config>(k);
        }
    }

    #[test]
    fn lambda_is_the_endomorphism_eigenvalue() {
        use ark_ec::{CurveGroup, PrimeGroup};
        let p = ark_bn254::G1Projective::generator().into_affine();
        assert_eq!(
            g1::Config::endomorphism_affine(&p),
            (p * g1::Config::LAMBDA).into_affine()
        );
        let q = ark_bn254::G2Projective::generator().into_affine();
        assert_eq!(
            g2::Config::endomorphism_affine(&q),
            (q * g2::Config::LAMBDA).into_affine()
        );
    }

    proptest::proptest! {
        #[test]
        fn split_recombines(limbs in proptest::array::uniform4(proptest::num::u64::ANY)) {
            let k = Fr::from_le_bytes_mod_order(&BigInt::<4>::new(limbs).to_bytes_le());
            check::<g1::Config>(k);
            check::<g2::Config>(k);
        }
    }
}
