//! snarkjs's deterministic randomness, bit for bit: ffjavascript's `ChaCha` stream and the
//! `fromRng` samplers built on it. Verifiers recompute `hashToG2(transcript)` for every
//! contribution and the whole key of a beacon, so these must match snarkjs exactly.
//!
//! - `ChaCha(seed)`: the ChaCha20 block function with the eight seed words as key and a
//!   128-bit block counter starting at 0 (no nonce): rand_chacha's `ChaCha20Rng` with the
//!   key bytes `seed[i].to_le_bytes()` and stream 0 yields the same words.
//! - `F.fromRng`: four `nextU64` (high word first), limb i shifted by 64·i, masked to 254
//!   bits, redrawn while ≥ p. The result is *stored as is* in ffjavascript's Montgomery
//!   representation, so the element is v·R⁻¹, not v.
//! - `G.fromRng`: x = F.fromRng, a sign bit from `nextBool`, redrawn until x³ + b is a
//!   square; y is the root whose "negative" flag (normal form > (p−1)/2, judged on c1 unless
//!   it is zero) equals the sign bit; G2 points are then multiplied by the cofactor.

use ark_bn254::{g2, Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::{short_weierstrass::SWCurveConfig, AffineRepr, CurveGroup};
use ark_ff::{BigInt, Field, PrimeField, Zero};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// ffjavascript's `ChaCha` stream.
pub struct JsChaCha(ChaCha20Rng);

impl JsChaCha {
    /// The stream for eight 32-bit seed words.
    pub fn new(seed: [u32; 8]) -> Self {
        let mut key = [0u8; 32];
        for (i, w) in seed.iter().enumerate() {
            key[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
        Self(ChaCha20Rng::from_seed(key))
    }

    /// The stream seeded with the first 32 bytes of `hash` read as big-endian words, as
    /// snarkjs's `hashToG2` and beacon do.
    pub fn from_hash(hash: &[u8]) -> Self {
        let mut seed = [0u32; 8];
        for (i, w) in seed.iter_mut().enumerate() {
            *w = u32::from_be_bytes([
                hash[4 * i],
                hash[4 * i + 1],
                hash[4 * i + 2],
                hash[4 * i + 3],
            ]);
        }
        Self::new(seed)
    }

    /// `nextU32`.
    pub fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }

    fn next_u64(&mut self) -> u64 {
        let hi = u64::from(self.next_u32());
        let lo = u64::from(self.next_u32());
        (hi << 32) | lo
    }

    fn next_bool(&mut self) -> bool {
        self.next_u32() & 1 == 1
    }

    /// 254-bit rejection sample below `modulus`, as raw limbs.
    fn limbs_below(&mut self, modulus: &BigInt<4>) -> BigInt<4> {
        loop {
            let mut limbs = [0u64; 4];
            for l in limbs.iter_mut() {
                *l = self.next_u64();
            }
            limbs[3] &= (1u64 << 62) - 1;
            let v = BigInt::new(limbs);
            if v < *modulus {
                return v;
            }
        }
    }

    /// `Fr.fromRng`.
    pub fn fr(&mut self) -> Fr {
        Fr::new_unchecked(self.limbs_below(&Fr::MODULUS))
    }

    fn fq(&mut self) -> Fq {
        Fq::new_unchecked(self.limbs_below(&Fq::MODULUS))
    }

    /// `G1.fromRng`.
    pub fn g1(&mut self) -> G1Affine {
        loop {
            let x = self.fq();
            let greatest = self.next_bool();
            let rhs = x.square() * x + ark_bn254::g1::Config::COEFF_B;
            if let Some(y) = rhs.sqrt() {
                let y = if greatest ^ fq_negative(&y) { -y } else { y };
                return G1Affine::new_unchecked(x, y);
            }
        }
    }

    /// `G2.fromRng`, including the cofactor multiplication.
    pub fn g2(&mut self) -> G2Affine {
        loop {
            let x = Fq2::new(self.fq(), self.fq());
            let greatest = self.next_bool();
            let rhs = x.square() * x + g2::Config::COEFF_B;
            if let Some(y) = rhs.sqrt() {
                let y = if greatest ^ fq2_negative(&y) { -y } else { y };
                let p = G2Affine::new_unchecked(x, y);
                return p.mul_bigint(G2_COFACTOR).into_affine();
            }
        }
    }
}

/// ffjavascript's `cofactorG2` for bn128, 0x30644e72…c0f9fa8d (larger than q, so limbs).
const G2_COFACTOR: BigInt<4> = BigInt::new([
    0x345f_2299_c0f9_fa8d,
    0x06ce_ecda_572a_2489,
    0xb850_45b6_8181_585e,
    0x3064_4e72_e131_a029,
]);

fn fq_negative(x: &Fq) -> bool {
    let half = Fq::MODULUS_MINUS_ONE_DIV_TWO;
    x.into_bigint() > half
}

fn fq2_negative(x: &Fq2) -> bool {
    if x.c1.is_zero() {
        fq_negative(&x.c0)
    } else {
        fq_negative(&x.c1)
    }
}

/// snarkjs's `hashToG2`: the G2 point `G2.fromRng(ChaCha(first 32 bytes of hash))`.
pub fn hash_to_g2(hash: &[u8]) -> G2Affine {
    JsChaCha::from_hash(hash).g2()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::{g1_u, g2_u};

    // Vectors printed by ffjavascript 0.3.1 (the version snarkjs 0.7.5 pins):
    //   rng = new ChaCha([1..8]); 20 × rng.nextU32(); then on a fresh stream Fr.fromRng,
    //   G1.fromRng; hashToG2 of the bytes 0..63.
    #[test]
    fn matches_ffjavascript() {
        let seed = [1, 2, 3, 4, 5, 6, 7, 8];
        let mut rng = JsChaCha::new(seed);
        let words: Vec<u32> = (0..20).map(|_| rng.next_u32()).collect();
        assert_eq!(
            words,
            [
                2291208717, 2715286880, 1416238553, 4170631896, 311912724, 2096473245, 2663528302,
                2947898305, 1171138527, 4066554118, 1598815824, 1331018903, 4275377581, 2401186972,
                3977139214, 1817675323, 4002199677, 2558236986, 2290969732, 3530802522
            ]
        );
        let mut rng = JsChaCha::new(seed);
        let fr = rng.fr();
        assert_eq!(
            fr.into_bigint().to_string(),
            "11421152797359801513699257512876826534900512878648310510227136947029091328776"
        );
        assert_eq!(
            hex::encode(g1_u(&rng.g1())),
            "0b88d619b913fd6a2153902f95e88fd814e97a75ede3119d7075aaa719e9928e21e470760bc4584e9a4d2033162611335cb352b1625c810d88f57a30ce128a59"
        );
        let hash: Vec<u8> = (0..64).collect();
        assert_eq!(
            hex::encode(g2_u(&hash_to_g2(&hash))),
            "097197b18b86f218d43cf232ae11cb0318f9ff79c8315ba8cc3494ece86bd08c0993c1f526542d4ea0f7960fe68c321263da35704524158f53a5ec1f6ae3cc0c07e5f5e692f511f13c16f270392204a3e2ebf321f8b80f73d87faaea048b7bf01f619cecd6aebc1a35e6397979d76d2caa56e4cacbc10cd20d93cf715a0dd968"
        );
    }
}
