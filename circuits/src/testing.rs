//! Helpers for tests and benchmarks: seeded random honest rounds ([`RandomRound`]), and
//! synthesising a circuit then checking arbitrary assignments against its R1CS matrices
//! (so soundness tests can mutate a witness after synthesis).

use ark_bn254::Fr;
use ark_ff::Zero;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, Matrix, OptimizationGoal,
    SynthesisMode, R1CS_PREDICATE_LABEL,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

use crate::{
    commit::random_salts as salts, Bounds, ClientSlot, Round, RoundError, RoundInput, Shape,
};

/// A seeded random honest round: every client's update within B∞, B₂² = (B∞·⌈√d⌉)² (so no
/// honest update can exceed it), model values in ±2^20, salts uniform. The same fields give
/// the same round.
#[derive(Clone, Debug)]
pub struct RandomRound {
    /// The circuit shape.
    pub shape: Shape,
    /// Parameters in the model.
    pub d: usize,
    /// B∞ in fixed-point units; updates are drawn from [−B∞, B∞].
    pub linf: u64,
    /// Client weights are drawn from 1..max_weight.
    pub max_weight: u64,
    /// Slots that carry the canonical empty commitment (weight 0, zero update).
    pub empty: Vec<usize>,
    /// Slots with weight 0 but a real update, which verifiers must refuse.
    pub zero_weight: Vec<usize>,
    /// Seed of the ChaCha20 stream everything is drawn from.
    pub seed: u64,
}

impl RandomRound {
    /// Every slot a client, B∞ = 1000, weights in 1..200, seed 7.
    pub fn new(shape: Shape, d: usize) -> Self {
        Self {
            shape,
            d,
            linf: 1000,
            max_weight: 200,
            empty: Vec::new(),
            zero_weight: Vec::new(),
            seed: 7,
        }
    }

    /// Leaves the last `k` slots empty.
    pub fn empty_last(mut self, k: usize) -> Self {
        self.empty = (self.shape.slots.saturating_sub(k)..self.shape.slots).collect();
        self
    }

    /// The input of a round that starts from a random genesis model.
    pub fn input(&self) -> RoundInput {
        let mut rng = ChaCha20Rng::seed_from_u64(self.seed);
        let model = (0..self.d)
            .map(|_| rng.gen_range(-(1i64 << 20)..(1i64 << 20)))
            .collect();
        let model_salts = salts(&mut rng, self.shape.num_chunks(self.d));
        self.fill(&mut rng, model, model_salts)
    }

    /// The input of a round that continues from `model`, committed with `model_salts`.
    pub fn input_from(&self, model: Vec<i64>, model_salts: Vec<Fr>) -> RoundInput {
        self.fill(
            &mut ChaCha20Rng::seed_from_u64(self.seed),
            model,
            model_salts,
        )
    }

    /// Builds [`Self::input`].
    ///
    /// # Errors
    /// [`RoundError`] if the shape cannot hold the round (e.g. B₂² above 2^Nb).
    pub fn build(&self) -> Result<Round, RoundError> {
        Round::build(self.input())
    }

    fn fill(&self, rng: &mut ChaCha20Rng, model: Vec<i64>, model_salts: Vec<Fr>) -> RoundInput {
        let (shape, d, linf) = (self.shape, self.d, self.linf as i64);
        let k = shape.num_chunks(d);
        let slots = (0..shape.slots)
            .map(|i| {
                if self.empty.contains(&i) {
                    return ClientSlot::empty(&shape, d);
                }
                let weight = if self.zero_weight.contains(&i) {
                    0
                } else {
                    rng.gen_range(1..self.max_weight)
                };
                ClientSlot {
                    weight,
                    update: (0..d).map(|_| rng.gen_range(-linf..=linf)).collect(),
                    salts: salts(rng, k),
                }
            })
            .collect();
        RoundInput {
            shape,
            model,
            model_salts,
            slots,
            // (B∞·⌈√d⌉)² ≥ B∞²·d, so no honest update exceeds it, and a perfect square, as
            // every B₂² from a float bound is (PROTOCOL.md §5).
            bounds: Bounds {
                linf: self.linf,
                l2_sq: (u128::from(self.linf)
                    * (d as u128).saturating_sub(1).isqrt().saturating_add(1))
                .pow(2),
            },
            new_model_salts: salts(rng, k),
            acc_salts: salts(rng, k + 1),
        }
    }
}

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
