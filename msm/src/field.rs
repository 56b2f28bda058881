//! The field multiplications of the batch-affine hot loop, forced inline.
//!
//! ark-ff's `Fp` implements `*=` by calling `MontConfig::mul_assign` (itself
//! `#[inline(always)]`) from a function that is not marked inline; at 4 limbs the unrolled
//! Montgomery multiplication is large enough that LLVM keeps that outer function out of
//! line, so every multiplication in [`crate::batch`] is a call whose operands go through the
//! stack. [`Arith`] calls the `MontConfig` functions directly for BN254's Fq (G1), which
//! inlines them into the loop; Fq2 (G2) keeps arkworks' operators. Same arithmetic, same
//! results: the MSM tests compare against ark-ec.

use ark_bn254::{Fq, Fq2, FqConfig};
use ark_ff::{Field, MontConfig};

/// Multiplication and squaring for the hot loop.
pub trait Arith: Field {
    /// self · other.
    fn mul_fast(&self, other: &Self) -> Self;
    /// self².
    fn square_fast(&self) -> Self;
}

impl Arith for Fq {
    #[inline(always)]
    fn mul_fast(&self, other: &Self) -> Self {
        let mut a = *self;
        <FqConfig as MontConfig<4>>::mul_assign(&mut a, other);
        a
    }

    #[inline(always)]
    fn square_fast(&self) -> Self {
        let mut a = *self;
        <FqConfig as MontConfig<4>>::square_in_place(&mut a);
        a
    }
}

impl Arith for Fq2 {
    #[inline(always)]
    fn mul_fast(&self, other: &Self) -> Self {
        *self * other
    }

    #[inline(always)]
    fn square_fast(&self) -> Self {
        self.square()
    }
}
