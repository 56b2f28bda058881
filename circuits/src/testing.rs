//! Helpers for soundness tests: synthesise a circuit, then check arbitrary assignments
//! against its R1CS matrices (so tests can mutate a witness after synthesis).

use ark_bn254::Fr;
use ark_ff::Zero;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, Matrix, OptimizationGoal,
    SynthesisMode, R1CS_PREDICATE_LABEL,
};

/// A synthesised R1CS instance: matrices A, B, C and the full assignment
/// z = (1, instance…, witness…).
pub struct R1cs {
    /// A, B, C.
    pub matrices: [Matrix<Fr>; 3],
    /// The full assignment.
    pub z: Vec<Fr>,
    /// Number of instance variables including the leading 1.
    pub num_instance: usize,
    /// For each variable, the rows it appears in.
    pub rows_of: Vec<Vec<usize>>,
}

/// Synthesises `circuit` in prove mode with matrices and returns the constraint system.
///
/// # Panics
/// If synthesis fails (tests only).
pub fn synthesize<C: ConstraintSynthesizer<Fr>>(circuit: C) -> ConstraintSystemRef<Fr> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: true,
        generate_lc_assignments: true,
    });
    circuit.generate_constraints(cs.clone()).expect("synthesis");
    cs.finalize();
    cs
}

impl R1cs {
    /// Synthesises and extracts the matrices and assignment.
    ///
    /// # Panics
    /// If synthesis fails (tests only).
    pub fn new<C: ConstraintSynthesizer<Fr>>(circuit: C) -> Self {
        let cs = synthesize(circuit);
        let mut mats = cs
            .to_matrices()
            .expect("matrices")
            .remove(R1CS_PREDICATE_LABEL)
            .expect("r1cs");
        let c = mats.pop().expect("C");
        let b = mats.pop().expect("B");
        let a = mats.pop().expect("A");
        let inner = cs.borrow().expect("cs");
        let mut z = vec![Fr::from(1u64)];
        z.extend_from_slice(&inner.assignments.instance_assignment[1..]);
        let num_instance = z.len();
        z.extend_from_slice(&inner.assignments.witness_assignment);
        let mut rows_of = vec![Vec::new(); z.len()];
        for m in [&a, &b, &c] {
            for (row, entries) in m.iter().enumerate() {
                for &(_, col) in entries {
                    if rows_of[col].last() != Some(&row) {
                        rows_of[col].push(row);
                    }
                }
            }
        }
        for r in rows_of.iter_mut() {
            r.sort_unstable();
            r.dedup();
        }
        Self {
            matrices: [a, b, c],
            z,
            num_instance,
            rows_of,
        }
    }

    fn eval(row: &[(Fr, usize)], z: &[Fr]) -> Fr {
        row.iter().map(|(c, i)| *c * z[*i]).sum()
    }

    /// Whether row `i` holds for assignment `z`.
    pub fn row_holds(&self, i: usize, z: &[Fr]) -> bool {
        let [a, b, c] = &self.matrices;
        Self::eval(&a[i], z) * Self::eval(&b[i], z) == Self::eval(&c[i], z)
    }

    /// Whether every constraint holds for `z`.
    pub fn is_satisfied_by(&self, z: &[Fr]) -> bool {
        (0..self.matrices[0].len()).all(|i| self.row_holds(i, z))
    }

    /// Number of constraints.
    pub fn num_constraints(&self) -> usize {
        self.matrices[0].len()
    }

    /// Witness variables (indices into `z`) that can be changed alone while every
    /// constraint still holds: each one is an under-constrained variable.
    pub fn free_witness_variables(&self, sample: impl Iterator<Item = usize>) -> Vec<usize> {
        let mut z = self.z.clone();
        let mut free = Vec::new();
        for var in sample {
            let original = z[var];
            // Two different perturbations: +1 and a large unrelated value.
            for delta in [Fr::from(1u64), Fr::from(0x1234_5678_9abc_def1u64)] {
                z[var] = original + delta;
                if self.rows_of[var].iter().all(|&r| self.row_holds(r, &z)) {
                    free.push(var);
                    break;
                }
            }
            z[var] = original;
        }
        free
    }

    /// Whether the assignment has any nonzero witness (sanity check for tests).
    pub fn has_witness(&self) -> bool {
        self.z[self.num_instance..].iter().any(|x| !x.is_zero())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_r1cs_std::{alloc::AllocVar, eq::EqGadget, fields::fp::FpVar};
    use ark_relations::gr1cs::SynthesisError;

    /// x·y = out with `out` public: y is pinned by x ≠ 0, but `spare` is free.
    struct Leaky;
    impl ConstraintSynthesizer<Fr> for Leaky {
        fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
            let out = FpVar::new_input(cs.clone(), || Ok(Fr::from(6u64)))?;
            let x = FpVar::new_witness(cs.clone(), || Ok(Fr::from(2u64)))?;
            let y = FpVar::new_witness(cs.clone(), || Ok(Fr::from(3u64)))?;
            let spare = FpVar::new_witness(cs.clone(), || Ok(Fr::from(9u64)))?;
            (&x * &y).enforce_equal(&out)?;
            x.enforce_equal(&FpVar::Constant(Fr::from(2u64)))?;
            (&spare * &FpVar::Constant(Fr::zero())).enforce_equal(&FpVar::Constant(Fr::zero()))?;
            Ok(())
        }
    }

    #[test]
    fn finds_an_unconstrained_variable() {
        let r1cs = R1cs::new(Leaky);
        assert!(r1cs.is_satisfied_by(&r1cs.z));
        let free = r1cs.free_witness_variables(r1cs.num_instance..r1cs.z.len());
        // x, y and x·y are pinned; `spare` (witness #2) is not.
        assert_eq!(free, vec![r1cs.num_instance + 2]);
    }
}
