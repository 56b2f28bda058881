//! Groth16 verification of one proof and of a batch of proofs under one key.
//!
//! A proof (A, B, C) for inputs x verifies iff e(A, B) = e(α, β)·e(IC(x), γ)·e(C, δ) with
//! IC(x) = IC_0 + Σ_i x_i·IC_i. A batch picks random nonzero ρ_k and checks
//!
//! ```text
//! Π_k e(ρ_k·A_k, B_k) · e(−Σρ_k·α, β) · e(−Σ_k ρ_k·IC(x_k), γ) · e(−Σρ_k·C_k, δ) = 1
//! ```
//!
//! as one multi-pairing of k + 3 pairs (one shared final exponentiation). The γ term is
//! computed as a single MSM over the key's IC points with scalars Σ_k ρ_k·x_{k,i}, so the
//! batch does no per-proof MSM at all.

use ark_bn254::{Bn254, Fr, G1Affine, G1Projective};
use ark_ec::{
    pairing::{Pairing, PairingOutput},
    AffineRepr, CurveGroup, VariableBaseMSM,
};
use ark_ff::{One, Zero};
use ark_groth16::{prepare_verifying_key, Groth16, PreparedVerifyingKey, Proof, VerifyingKey};
use rand::{CryptoRng, Rng, RngCore};

type G2Prepared = <Bn254 as Pairing>::G2Prepared;

/// A verifying key with everything precomputed that single and batched checks reuse.
#[derive(Clone, Debug)]
pub struct PreparedKey {
    pvk: PreparedVerifyingKey<Bn254>,
    /// −β in prepared form: the batch equation moves every term to one side (−γ and −δ are
    /// already prepared inside `pvk`).
    neg_beta: G2Prepared,
}

impl PreparedKey {
    /// Prepares `vk` (one pairing and three G2 line precomputations).
    pub fn new(vk: &VerifyingKey<Bn254>) -> Self {
        Self {
            pvk: prepare_verifying_key(vk),
            neg_beta: (-vk.beta_g2.into_group()).into_affine().into(),
        }
    }

    /// The plain verifying key.
    pub fn vk(&self) -> &VerifyingKey<Bn254> {
        &self.pvk.vk
    }

    /// Number of public inputs the key expects (0 for a malformed key without IC points,
    /// which [`verify_single`] and [`verify_batch`] refuse).
    pub fn num_inputs(&self) -> usize {
        self.pvk.vk.gamma_abc_g1.len().saturating_sub(1)
    }

    fn check_len(&self, index: usize, inputs: &[Fr]) -> Result<(), BatchError> {
        if self.pvk.vk.gamma_abc_g1.is_empty() {
            return Err(BatchError::NoIcPoints);
        }
        if inputs.len() != self.num_inputs() {
            // ark-groth16's prepare_inputs zips inputs with the key and would silently
            // ignore extra inputs or treat missing ones as zero: refuse instead.
            return Err(BatchError::InputCount {
                index,
                expected: self.num_inputs(),
                got: inputs.len(),
            });
        }
        Ok(())
    }
}

/// One proof with the public inputs it claims.
#[derive(Clone, Debug, PartialEq)]
pub struct ProofItem {
    /// The proof.
    pub proof: Proof<Bn254>,
    /// Its public inputs, in circuit order.
    pub inputs: Vec<Fr>,
}

/// A batch that cannot even be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// A verifying key without IC points (every Groth16 key has at least IC_0).
    #[error("the verifying key has no IC points")]
    NoIcPoints,
    /// A proof with a public-input vector of the wrong length for the key.
    #[error("proof #{index} has {got} public inputs but the key expects {expected}")]
    InputCount {
        /// Position in the batch.
        index: usize,
        /// Inputs the key expects.
        expected: usize,
        /// Inputs given.
        got: usize,
    },
}

/// IC(x) = IC_0 + Σ x_i·IC_i, for inputs of checked length.
fn prepared_inputs(key: &PreparedKey, inputs: &[Fr]) -> G1Projective {
    let ic = &key.pvk.vk.gamma_abc_g1;
    ic[0].into_group() + G1Projective::msm_unchecked(&ic[1..], inputs)
}

/// Verifies one proof with the prepared key (3 pairings, one final exponentiation).
///
/// # Errors
/// [`BatchError::InputCount`] if `inputs` does not have the key's length.
pub fn verify_single(
    key: &PreparedKey,
    proof: &Proof<Bn254>,
    inputs: &[Fr],
) -> Result<bool, BatchError> {
    key.check_len(0, inputs)?;
    let x = prepared_inputs(key, inputs);
    // The only error ark-groth16 can return here is an R1CS error it never produces for
    // verification; treat it as a rejection rather than trusting a value.
    Ok(Groth16::<Bn254>::verify_proof_with_prepared_inputs(&key.pvk, proof, &x).unwrap_or(false))
}

/// Verifies all `items` with one random linear combination (k + 3 pairings). Returns
/// `true` for an empty batch. A `false` says some proof is invalid, not which: re-check
/// with [`verify_single`] to find it.
///
/// `rng` must be a CSPRNG whose output the prover cannot predict; see the crate docs.
///
/// # Errors
/// [`BatchError::InputCount`] naming the first item with the wrong number of inputs.
pub fn verify_batch<R: RngCore + CryptoRng>(
    key: &PreparedKey,
    items: &[ProofItem],
    rng: &mut R,
) -> Result<bool, BatchError> {
    for (i, item) in items.iter().enumerate() {
        key.check_len(i, &item.inputs)?;
    }
    if items.is_empty() {
        return Ok(true);
    }
    let l = key.num_inputs();
    // 128-bit nonzero multipliers: a forged batch passes with probability ≤ 2^-128, and
    // short scalars halve the cost of the ρ_k·A_k multiplications.
    let rhos: Vec<Fr> = items
        .iter()
        .map(|_| loop {
            let r: u128 = rng.gen();
            if r != 0 {
                break Fr::from(r);
            }
        })
        .collect();
    let rho_sum: Fr = rhos.iter().sum();

    // Σ_k ρ_k·IC(x_k) = (Σρ_k)·IC_0 + Σ_i (Σ_k ρ_k x_{k,i})·IC_i: one MSM of size l + 1.
    let mut ic_scalars = vec![Fr::zero(); l + 1];
    ic_scalars[0] = rho_sum;
    for (item, rho) in items.iter().zip(&rhos) {
        for (s, x) in ic_scalars[1..].iter_mut().zip(&item.inputs) {
            *s += *rho * x;
        }
    }
    let ic_acc = G1Projective::msm_unchecked(&key.pvk.vk.gamma_abc_g1, &ic_scalars);
    let cs: Vec<G1Affine> = items.iter().map(|i| i.proof.c).collect();
    let c_acc = G1Projective::msm_unchecked(&cs, &rhos);
    let alpha_acc = key.pvk.vk.alpha_g1 * rho_sum;

    let scaled_a: Vec<G1Projective> = items
        .iter()
        .zip(&rhos)
        .map(|(i, rho)| i.proof.a * rho)
        .collect();
    let mut g1: Vec<G1Affine> = G1Projective::normalize_batch(&scaled_a);
    g1.extend(G1Projective::normalize_batch(&[alpha_acc, ic_acc, c_acc]));
    let mut g2: Vec<G2Prepared> = items.iter().map(|i| i.proof.b.into()).collect();
    g2.extend([
        key.neg_beta.clone(),
        key.pvk.gamma_g2_neg_pc.clone(),
        key.pvk.delta_g2_neg_pc.clone(),
    ]);
    let ml = Bn254::multi_miller_loop(g1, g2);
    Ok(Bn254::final_exponentiation(ml).is_some_and(|PairingOutput(f)| f.is_one()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::PrimeGroup;

    /// Honest and tampered real proofs are exercised in tests/; here only the length checks,
    /// the empty batch and a garbage proof, which need no circuit.
    #[test]
    fn refuses_wrong_input_counts() {
        let g1 = G1Affine::generator();
        let g2 = ark_bn254::G2Affine::generator();
        let vk = VerifyingKey::<Bn254> {
            alpha_g1: g1,
            beta_g2: g2,
            gamma_g2: g2,
            delta_g2: (ark_bn254::G2Projective::generator() * Fr::from(2u64)).into_affine(),
            gamma_abc_g1: vec![g1, g1],
        };
        let key = PreparedKey::new(&vk);
        assert_eq!(key.num_inputs(), 1);
        let proof = Proof::<Bn254> {
            a: g1,
            b: g2,
            c: g1,
        };
        let mut rng = rand::rngs::OsRng;
        assert_eq!(verify_batch(&key, &[], &mut rng), Ok(true));
        let item = ProofItem {
            proof: proof.clone(),
            inputs: vec![Fr::one(), Fr::one()],
        };
        assert_eq!(
            verify_batch(&key, &[item], &mut rng),
            Err(BatchError::InputCount {
                index: 0,
                expected: 1,
                got: 2
            })
        );
        assert!(verify_single(&key, &proof, &[]).is_err());
        // e(g, g) = e(g, g)·e(IC(x), g)·e(g, 2g) has no reason to hold: rejected, no panic.
        assert_eq!(verify_single(&key, &proof, &[Fr::one()]), Ok(false));
    }
}
