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
use rayon::prelude::*;

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

/// A G2 point from its 128 LEM bytes, checked to be on the curve only: lists of points are
/// then checked for the subgroup all at once by [`first_outside_g2`].
pub fn g2_from_lem_on_curve(bytes: &[u8]) -> Option<G2Affine> {
    g2_from_lem_unchecked(bytes).filter(G2Affine::is_on_curve)
}

/// The smallest prime factor of the cofactor of G2 in BN254's twist E'(Fq2) (the cofactor is
/// 10069 · 5864401 · a 222-bit number; a test checks this by trial division).
pub const G2_COFACTOR_MIN_PRIME: u64 = 10069;

/// Rounds of [`first_outside_g2`]: each lets a bad list through with probability at most
/// 1/10069 + 2^−64, so five together at most 2^−66.
const SUBGROUP_ROUNDS: usize = 5;

/// The index of the first point of `points` (each on the curve) that is not in G2, or
/// `None` if all are, except with probability below 2^−66.
///
/// With random 64-bit ρ_i, S = Σ ρ_i·P_i is checked for membership (one subgroup check
/// instead of one per point): S ∈ G2 iff Σ ρ_i·(r·P_i) = O, and if some r·P_j ≠ O, of order
/// o ≥ 10069 (o divides the cofactor), that holds for at most one ρ_j in o given the other
/// ρ's. Five independent rounds make it 2^−66. When a round fails, the points are checked
/// one by one to name the first bad one.
pub fn first_outside_g2(points: &[G2Affine]) -> Option<usize> {
    use ark_ec::CurveGroup;
    use rand::{RngCore, SeedableRng};
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    let mut rng = rand_chacha::ChaCha20Rng::from_seed(seed);
    // No GLV: its endomorphism acts as λ only on G2 itself, and these points may not be in it.
    // The rest of zkfl-msm is the plain group law, which holds on the whole twist; its
    // "y = 0 is infinity" sentinel is safe there too, since #E'(Fq2) = h·r is odd (h ends
    // in 9) and a point with y = 0 would have order 2.
    let bases = zkfl_msm::Bases::new(
        points,
        zkfl_msm::Settings {
            glv: false,
            ..zkfl_msm::Settings::default()
        },
    );
    let one_by_one = || {
        points
            .iter()
            .position(|p| !p.is_in_correct_subgroup_assuming_on_curve())
    };
    for _ in 0..SUBGROUP_ROUNDS {
        let rho: Vec<Fr> = points.iter().map(|_| Fr::from(rng.next_u64())).collect();
        match bases.msm(&rho) {
            Ok(sum) if sum.into_affine().is_in_correct_subgroup_assuming_on_curve() => {}
            _ => return one_by_one(),
        }
    }
    None
}

/// Decodes every point of `bytes` (points `first`.. of section `id` of `file`) with `read`;
/// the error names the first point `read` refuses, as not a valid `what`.
pub(crate) fn points_in<P: Send>(
    file: &crate::binfile::BinReader,
    id: u32,
    first: usize,
    bytes: &[u8],
    size: usize,
    read: fn(&[u8]) -> Option<P>,
    what: &str,
) -> Result<Vec<P>, crate::CeremonyError> {
    if !bytes.len().is_multiple_of(size) {
        return Err(file.bad(format!(
            "section {id} has {} bytes, not a whole number of {size}-byte points: the file is truncated or corrupt",
            bytes.len()
        )));
    }
    let pts: Vec<Option<P>> = bytes.par_chunks_exact(size).map(read).collect();
    pts.into_iter()
        .enumerate()
        .map(|(i, p)| {
            p.ok_or_else(|| {
                file.bad(format!(
                    "section {id}, point {} is not a valid {what}",
                    first + i
                ))
            })
        })
        .collect()
}

/// Every G1 point of `bytes` (points `first`.. of section `id` of the file `file`), checked;
/// the error names the first invalid one.
///
/// # Errors
/// [`CeremonyError::Format`] for a point that is not valid.
pub fn g1_points_in(
    file: &crate::binfile::BinReader,
    id: u32,
    first: usize,
    bytes: &[u8],
) -> Result<Vec<G1Affine>, crate::CeremonyError> {
    points_in(file, id, first, bytes, G1_BYTES, g1_from_lem, "G1 point")
}

/// Every G2 point of `bytes` (points `first`.. of section `id`), checked to be on the curve
/// one by one and in the prime-order subgroup all at once ([`first_outside_g2`]).
///
/// # Errors
/// [`CeremonyError::Format`] naming the first invalid point.
pub fn g2_points_in(
    file: &crate::binfile::BinReader,
    id: u32,
    first: usize,
    bytes: &[u8],
) -> Result<Vec<G2Affine>, crate::CeremonyError> {
    let pts = points_in(
        file,
        id,
        first,
        bytes,
        G2_BYTES,
        g2_from_lem_on_curve,
        "G2 point (not on the curve)",
    )?;
    match first_outside_g2(&pts) {
        None => Ok(pts),
        Some(i) => Err(file.bad(format!(
            "section {id}, point {} is not a valid G2 point (not in the prime-order subgroup)",
            first + i
        ))),
    }
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
    fn g2_cofactor_has_no_prime_factor_below_10069() {
        use ark_ec::CurveConfig;
        // Trial division of the 254-bit cofactor by every d < 10069, then 10069 itself.
        let h = ark_bn254::g2::Config::COFACTOR;
        let rem = |d: u64| {
            h.iter().rev().fold(0u128, |r, &limb| {
                ((r << 64) | u128::from(limb)) % u128::from(d)
            })
        };
        assert!((2..G2_COFACTOR_MIN_PRIME).all(|d| rem(d) != 0));
        assert_eq!(rem(G2_COFACTOR_MIN_PRIME), 0);
    }

    #[test]
    fn batched_subgroup_check_finds_a_point_outside_g2() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
        let mut pts: Vec<G2Affine> = (0..300)
            .map(|_| ark_bn254::G2Projective::rand(&mut rng).into_affine())
            .collect();
        pts[7] = G2Affine::zero();
        assert_eq!(first_outside_g2(&pts), None);
        assert_eq!(first_outside_g2(&[]), None);
        // A point of the twist outside G2, added to a good point: on the curve, outside G2.
        let outside = crate::testing::g2_outside_subgroup();
        assert!(!outside.is_in_correct_subgroup_assuming_on_curve());
        pts[123] = (pts[123] + outside).into_affine();
        assert!(pts[123].is_on_curve());
        assert_eq!(first_outside_g2(&pts), Some(123));
        // The hardest case: a component of order 10069, the smallest the twist allows, which
        // a single round misses with probability 1/10069. small = r·(h/10069)·outside.
        use ark_ec::CurveConfig;
        let q = G2_COFACTOR_MIN_PRIME;
        let mut rest = ark_bn254::g2::Config::COFACTOR.to_vec();
        let mut r = 0u128;
        for limb in rest.iter_mut().rev() {
            let cur = (r << 64) | u128::from(*limb);
            *limb = (cur / u128::from(q)) as u64;
            r = cur % u128::from(q);
        }
        assert_eq!(r, 0);
        let small = outside
            .mul_bigint(Fr::MODULUS)
            .into_affine()
            .mul_bigint(&rest)
            .into_affine();
        assert!(
            !small.is_zero() && small.mul_bigint([q]).is_zero(),
            "order 10069"
        );
        pts[123] = (pts[124] + small).into_affine();
        assert_eq!(first_outside_g2(&pts), Some(123));
    }

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
