//! In-circuit twin of [`super`]: packing digits and hashing chunks and accumulators.

use ark_bn254::Fr;
use ark_ff::Field;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use super::{Kind, ACC_LABEL};
use crate::{params::Shape, poseidon};

/// Packs digits (each already constrained to [0, 2^stride)) little-endian into field
/// elements: linear combinations only, no constraints.
pub fn pack_var(shape: &Shape, kind: Kind, digits: &[FpVar<Fr>]) -> Vec<FpVar<Fr>> {
    let radix = Fr::from(1u64 << kind.stride(shape));
    digits
        .chunks(kind.digits_per_element(shape))
        .map(|group| {
            group
                .iter()
                .rev()
                .fold(FpVar::Constant(Fr::from(0u64)), |acc, d| acc * radix + d)
        })
        .collect()
}

/// Chunk hash Poseidon(tag(kind), salt, packed digits).
///
/// # Errors
/// Propagates synthesis errors.
pub fn chunk_hash_var(
    cs: ConstraintSystemRef<Fr>,
    shape: &Shape,
    kind: Kind,
    salt: &FpVar<Fr>,
    digits: &[FpVar<Fr>],
) -> Result<FpVar<Fr>, SynthesisError> {
    let mut input = Vec::with_capacity(2 + digits.len());
    input.push(FpVar::Constant(poseidon::domain_tag(kind.chunk_label())));
    input.push(salt.clone());
    input.extend(pack_var(shape, kind, digits));
    poseidon::hash_var(shape.chunk_sponge(), cs, &input)
}

/// Norm accumulator Poseidon(tag, salt, pack(S_1, …, S_n)). The sums are packed without
/// range checks: the chunk circuit's S_out ≤ B₂² checks make the packing injective on
/// every opening that can pass them (PROTOCOL.md §4).
///
/// # Errors
/// Propagates synthesis errors.
pub fn accumulator_var(
    cs: ConstraintSystemRef<Fr>,
    shape: &Shape,
    salt: &FpVar<Fr>,
    sums: &[FpVar<Fr>],
) -> Result<FpVar<Fr>, SynthesisError> {
    let radix = Fr::from(2u64).pow([u64::from(shape.norm_stride())]);
    let mut input = Vec::with_capacity(2 + sums.len());
    input.push(FpVar::Constant(poseidon::domain_tag(ACC_LABEL)));
    input.push(salt.clone());
    input.extend(sums.chunks(shape.norm_sums_per_element()).map(|group| {
        group
            .iter()
            .rev()
            .fold(FpVar::Constant(Fr::from(0u64)), |acc, s| acc * radix + s)
    }));
    poseidon::hash_var(shape.accumulator_sponge(), cs, &input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{commit, field::fr_from_i64};
    use ark_r1cs_std::{alloc::AllocVar, GR1CSVar};
    use ark_relations::gr1cs::ConstraintSystem;

    #[test]
    fn chunk_hash_gadget_matches_native() {
        let shape = Shape::new(2, 20);
        for kind in [Kind::Update, Kind::Model] {
            let values: Vec<i64> = (0..20).map(|i| (i * 37 % 23) - 11).collect();
            let salt = Fr::from(99u64);
            let native = commit::chunk_hash(&shape, kind, salt, &values);
            let cs = ConstraintSystem::<Fr>::new_ref();
            let off = kind.digit_offset(&shape);
            let digits: Vec<_> = values
                .iter()
                .map(|v| FpVar::new_witness(cs.clone(), || Ok(fr_from_i64(v + off))).unwrap())
                .collect();
            let salt_var = FpVar::new_witness(cs.clone(), || Ok(salt)).unwrap();
            let h = chunk_hash_var(cs.clone(), &shape, kind, &salt_var, &digits).unwrap();
            assert_eq!(h.value().unwrap(), native, "{kind:?}");
            assert!(cs.is_satisfied().unwrap());
        }
    }

    #[test]
    fn accumulator_gadget_matches_native() {
        // Four sums: one full packed element of three and a second of one.
        let shape = Shape::new(4, 8);
        let sums = [3u64, 1 << 63, 0, 12345].map(Fr::from);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let vars: Vec<_> = sums
            .iter()
            .map(|s| FpVar::new_witness(cs.clone(), || Ok(*s)).unwrap())
            .collect();
        let salt = FpVar::new_witness(cs.clone(), || Ok(Fr::from(5u64))).unwrap();
        let acc = accumulator_var(cs.clone(), &shape, &salt, &vars).unwrap();
        assert_eq!(
            acc.value().unwrap(),
            commit::accumulator(&shape, Fr::from(5u64), &sums)
        );
        let packed = commit::pack_sums(&shape, &sums);
        assert_eq!(packed.len(), 2);
        let radix = Fr::from(2u64).pow([66]);
        assert_eq!(
            packed[0],
            sums[0] + sums[1] * radix + sums[2] * radix * radix
        );
        assert_eq!(packed[1], sums[3]);
    }
}
