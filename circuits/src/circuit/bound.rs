//! The L∞ range check of one update coordinate, in both circuit variants (PROTOCOL.md §4,
//! item 2). Each returns Δ and its commitment digit as linear combinations of range-checked
//! bits, so the digit needs no range check of its own.

use ark_bn254::Fr;
use ark_r1cs_std::{eq::EqGadget, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use super::bits::BitsVar;
use crate::{field::fr_from_i64, params::Shape};

/// One update coordinate in the circuit.
pub struct UpdateVar {
    /// Δ, an integer in the variant's range.
    pub delta: FpVar<Fr>,
    /// Δ plus the shape's update offset: the digit packed into the update's chunk hash,
    /// in [0, 2^stride).
    pub digit: FpVar<Fr>,
}

/// How a chunk circuit bounds its updates.
pub enum LinfVar {
    /// B∞ is public input #1, a (U − 1)-bit integer; t1 = B∞ + Δ and t2 = B∞ − Δ are U-bit
    /// and t1 + t2 = 2·B∞, so −B∞ ≤ Δ ≤ B∞.
    PerRound {
        /// B∞.
        linf: FpVar<Fr>,
        /// 2·B∞, the link of every pair (t1, t2).
        two_linf: FpVar<Fr>,
        /// B∞'s value, for witness generation.
        value: Fr,
        /// U.
        update_bits: u32,
    },
    /// B∞ = 2^j is a constant of the shape and public input #1 is pinned to it. Δ + 2^j is
    /// a (j + 1)-bit integer Σ_{i<j} b_i·2^i + s·2^j: the bits b_i and the sign bit s give
    /// Δ ∈ [0, 2^j) for s = 1 and Δ ∈ [−2^j, 0) for s = 0.
    Fixed {
        /// j.
        bits: u32,
    },
}

impl LinfVar {
    /// Constrains public input #1 for `shape`: a (U − 1)-bit range check per round
    /// (U constraints), equality with 2^j when fixed (1 constraint).
    ///
    /// # Errors
    /// Propagates synthesis errors.
    pub fn new(shape: &Shape, linf: &FpVar<Fr>, value: Fr) -> Result<Self, SynthesisError> {
        match shape.linf_bits {
            None => {
                BitsVar::enforce(linf, shape.update_bits - 1)?;
                Ok(Self::PerRound {
                    linf: linf.clone(),
                    two_linf: linf + linf,
                    value,
                    update_bits: shape.update_bits,
                })
            }
            Some(bits) => {
                linf.enforce_equal(&FpVar::Constant(Fr::from(1u64 << bits)))?;
                Ok(Self::Fixed { bits })
            }
        }
    }

    /// Allocates one update coordinate of value `delta` with its bound: 2U + 1 constraints
    /// per round, j + 1 when fixed.
    ///
    /// # Errors
    /// Propagates synthesis errors.
    pub fn update(
        &self,
        cs: ConstraintSystemRef<Fr>,
        delta: Fr,
    ) -> Result<UpdateVar, SynthesisError> {
        match self {
            Self::PerRound {
                linf,
                two_linf,
                value,
                update_bits,
            } => {
                let t1 = BitsVar::alloc(cs.clone(), *value + delta, *update_bits)?;
                let t2 = BitsVar::alloc(cs, *value - delta, *update_bits)?;
                (t1.value() + t2.value()).enforce_equal(two_linf)?;
                let delta = t1.value() - linf;
                let digit = &delta + FpVar::Constant(fr_from_i64(1i64 << (update_bits - 1)));
                Ok(UpdateVar { delta, digit })
            }
            Self::Fixed { bits } => {
                let offset = Fr::from(1u64 << bits);
                let digit = BitsVar::alloc(cs, delta + offset, bits + 1)?
                    .value()
                    .clone();
                Ok(UpdateVar {
                    delta: &digit - FpVar::Constant(offset),
                    digit,
                })
            }
        }
    }
}
