//! ark-groth16's prover with zkfl-msm in place of ark-ec's MSMs.
//!
//! [`MsmKey::prove`] follows `Groth16::create_proof_with_reduction_and_matrices` of
//! ark-groth16 0.6 step for step: the same R1CS-to-QAP reduction (a type parameter, so
//! the libsnark and the circom reductions both work), the same formulas for A, B and C
//! and the same randomness r, s. Only the five MSMs (H, L, A, B in G1, B in G2) run on
//! bases prepared once per key ([`zkfl_msm::Bases`]). zkfl-msm equals ark-ec's MSM as a
//! group element, so for equal (r, s) the proof is byte-for-byte ark-groth16's: the tests
//! check exactly that.

use ark_bn254::{g1, g2, Bn254, Fr, G1Projective, G2Projective};
use ark_ec::{short_weierstrass::Affine, AffineRepr, CurveGroup};
use ark_ff::{BigInt, PrimeField, Zero};
use ark_groth16::{r1cs_to_qap::R1CSToQAP, Proof, ProvingKey};
use ark_poly::GeneralEvaluationDomain;
use ark_relations::gr1cs::Matrix;
use rayon::prelude::*;
use zkfl_msm::{Bases, Curve, Settings};

use crate::Error;

/// A proving key with its MSM bases prepared.
pub struct MsmKey<'a> {
    pk: &'a ProvingKey<Bn254>,
    h: Bases<'a, g1::Config>,
    l: Bases<'a, g1::Config>,
    a: Bases<'a, g1::Config>,
    b_g1: Bases<'a, g1::Config>,
    b_g2: Bases<'a, g2::Config>,
}

impl<'a> MsmKey<'a> {
    /// Prepares the five queries of `pk` (the A and B queries without their first entry,
    /// which ark-groth16 adds separately).
    ///
    /// # Errors
    /// [`Error::Synthesis`] if a query of `pk` is empty (not a Groth16 key).
    pub fn new(pk: &'a ProvingKey<Bn254>, settings: Settings) -> Result<Self, Error> {
        let tail = |q: &'a [g1::G1Affine], name: &str| {
            q.get(1..)
                .ok_or_else(|| Error::Synthesis(format!("the proving key's {name} query is empty")))
        };
        let b_g2 = pk
            .b_g2_query
            .get(1..)
            .ok_or_else(|| Error::Synthesis("the proving key's B (G2) query is empty".into()))?;
        Ok(Self {
            pk,
            h: Bases::new(&pk.h_query, settings),
            l: Bases::new(&pk.l_query, settings),
            a: Bases::new(tail(&pk.a_query, "A")?, settings),
            b_g1: Bases::new(tail(&pk.b_g1_query, "B (G1)")?, settings),
            b_g2: Bases::new(b_g2, settings),
        })
    }

    /// The proving key.
    pub fn pk(&self) -> &'a ProvingKey<Bn254> {
        self.pk
    }

    /// Bytes the prepared bases hold beyond the proving key.
    pub fn extra_bytes(&self) -> usize {
        self.h.extra_bytes()
            + self.l.extra_bytes()
            + self.a.extra_bytes()
            + self.b_g1.extra_bytes()
            + self.b_g2.extra_bytes()
    }

    /// A Groth16 proof of `full_assignment` = (1, inputs…, witnesses…) with randomness
    /// `r`, `s`, the R1CS-to-QAP reduction `QAP` and the circuit's `matrices`.
    ///
    /// # Errors
    /// [`Error::Synthesis`] if the reduction fails or the assignment does not fit the key.
    pub fn prove<QAP: R1CSToQAP>(
        &self,
        r: Fr,
        s: Fr,
        matrices: &[Matrix<Fr>],
        num_inputs: usize,
        num_constraints: usize,
        full_assignment: &[Fr],
    ) -> Result<Proof<Bn254>, Error> {
        let pk = self.pk;
        let h = QAP::witness_map_from_matrices::<Fr, GeneralEvaluationDomain<Fr>>(
            matrices,
            num_inputs,
            num_constraints,
            full_assignment,
        )
        .map_err(|e| Error::Synthesis(format!("R1CS-to-QAP reduction: {e}")))?;
        // The quotient has domain-size coefficients, the H query one fewer (the top one is
        // zero); ark-groth16's MSM drops the extra coefficient, and so do we.
        let h = h.get(..self.h.len()).ok_or_else(|| {
            Error::Synthesis(format!(
                "the quotient has {} coefficients but the key's H query {} points (the key does not fit the circuit)",
                h.len(),
                self.h.len()
            ))
        })?;
        let h_acc = msm(&self.h, &bigints(h), "H")?;

        // Every variable but the constant 1: the A and B queries' tail and, from the
        // inputs on, the L query.
        let assignment = bigints(full_assignment.get(1..).unwrap_or_default());
        let aux = assignment
            .get(num_inputs.saturating_sub(1)..)
            .ok_or_else(|| {
                Error::Synthesis(format!(
                    "{num_inputs} inputs but an assignment of {} values",
                    full_assignment.len()
                ))
            })?;
        let l_aux_acc = msm(&self.l, aux, "L")?;
        let r_s_delta_g1 = pk.delta_g1 * (r * s);

        let r_g1 = pk.delta_g1 * r;
        let g_a = coeff(r_g1, &pk.a_query, pk.vk.alpha_g1, &self.a, &assignment, "A")?;
        let s_g_a = g_a * s;

        let g1_b = if r.is_zero() {
            G1Projective::zero()
        } else {
            let s_g1 = pk.delta_g1 * s;
            coeff(
                s_g1,
                &pk.b_g1_query,
                pk.beta_g1,
                &self.b_g1,
                &assignment,
                "B (G1)",
            )?
        };

        let s_g2 = pk.vk.delta_g2 * s;
        let g2_b: G2Projective = coeff(
            s_g2,
            &pk.b_g2_query,
            pk.vk.beta_g2,
            &self.b_g2,
            &assignment,
            "B (G2)",
        )?;
        let r_g1_b = g1_b * r;

        let mut g_c = s_g_a;
        g_c += &r_g1_b;
        g_c -= &r_s_delta_g1;
        g_c += &l_aux_acc;
        g_c += &h_acc;
        Ok(Proof {
            a: g_a.into_affine(),
            b: g2_b.into_affine(),
            c: g_c.into_affine(),
        })
    }
}

fn bigints(v: &[Fr]) -> Vec<BigInt<4>> {
    v.par_iter().map(|x| x.into_bigint()).collect()
}

fn msm<P: Curve>(
    bases: &Bases<'_, P>,
    scalars: &[BigInt<4>],
    query: &str,
) -> Result<ark_ec::short_weierstrass::Projective<P>, Error> {
    bases.msm_bigint(scalars).map_err(|e| {
        Error::Synthesis(format!(
            "{query} query: {e} (the key does not fit the circuit)"
        ))
    })
}

/// initial + query[0] + Σ assignment·query[1..] + vk_param, as ark-groth16's
/// `calculate_coeff`.
fn coeff<P: Curve>(
    initial: ark_ec::short_weierstrass::Projective<P>,
    query: &[Affine<P>],
    vk_param: Affine<P>,
    tail: &Bases<'_, P>,
    assignment: &[BigInt<4>],
    name: &str,
) -> Result<ark_ec::short_weierstrass::Projective<P>, Error> {
    let first = query.first().copied().unwrap_or_else(Affine::zero);
    let mut res = initial;
    res += first;
    res += msm(tail, assignment, name)?;
    res += vk_param;
    Ok(res)
}
