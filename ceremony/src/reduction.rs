//! The odd-coset ("circom") R1CS-to-QAP reduction that snarkjs keys need.
//!
//! snarkjs's H query holds, for a domain of size N with ω a primitive 2N-th root of unity,
//! the size-2N Lagrange basis at the odd points: H_i = L_{2i+1}(τ)/δ. The prover therefore
//! needs p = A·B − C evaluated on the odd coset ω·⟨ω²⟩, where the vanishing polynomial
//! x^N − 1 is the constant −2 and needs no division: p has degree < 2N and vanishes on the
//! even points, so p(τ) = Σ_i p(ω^{2i+1})·L_{2i+1}(τ). arkworks' default
//! `LibsnarkReduction` instead returns the coefficients of H on its own coset, which do not
//! fit these keys, so a proof made with it against a ceremony key does not verify.
//!
//! Written here rather than taken from ark-circom: it is these 60 lines, while ark-circom
//! 0.6 also brings a witness calculator (wasmer) and an Ethereum stack in its default
//! features and, without them, still a `.zkey` reader that loads the whole file and skips
//! the contribution section this crate needs anyway. Unlike ark-circom's, this version
//! takes C from the matrix rather than assuming C = A·B, so an unsatisfied witness gives a
//! proof that does not verify instead of a valid-looking one for a different C, and it also
//! implements the setup side (`h_query_scalars`), so arkworks' own generator can make
//! odd-coset keys for tests.

use ark_ff::PrimeField;
use ark_groth16::r1cs_to_qap::{evaluate_constraint, LibsnarkReduction, R1CSToQAP};
use ark_poly::EvaluationDomain;
use ark_relations::gr1cs::{ConstraintSystemRef, Matrix, SynthesisError};
use rayon::prelude::*;

/// The reduction of circom/snarkjs keys (module docs).
pub struct CircomReduction;

impl R1CSToQAP for CircomReduction {
    #[allow(clippy::type_complexity)]
    fn instance_map_with_evaluation<F: PrimeField, D: EvaluationDomain<F>>(
        cs: ConstraintSystemRef<F>,
        t: &F,
    ) -> Result<(Vec<F>, Vec<F>, Vec<F>, F, usize, usize), SynthesisError> {
        // A, B, C at τ do not depend on how H is represented.
        LibsnarkReduction::instance_map_with_evaluation::<F, D>(cs, t)
    }

    fn witness_map_from_matrices<F: PrimeField, D: EvaluationDomain<F>>(
        matrices: &[Matrix<F>],
        num_inputs: usize,
        num_constraints: usize,
        full_assignment: &[F],
    ) -> Result<Vec<F>, SynthesisError> {
        let domain =
            D::new(num_constraints + num_inputs).ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        let n = domain.size();
        let (ma, mb, mc) = match matrices {
            [a, b, c, ..] => (a, b, c),
            _ => return Err(SynthesisError::Unsatisfiable),
        };
        let mut a = vec![F::zero(); n];
        let mut b = vec![F::zero(); n];
        let mut c = vec![F::zero(); n];
        a[..num_constraints]
            .par_iter_mut()
            .zip(&mut b[..num_constraints])
            .zip(&mut c[..num_constraints])
            .enumerate()
            .for_each(|(i, ((a, b), c))| {
                *a = evaluate_constraint(&ma[i], full_assignment);
                *b = evaluate_constraint(&mb[i], full_assignment);
                *c = evaluate_constraint(&mc[i], full_assignment);
            });
        // The rows that bind the public inputs (1·x_s in A), as in snarkjs and arkworks.
        a[num_constraints..num_constraints + num_inputs]
            .copy_from_slice(&full_assignment[..num_inputs]);

        let omega = D::new(2 * n)
            .ok_or(SynthesisError::PolynomialDegreeTooLarge)?
            .element(1);
        let coset = domain
            .get_coset(omega)
            .ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        for v in [&mut a, &mut b, &mut c] {
            domain.ifft_in_place(v);
            coset.fft_in_place(v);
        }
        a.par_iter_mut()
            .zip(b.par_iter())
            .zip(c.par_iter())
            .for_each(|((a, b), c)| *a = *a * b - c);
        Ok(a)
    }

    fn h_query_scalars<F: PrimeField, D: EvaluationDomain<F>>(
        max_power: usize,
        t: F,
        _zt: F,
        delta_inverse: F,
    ) -> Result<Vec<F>, SynthesisError> {
        let n = max_power + 1;
        let double = D::new(2 * n).ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        Ok(double
            .evaluate_all_lagrange_coefficients(t)
            .into_iter()
            .skip(1)
            .step_by(2)
            .map(|l| l * delta_inverse)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Bn254, Fr};
    use ark_groth16::Groth16;
    use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef};
    use ark_relations::lc;
    use ark_snark::SNARK;
    use rand::SeedableRng;

    /// x · y = z with x public: small enough to set up in milliseconds.
    #[derive(Clone)]
    struct Mul(Fr, Fr, Fr);

    impl ConstraintSynthesizer<Fr> for Mul {
        fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
            let x = cs.new_input_variable(|| Ok(self.0))?;
            let y = cs.new_witness_variable(|| Ok(self.1))?;
            let z = cs.new_witness_variable(|| Ok(self.2))?;
            let w = cs.new_witness_variable(|| Ok(self.1 * self.2))?;
            cs.enforce_r1cs_constraint(|| lc!() + x, || lc!() + y, || lc!() + z)?;
            cs.enforce_r1cs_constraint(|| lc!() + y, || lc!() + z, || lc!() + w)
        }
    }

    #[test]
    fn odd_coset_keys_prove_with_this_reduction_and_refuse_libsnarks() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        let (x, y) = (Fr::from(3u64), Fr::from(5u64));
        let good = Mul(x, y, x * y);
        let (pk, vk) =
            Groth16::<Bn254, CircomReduction>::circuit_specific_setup(good.clone(), &mut rng)
                .unwrap();
        let proof = Groth16::<Bn254, CircomReduction>::prove(&pk, good.clone(), &mut rng).unwrap();
        assert!(Groth16::<Bn254, CircomReduction>::verify(&vk, &[x], &proof).unwrap());
        assert!(
            !Groth16::<Bn254, CircomReduction>::verify(&vk, &[x + Fr::from(1u64)], &proof).unwrap()
        );
        // The default reduction's H does not fit an odd-coset key.
        let wrong = Groth16::<Bn254>::prove(&pk, good, &mut rng).unwrap();
        assert!(!Groth16::<Bn254>::verify(&vk, &[x], &wrong).unwrap());
        // A witness that breaks a constraint gives a proof that does not verify (arkworks'
        // own prover would stop at a debug assertion first, so go through the matrices).
        let cs = ark_relations::gr1cs::ConstraintSystem::<Fr>::new_ref();
        cs.set_mode(ark_relations::gr1cs::SynthesisMode::Setup);
        good_again(x, y).generate_constraints(cs.clone()).unwrap();
        cs.finalize();
        let m = cs
            .to_matrices()
            .unwrap()
            .remove(ark_relations::gr1cs::R1CS_PREDICATE_LABEL)
            .unwrap();
        let prove = |z: Fr| {
            let full = [Fr::from(1u64), x, y, z, y * z];
            Groth16::<Bn254, CircomReduction>::create_proof_with_reduction_and_matrices(
                &pk,
                Fr::from(7u64),
                Fr::from(9u64),
                &m,
                2,
                2,
                &full,
            )
            .unwrap()
        };
        assert!(Groth16::<Bn254, CircomReduction>::verify(&vk, &[x], &prove(x * y)).unwrap());
        let bad = prove(x * y + Fr::from(1u64));
        assert!(!Groth16::<Bn254, CircomReduction>::verify(&vk, &[x], &bad).unwrap());
    }

    fn good_again(x: Fr, y: Fr) -> Mul {
        Mul(x, y, x * y)
    }
}
