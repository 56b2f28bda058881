//! The field multiplications of the batch-affine hot loop.
//!
//! Two things make arkworks' `Fq` multiplication slower than it needs to be here:
//! - ark-ff implements `*=` by calling `MontConfig::mul_assign` (itself
//!   `#[inline(always)]`) from a function that is not marked inline; at 4 limbs LLVM keeps
//!   that outer function out of line, so every multiplication in [`crate::batch`] is a call
//!   whose operands go through the stack. [`Arith`] calls the `MontConfig` functions
//!   directly, which inlines them into the loop.
//! - ark-ff's own assembly (MULX with two carry chains, ADCX and ADOX) is compiled only when
//!   the whole build targets BMI2 and ADX (`-C target-feature=+bmi2,+adx`), which a default
//!   build does not. [`adx`] is the same technique behind a run-time check: on a CPU with
//!   both extensions, [`Arith`] multiplies Fq with it, otherwise with the portable code.
//!
//! Fq2 (G2) keeps arkworks' operators. The results are the same field elements either way:
//! the tests below compare with arkworks, and the MSM tests compare whole MSMs with ark-ec.

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
        #[cfg(target_arch = "x86_64")]
        if adx::available() {
            return adx::mul(self, other);
        }
        let mut a = *self;
        <FqConfig as MontConfig<4>>::mul_assign(&mut a, other);
        a
    }

    #[inline(always)]
    fn square_fast(&self) -> Self {
        #[cfg(target_arch = "x86_64")]
        if adx::available() {
            return adx::mul(self, self);
        }
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

/// Montgomery multiplication in Fq with MULX, ADCX and ADOX (BMI2 and ADX).
///
/// The coarsely integrated operand scanning (CIOS) form for a modulus with a spare bit,
/// as in ark-ff's and gnark-crypto's assembly: for each limb bᵢ of b,
/// 1. t += a·bᵢ: the low halves of the four products aⱼ·bᵢ go into tⱼ on one carry chain
///    (ADOX, the overflow flag), the high halves into tⱼ₊₁ on the other (ADCX, the carry
///    flag), so the two chains interleave without saving flags;
/// 2. m = t₀·(−p⁻¹) mod 2⁶⁴, and t += m·p the same way, which makes t₀ zero;
/// 3. t is shifted down one limb by renaming: the five accumulators rotate.
///
/// With a, b < p and p < 2²⁵⁴ every t stays below 2p < 2²⁵⁶ after the shift, and below
/// 2³²⁰ before it, so four limbs plus one carry limb always hold it and one conditional
/// subtraction of p ends in [0, p): the same canonical Montgomery form arkworks produces.
#[cfg(target_arch = "x86_64")]
mod adx {
    use ark_bn254::{Fq, FqConfig};
    use ark_ff::{BigInt, Fp, MontConfig};

    /// p's four limbs, then −p⁻¹ mod 2⁶⁴: what the assembly reads through one pointer.
    static CONSTANTS: [u64; 5] = {
        let p = <FqConfig as MontConfig<4>>::MODULUS.0;
        [p[0], p[1], p[2], p[3], <FqConfig as MontConfig<4>>::INV]
    };

    // The argument of the spare-bit form: p's top limb leaves room for the carries.
    const _: () = assert!(CONSTANTS[3] < u64::MAX >> 2);

    /// Whether this CPU has BMI2 and ADX (std caches the detection; this is a load and a
    /// test).
    #[inline(always)]
    pub(super) fn available() -> bool {
        std::is_x86_feature_detected!("bmi2") && std::is_x86_feature_detected!("adx")
    }

    /// t += src·rdx into accumulators $t0..$t4 (low to high), `src` four limbs in memory:
    /// the low halves of the products on the ADOX chain, the high halves on the ADCX chain
    /// (both flags clear on entry), both chains ending in $t4.
    #[rustfmt::skip]
    macro_rules! mul_add {
        ($src:literal, $t0:literal, $t1:literal, $t2:literal, $t3:literal, $t4:literal) => {
            concat!(
                "mulx {hi}, {lo}, qword ptr [", $src, "]\n",
                "adox {", $t0, "}, {lo}\n", "adcx {", $t1, "}, {hi}\n",
                "mulx {hi}, {lo}, qword ptr [", $src, " + 8]\n",
                "adox {", $t1, "}, {lo}\n", "adcx {", $t2, "}, {hi}\n",
                "mulx {hi}, {lo}, qword ptr [", $src, " + 16]\n",
                "adox {", $t2, "}, {lo}\n", "adcx {", $t3, "}, {hi}\n",
                "mulx {hi}, {lo}, qword ptr [", $src, " + 24]\n",
                "adox {", $t3, "}, {lo}\n", "adcx {", $t4, "}, {hi}\n",
                "adox {", $t4, "}, {zero}\n",
            )
        };
    }

    /// One row: t += a·b[off] into accumulators $t0..$t4 ($t4 is cleared first), then
    /// t += m·p with m = t0·(−p⁻¹), which zeroes $t0.
    #[rustfmt::skip]
    macro_rules! row {
        ($off:literal, $t0:literal, $t1:literal, $t2:literal, $t3:literal, $t4:literal) => {
            concat!(
                "xor {", $t4, ":e}, {", $t4, ":e}\n",
                "mov rdx, qword ptr [{b} + ", $off, "]\n",
                mul_add!("{a}", $t0, $t1, $t2, $t3, $t4),
                "mov rdx, {", $t0, "}\n",
                "imul rdx, qword ptr [{k} + 32]\n",
                "xor {lo:e}, {lo:e}\n",
                mul_add!("{k}", $t0, $t1, $t2, $t3, $t4),
            )
        };
    }

    /// a·b in Montgomery form. Call only when [`available`].
    #[inline(always)]
    #[allow(unsafe_code)]
    pub(super) fn mul(a: &Fq, b: &Fq) -> Fq {
        let (a, b) = (&a.0 .0, &b.0 .0);
        let (r0, r1, r2, r3): (u64, u64, u64, u64);
        // SAFETY: the assembly reads the four limbs behind `a` and `b` (live references to
        // [u64; 4]) and the five words of CONSTANTS, writes no memory, touches no stack
        // (`nostack`) and leaves only its declared outputs changed; flags are clobbered,
        // which asm! assumes by default. MULX needs BMI2 and ADCX/ADOX need ADX: every
        // caller checks `available()` first.
        unsafe {
            core::arch::asm!(
                "xor {zero:e}, {zero:e}",
                "xor {x0:e}, {x0:e}",
                "xor {x1:e}, {x1:e}",
                "xor {x2:e}, {x2:e}",
                "xor {x3:e}, {x3:e}",
                row!("0", "x0", "x1", "x2", "x3", "x4"),
                row!("8", "x1", "x2", "x3", "x4", "x0"),
                row!("16", "x2", "x3", "x4", "x0", "x1"),
                row!("24", "x3", "x4", "x0", "x1", "x2"),
                // t = (x4, x0, x1, x2) < 2p: subtract p unless that borrows.
                "mov {lo}, {x4}",
                "sub {lo}, qword ptr [{k}]",
                "mov {hi}, {x0}",
                "sbb {hi}, qword ptr [{k} + 8]",
                "mov rdx, {x1}",
                "sbb rdx, qword ptr [{k} + 16]",
                "mov {x3}, {x2}",
                "sbb {x3}, qword ptr [{k} + 24]",
                "cmovc {lo}, {x4}",
                "cmovc {hi}, {x0}",
                "cmovc rdx, {x1}",
                "cmovc {x3}, {x2}",
                a = in(reg) a.as_ptr(),
                b = in(reg) b.as_ptr(),
                k = in(reg) CONSTANTS.as_ptr(),
                x0 = out(reg) _,
                x1 = out(reg) _,
                x2 = out(reg) _,
                x3 = out(reg) r3,
                x4 = out(reg) _,
                lo = out(reg) r0,
                hi = out(reg) r1,
                zero = out(reg) _,
                out("rdx") r2,
                options(pure, readonly, nostack),
            );
        }
        Fp::new_unchecked(BigInt([r0, r1, r2, r3]))
    }
}

#[cfg(test)]
mod tests {
    use ark_ff::{AdditiveGroup, BigInt, BigInteger, PrimeField, UniformRand};
    use proptest::prelude::*;
    use rand::SeedableRng;

    use super::*;

    /// Field elements where carries and the final subtraction are at their limits.
    fn edges() -> Vec<Fq> {
        let p_minus = |k: u64| -Fq::from(k);
        let mut v = vec![Fq::ZERO, Fq::ONE, Fq::from(2u64), p_minus(1), p_minus(2)];
        // Montgomery forms at the ends of the range: raw limbs 0..3 and p − 1 .. p − 3.
        for raw in [1u64, 2, 3] {
            v.push(Fq::new_unchecked(BigInt([raw, 0, 0, 0])));
            let mut top = <FqConfig as MontConfig<4>>::MODULUS;
            top.0[0] -= raw;
            v.push(Fq::new_unchecked(top));
        }
        // All-ones limbs below p, and 2^k.
        v.push(Fq::new_unchecked(BigInt([u64::MAX, u64::MAX, u64::MAX, 0])));
        for k in [63u64, 64, 127, 128, 191, 192, 252, 253] {
            v.push(Fq::from(2u64).pow([k]));
        }
        v
    }

    fn check(a: Fq, b: Fq) {
        assert_eq!(a.mul_fast(&b), a * b, "{a} · {b}");
        assert_eq!(a.square_fast(), a.square(), "{a}²");
        let (raw, ark) = (a.mul_fast(&b).0, (a * b).0);
        assert_eq!(raw, ark, "canonical limbs");
    }

    #[test]
    fn fq_edges_match_arkworks() {
        let e = edges();
        for &a in &e {
            for &b in &e {
                check(a, b);
            }
        }
    }

    #[test]
    fn fq_random_match_arkworks() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(17);
        for _ in 0..100_000 {
            check(Fq::rand(&mut rng), Fq::rand(&mut rng));
        }
    }

    proptest! {
        #[test]
        fn fq_limbs_match_arkworks(l in prop::array::uniform4(any::<u64>()), m in prop::array::uniform4(any::<u64>())) {
            // Any 256-bit pattern, reduced into the field by arkworks.
            let a = Fq::from_le_bytes_mod_order(&BigInt(l).to_bytes_le());
            let b = Fq::from_le_bytes_mod_order(&BigInt(m).to_bytes_le());
            check(a, b);
        }
    }
}
