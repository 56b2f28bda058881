//! The byte encodings snarkjs uses for BN254 field elements and points.
//!
//! - **LEM** (files): affine coordinates as little-endian *Montgomery* limbs, x then y; an
//!   Fq2 coordinate is c0 then c1; the point at infinity is all zero bytes. arkworks keeps
//!   `Fp` in Montgomery form too, so decoding is a range check, not a multiplication.
//! - **U** (hashes): affine coordinates in normal form, big-endian; an Fq2 coordinate is the
//!   64-byte big-endian reversal of (c0 ‖ c1) in little-endian, i.e. c1 then c0; infinity is
//!   all zero bytes.
//! - Scalars in `.r1cs` files are little-endian normal form; `.zkey` coefficients are
//!   little-endian `c·R²` (R = 2^256 mod r), which snarkjs's prover reads as Montgomery form.

use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, BigInteger, Field, PrimeField, Zero};

/// Bytes of one G1 point in a file.
pub const G1_BYTES: usize = 64;
/// Bytes of one G2 point in a file.
pub const G2_BYTES: usize = 128;
/// Bytes of one field element (Fq or Fr).
pub const FIELD_BYTES: usize = 32;

fn limbs_le(bytes: &[u8]) -> BigInt<4> {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[8 * i..8 * i + 8]);
        *limb = u64::from_le_bytes(w);
    }
    BigInt::new(limbs)
}

/// An Fq from 32 little-endian Montgomery bytes; `None` if the limbs are not below q.
pub fn fq_from_lem(bytes: &[u8]) -> Option<Fq> {
    let b = limbs_le(bytes);
    (b < Fq::MODULUS).then(|| Fq::new_unchecked(b))
}

/// The 32 little-endian Montgomery bytes of an Fq.
pub fn fq_to_lem(x: &Fq, out: &mut [u8]) {
    out[..32].copy_from_slice(&x.0.to_bytes_le());
}

fn fq2_from_lem(bytes: &[u8]) -> Option<Fq2> {
    Some(Fq2::new(
        fq_from_lem(&bytes[..32])?,
        fq_from_lem(&bytes[32..64])?,
    ))
}

/// A G1 point from its 64 LEM bytes, checked to be on the curve (BN254's G1 has cofactor 1,
/// so that is also the subgroup check). `None` if it is not a valid point.
pub fn g1_from_lem(bytes: &[u8]) -> Option<G1Affine> {
    if bytes[..G1_BYTES].iter().all(|&b| b == 0) {
        return Some(G1Affine::zero());
    }
    let p = G1Affine::new_unchecked(fq_from_lem(&bytes[..32])?, fq_from_lem(&bytes[32..64])?);
    p.is_on_curve().then_some(p)
}

/// A G1 point from LEM bytes without the curve check, for sections whose bytes are
/// compared or re-derived anyway.
pub fn g1_from_lem_unchecked(bytes: &[u8]) -> Option<G1Affine> {
    if bytes[..G1_BYTES].iter().all(|&b| b == 0) {
        return Some(G1Affine::zero());
    }
    Some(G1Affine::new_unchecked(
        fq_from_lem(&bytes[..32])?,
        fq_from_lem(&bytes[32..64])?,
    ))
}

/// A G2 point from its 128 LEM bytes, checked to be on the curve and in the prime-order
/// subgroup. `None` if it is not.
pub fn g2_from_lem(bytes: &[u8]) -> Option<G2Affine> {
    if bytes[..G2_BYTES].iter().all(|&b| b == 0) {
        return Some(G2Affine::zero());
    }
    let p = G2Affine::new_unchecked(fq2_from_lem(&bytes[..64])?, fq2_from_lem(&bytes[64..128])?);
    (p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve()).then_some(p)
}

/// A G2 point from LEM bytes without the curve and subgroup checks, for points this crate
/// computed itself.
pub fn g2_from_lem_unchecked(bytes: &[u8]) -> Option<G2Affine> {
    if bytes[..G2_BYTES].iter().all(|&b| b == 0) {
        return Some(G2Affine::zero());
    }
    Some(G2Affine::new_unchecked(
        fq2_from_lem(&bytes[..64])?,
        fq2_from_lem(&bytes[64..128])?,
    ))
}

/// The 64 LEM bytes of a G1 point.
pub fn g1_to_lem(p: &G1Affine, out: &mut [u8]) {
    if p.is_zero() {
        out[..G1_BYTES].fill(0);
        return;
    }
    fq_to_lem(&p.x, &mut out[..32]);
    fq_to_lem(&p.y, &mut out[32..64]);
}

/// The 128 LEM bytes of a G2 point.
pub fn g2_to_lem(p: &G2Affine, out: &mut [u8]) {
    if p.is_zero() {
        out[..G2_BYTES].fill(0);
        return;
    }
    fq_to_lem(&p.x.c0, &mut out[..32]);
    fq_to_lem(&p.x.c1, &mut out[32..64]);
    fq_to_lem(&p.y.c0, &mut out[64..96]);
    fq_to_lem(&p.y.c1, &mut out[96..128]);
}

/// LEM bytes of a G1 point, as a new array.
pub fn g1_lem(p: &G1Affine) -> [u8; G1_BYTES] {
    let mut b = [0u8; G1_BYTES];
    g1_to_lem(p, &mut b);
    b
}

/// LEM bytes of a G2 point, as a new array.
pub fn g2_lem(p: &G2Affine) -> [u8; G2_BYTES] {
    let mut b = [0u8; G2_BYTES];
    g2_to_lem(p, &mut b);
    b
}

fn fq_be(x: &Fq, out: &mut [u8]) {
    out[..32].copy_from_slice(&x.into_bigint().to_bytes_be());
}

/// The 64 U bytes of a G1 point (what snarkjs hashes).
pub fn g1_to_u(p: &G1Affine, out: &mut [u8]) {
    if p.is_zero() {
        out[..G1_BYTES].fill(0);
        return;
    }
    fq_be(&p.x, &mut out[..32]);
    fq_be(&p.y, &mut out[32..64]);
}

/// The 128 U bytes of a G2 point.
pub fn g2_to_u(p: &G2Affine, out: &mut [u8]) {
    if p.is_zero() {
        out[..G2_BYTES].fill(0);
        return;
    }
    fq_be(&p.x.c1, &mut out[..32]);
    fq_be(&p.x.c0, &mut out[32..64]);
    fq_be(&p.y.c1, &mut out[64..96]);
    fq_be(&p.y.c0, &mut out[96..128]);
}

/// U bytes of a G1 point, as a new array.
pub fn g1_u(p: &G1Affine) -> [u8; G1_BYTES] {
    let mut b = [0u8; G1_BYTES];
    g1_to_u(p, &mut b);
    b
}

/// U bytes of a G2 point, as a new array.
pub fn g2_u(p: &G2Affine) -> [u8; G2_BYTES] {
    let mut b = [0u8; G2_BYTES];
    g2_to_u(p, &mut b);
    b
}

/// An Fr from 32 little-endian normal-form bytes; `None` if not below r.
pub fn fr_from_le(bytes: &[u8]) -> Option<Fr> {
    Fr::from_bigint(limbs_le(bytes))
}

/// The 32 little-endian normal-form bytes of an Fr.
pub fn fr_to_le(x: &Fr) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&x.into_bigint().to_bytes_le());
    out
}

/// R² mod r with R = 2^256: snarkjs stores `.zkey` coefficients multiplied by it.
pub fn fr_r2() -> Fr {
    let r = Fr::from(2u64).pow([256u64]);
    r * r
}

/// An Fr from a `.zkey` coefficient (`c·R²` little-endian); `None` if not below r.
pub fn fr_from_zkey_coef(bytes: &[u8], r2_inv: &Fr) -> Option<Fr> {
    fr_from_le(bytes).map(|v| v * r2_inv)
}

/// Whether every byte is zero (an encoded point at infinity).
pub fn is_zero_bytes(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b == 0)
}

/// `R⁻²` for [`fr_from_zkey_coef`].
pub fn fr_r2_inv() -> Fr {
    fr_r2().inverse().unwrap_or_else(Fr::zero)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::CurveGroup;
    use ark_std::UniformRand;
    use rand::SeedableRng;

    #[test]
    fn encodings_round_trip_and_reject_bad_points() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let p = ark_bn254::G1Projective::rand(&mut rng).into_affine();
        let q = ark_bn254::G2Projective::rand(&mut rng).into_affine();
        assert_eq!(g1_from_lem(&g1_lem(&p)), Some(p));
        assert_eq!(g2_from_lem(&g2_lem(&q)), Some(q));
        assert_eq!(g1_from_lem(&[0u8; 64]), Some(G1Affine::zero()));
        let mut bad = g1_lem(&p);
        bad[0] ^= 1;
        assert_eq!(g1_from_lem(&bad), None, "off-curve point accepted");
        let mut big = [0xffu8; 64];
        big[63] = 0x7f;
        assert_eq!(g1_from_lem(&big), None, "coordinate ≥ q accepted");
        let c = Fr::from(12345u64);
        assert_eq!(
            fr_from_zkey_coef(&fr_to_le(&(c * fr_r2())), &fr_r2_inv()),
            Some(c)
        );
    }
}
