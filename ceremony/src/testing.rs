//! INSECURE phase-1 files for tests and benchmarks: a prepared `.ptau` whose τ, α and β come
//! from a seed, written in the layout `snarkjs powersoftau prepare phase2` produces.
//!
//! snarkjs needs minutes to hours to make a prepared ptau of power 15–20 (8 min at power
//! 14 on the development machine); this writes one in seconds so that benchmarks can run
//! at the 2^19 domain and tests can have a second, different phase-1 file. Anyone who
//! knows the seed can forge proofs for every key made from such a file.

use std::path::Path;

use ark_bn254::{Fq, Fr, G1Projective, G2Projective};
use ark_ec::{scalar_mul::BatchMulPreprocessing, PrimeGroup};
use ark_ff::{BigInteger, PrimeField, UniformRand, Zero};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;

use crate::{
    binfile::BinWriter,
    encoding::{g1_to_lem, g2_to_lem, G1_BYTES, G2_BYTES},
    ptau::MAGIC,
    CeremonyError,
};

fn powers(x: Fr, n: usize) -> Vec<Fr> {
    let mut v = Vec::with_capacity(n);
    let mut cur = Fr::from(1u64);
    for _ in 0..n {
        v.push(cur);
        cur *= x;
    }
    v
}

fn g1_bytes(table: &BatchMulPreprocessing<G1Projective>, scalars: &[Fr]) -> Vec<u8> {
    let pts = table.batch_mul(scalars);
    let mut out = vec![0u8; pts.len() * G1_BYTES];
    out.par_chunks_mut(G1_BYTES)
        .zip(pts.par_iter())
        .for_each(|(o, p)| g1_to_lem(p, o));
    out
}

fn g2_bytes(table: &BatchMulPreprocessing<G2Projective>, scalars: &[Fr]) -> Vec<u8> {
    let pts = table.batch_mul(scalars);
    let mut out = vec![0u8; pts.len() * G2_BYTES];
    out.par_chunks_mut(G2_BYTES)
        .zip(pts.par_iter())
        .for_each(|(o, p)| g2_to_lem(p, o));
    out
}

/// `prepare phase2`'s Lagrange transform of one level: the inverse FFT of the monomial
/// scalars (for section 12's extra level, τ^(2N−1) replaced by 0, as snarkjs does).
fn lagrange(monomials: &[Fr]) -> Vec<Fr> {
    let n = monomials.len();
    if n == 1 {
        return monomials.to_vec();
    }
    let domain = Radix2EvaluationDomain::<Fr>::new(n).expect("power of two below 2^28");
    domain.ifft(monomials)
}

/// Writes an INSECURE prepared ptau of `power` with τ, α, β drawn from `seed`.
///
/// # Errors
/// [`CeremonyError::Io`]; [`CeremonyError::Invalid`] for a power outside 1..=27.
pub fn write_insecure_ptau(path: &Path, power: u32, seed: u64) -> Result<(), CeremonyError> {
    if !(1..=27).contains(&power) {
        return Err(CeremonyError::Invalid(format!(
            "power {power} is outside 1..=27"
        )));
    }
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let (tau, alpha, beta) = (Fr::rand(&mut rng), Fr::rand(&mut rng), Fr::rand(&mut rng));
    let n = 1usize << power;
    let tau_pows = powers(tau, 2 * n);
    let g1 = BatchMulPreprocessing::new(G1Projective::generator(), 4 * n);
    let g2 = BatchMulPreprocessing::new(G2Projective::generator(), 2 * n);
    let scaled = |k: Fr, v: &[Fr]| -> Vec<Fr> { v.iter().map(|x| k * x).collect() };

    let mut w = BinWriter::create(path, MAGIC, 1, 11)?;
    let mut header = Vec::new();
    header.extend_from_slice(&32u32.to_le_bytes());
    header.extend_from_slice(&Fq::MODULUS.to_bytes_le());
    header.extend_from_slice(&power.to_le_bytes());
    header.extend_from_slice(&power.to_le_bytes());
    w.section(1, &header)?;
    w.section(2, &g1_bytes(&g1, &tau_pows[..2 * n - 1]))?;
    w.section(3, &g2_bytes(&g2, &tau_pows[..n]))?;
    w.section(4, &g1_bytes(&g1, &scaled(alpha, &tau_pows[..n])))?;
    w.section(5, &g1_bytes(&g1, &scaled(beta, &tau_pows[..n])))?;
    w.section(6, &g2_bytes(&g2, &[beta]))?;
    w.section(7, &0u32.to_le_bytes())?;
    for (id, k, g2_section, extra) in [
        (12u32, Fr::from(1u64), false, true),
        (13, Fr::from(1u64), true, false),
        (14, alpha, false, false),
        (15, beta, false, false),
    ] {
        w.begin_section(id)?;
        let top = if extra { power + 1 } else { power };
        for p in 0..=top {
            let size = 1usize << p;
            let mut mono = scaled(k, &tau_pows[..size]);
            if p == power + 1 {
                mono[size - 1] = Fr::zero();
            }
            let l = lagrange(&mono);
            let bytes = if g2_section {
                g2_bytes(&g2, &l)
            } else {
                g1_bytes(&g1, &l)
            };
            w.write(&bytes)?;
        }
        w.end_section()?;
    }
    w.finish()
}

/// A point of BN254's twist E'(Fq2) outside the prime-order subgroup G2, for tests of the
/// subgroup checks: the first x = 1, 2, … that gives a point at all (the twist's cofactor is
/// large, so it is outside G2; callers assert that).
pub fn g2_outside_subgroup() -> ark_bn254::G2Affine {
    use ark_bn254::{Fq2, G2Affine};
    (1u64..)
        .find_map(|x| G2Affine::get_point_from_x_unchecked(Fq2::from(x), false))
        .expect("a point on the twist")
}
