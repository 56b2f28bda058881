//! The irreducible part of a Groth16 proof for a domain of size N: what any circuit of
//! that domain pays, however small its witnesses.
//!
//! - The H-query MSM: N − 1 G1 points times the quotient polynomial's coefficients, which
//!   are full-size field elements whatever the witness is (ark-ec's, or zkfl-msm's, which
//!   the prover runs).
//! - The R1CS-to-QAP reduction: 7 FFTs of size N, in the order of ark-groth16 0.6's
//!   `LibsnarkReduction::witness_map_from_matrices` (IFFT a, b; coset FFT a, b; IFFT c;
//!   coset FFT c; pointwise a·b − c over the vanishing polynomial; coset IFFT).
//!
//! Both run on random inputs of the real size: their cost does not depend on the values.
//! The MSM takes the bases of a real proving key's H query.

use std::time::Duration;

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::{FftField, Field, UniformRand};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::Rng;
use rayon::prelude::*;

use crate::timing::timed;

/// Wall time of the R1CS-to-QAP FFTs for a domain of `domain_size` (a power of two).
///
/// # Panics
/// If BN254's Fr has no radix-2 domain of that size (above 2^28).
pub fn qap_ffts(domain_size: usize, rng: &mut impl Rng) -> Duration {
    let domain = Radix2EvaluationDomain::<Fr>::new(domain_size).expect("radix-2 domain");
    assert_eq!(
        domain.size(),
        domain_size,
        "domain size must be a power of two"
    );
    let coset = domain.get_coset(Fr::GENERATOR).expect("coset domain");
    let mut random = || (0..domain_size).map(|_| Fr::rand(rng)).collect::<Vec<_>>();
    let (mut a, mut b, mut c) = (random(), random(), random());
    let ((), t) = timed(|| {
        domain.ifft_in_place(&mut a);
        domain.ifft_in_place(&mut b);
        coset.fft_in_place(&mut a);
        coset.fft_in_place(&mut b);
        let mut ab = domain.mul_polynomials_in_evaluation_domain(&a, &b);
        domain.ifft_in_place(&mut c);
        coset.fft_in_place(&mut c);
        let vanishing_inv = domain
            .evaluate_vanishing_polynomial(Fr::GENERATOR)
            .inverse()
            .expect("generator is outside the domain");
        ab.par_iter_mut().zip(&c).for_each(|(x, c)| {
            *x -= c;
            *x *= vanishing_inv;
        });
        coset.ifft_in_place(&mut ab);
        std::hint::black_box(ab);
    });
    t
}

/// Wall time of ark-ec's G1 MSM over `bases` with uniformly random (full-size) scalars.
pub fn g1_msm(bases: &[G1Affine], rng: &mut impl Rng) -> Duration {
    let scalars: Vec<Fr> = (0..bases.len()).map(|_| Fr::rand(rng)).collect();
    let (acc, t) = timed(|| G1Projective::msm(bases, &scalars));
    let _ = std::hint::black_box(acc.expect("as many scalars as bases"));
    t
}

/// Wall time of zkfl-msm's G1 MSM (what the prover runs) over prepared `bases` with
/// uniformly random (full-size) scalars.
pub fn g1_msm_ours(
    bases: &zkfl_msm::Bases<'_, ark_bn254::g1::Config>,
    rng: &mut impl Rng,
) -> Duration {
    let scalars: Vec<Fr> = (0..bases.len()).map(|_| Fr::rand(rng)).collect();
    let (acc, t) = timed(|| bases.msm(&scalars));
    let _ = std::hint::black_box(acc.expect("as many scalars as bases"));
    t
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    #[test]
    fn small_domain_runs() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let _ = super::qap_ffts(1 << 6, &mut rng);
    }
}
