//! Bit decompositions: the range checks every integer relation in the circuit rests on.
//!
//! A k-bit value costs k booleanity constraints and is returned as a linear combination of
//! its bits (no further constraint). Checking that an existing variable fits k bits costs
//! one more constraint to link it to that combination.

use ark_bn254::Fr;
use ark_ff::{AdditiveGroup, Field, One, Zero};
use ark_r1cs_std::{
    alloc::AllocVar,
    eq::EqGadget,
    fields::{
        fp::{AllocatedFp, FpVar},
        FieldVar,
    },
    GR1CSVar,
};
use ark_relations::{
    gr1cs::{ConstraintSystemRef, LinearCombination, SynthesisError, Variable},
    lc,
};

use crate::field::low_bits_le;

/// The bits of a value and the value recomposed from them.
pub struct BitsVar {
    bits: Vec<Variable>,
    value: FpVar<Fr>,
    cs: ConstraintSystemRef<Fr>,
}

impl BitsVar {
    /// Allocates the low `k` bits of `value` as Boolean witnesses. The recomposed value is
    /// Σ b_i·2^i, so it lies in [0, 2^k) whatever the prover does; an out-of-range `value`
    /// silently becomes its low bits, which later constraints then reject.
    ///
    /// # Errors
    /// Propagates synthesis errors.
    pub fn alloc(cs: ConstraintSystemRef<Fr>, value: Fr, k: u32) -> Result<Self, SynthesisError> {
        let bits = low_bits_le(&value, k);
        let mut lc = LinearCombination::new();
        let mut coeff = Fr::one();
        let mut recomposed = Fr::zero();
        let mut vars = Vec::with_capacity(k as usize);
        for &bit in &bits {
            let b = cs.new_witness_variable(|| Ok(Fr::from(bit)))?;
            // b · (1 − b) = 0
            cs.enforce_r1cs_constraint(|| lc!() + b, || lc!() + Variable::One - b, || lc!())?;
            lc += (coeff, b);
            if bit {
                recomposed += coeff;
            }
            coeff.double_in_place();
            vars.push(b);
        }
        let var = cs.new_lc(|| lc)?;
        let value = FpVar::Var(AllocatedFp::new(Some(recomposed), var, cs.clone()));
        Ok(Self {
            bits: vars,
            value,
            cs,
        })
    }

    /// Enforces `x ∈ [0, 2^k)` for an existing variable: `k + 1` constraints.
    ///
    /// # Errors
    /// Propagates synthesis errors.
    pub fn enforce(x: &FpVar<Fr>, k: u32) -> Result<Self, SynthesisError> {
        let cs = x.cs();
        let v = x.value().unwrap_or_default();
        let bits = Self::alloc(cs, v, k)?;
        bits.value.enforce_equal(x)?;
        Ok(bits)
    }

    /// Σ b_i·2^i.
    pub fn value(&self) -> &FpVar<Fr> {
        &self.value
    }

    /// ⌊value / 2⌋ = Σ_{i≥1} b_i·2^(i−1), a linear combination.
    ///
    /// # Errors
    /// Propagates synthesis errors.
    pub fn half(&self) -> Result<FpVar<Fr>, SynthesisError> {
        let mut lc = LinearCombination::new();
        let mut coeff = Fr::one();
        for b in self.bits.iter().skip(1) {
            lc += (coeff, *b);
            coeff.double_in_place();
        }
        let value = self.value.value().ok().map(|v| {
            let bits = low_bits_le(&v, self.bits.len() as u32);
            bits.iter()
                .skip(1)
                .rev()
                .fold(Fr::zero(), |acc, &b| acc.double() + Fr::from(b))
        });
        let var = self.cs.new_lc(|| lc)?;
        Ok(FpVar::Var(AllocatedFp::new(value, var, self.cs.clone())))
    }
}

/// Returns z = [x == 0] with every auxiliary variable pinned (3 constraints):
/// x·inv = 1 − z, x·z = 0, z·inv = 0. The third constraint fixes inv = 0 when x = 0,
/// where the usual two-constraint gadget leaves it free.
///
/// # Errors
/// Propagates synthesis errors.
pub fn is_zero(x: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
    let cs = x.cs();
    let xv = x.value().unwrap_or_default();
    let inv = FpVar::new_witness(cs.clone(), || Ok(xv.inverse().unwrap_or_default()))?;
    let z = FpVar::new_witness(cs, || Ok(Fr::from(xv.is_zero())))?;
    x.mul_equals(&inv, &(FpVar::one() - &z))?;
    x.mul_equals(&z, &FpVar::zero())?;
    z.mul_equals(&inv, &FpVar::zero())?;
    Ok(z)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_r1cs_std::GR1CSVar;
    use ark_relations::gr1cs::ConstraintSystem;

    #[test]
    fn range_check_costs_k_plus_one_and_rejects_out_of_range() {
        for (v, ok) in [(0u64, true), (255, true), (256, false)] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let x = FpVar::new_witness(cs.clone(), || Ok(Fr::from(v))).unwrap();
            let bits = BitsVar::enforce(&x, 8).unwrap();
            assert_eq!(cs.num_constraints(), 9);
            assert_eq!(cs.is_satisfied().unwrap(), ok, "v = {v}");
            if ok {
                assert_eq!(bits.value().value().unwrap(), Fr::from(v));
                assert_eq!(bits.half().unwrap().value().unwrap(), Fr::from(v / 2));
            }
        }
        // A "negative" value is a huge field element: rejected.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let x = FpVar::new_witness(cs.clone(), || Ok(-Fr::one())).unwrap();
        BitsVar::enforce(&x, 8).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn is_zero_is_correct_and_pinned() {
        for v in [0u64, 1, 7] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let x = FpVar::new_witness(cs.clone(), || Ok(Fr::from(v))).unwrap();
            let z = is_zero(&x).unwrap();
            assert_eq!(cs.num_constraints(), 3);
            assert!(cs.is_satisfied().unwrap());
            assert_eq!(z.value().unwrap(), Fr::from(v == 0));
        }
    }
}
