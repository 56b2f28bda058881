//! Property test: on random rounds the circuit's values equal the native reference.

use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar, GR1CSVar};
use ark_relations::gr1cs::ConstraintSystem;
use proptest::prelude::*;
use zkfl_circuits::{
    commit::{self, constraints::chunk_hash_var, Kind},
    field::fr_from_i64,
    testing::{synthesize, RandomRound},
    ChunkCircuit, Fr, Shape,
};

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha, ..ProptestConfig::default() })]

    #[test]
    fn random_rounds_satisfy_and_match_native(
        n in 1usize..4, m in 1usize..20, d in 1usize..45, empty in 0usize..2, linf in 1u64..2000, seed in any::<u64>(),
        linf_bits in proptest::option::of(0u32..=14),
    ) {
        let shape = Shape { linf_bits, ..Shape::new(n, m) };
        let linf = shape.fixed_linf().unwrap_or(linf);
        let empty = empty.min(n - 1);
        let round = RandomRound { linf, seed, ..RandomRound::new(shape, d).empty_last(empty) }.build().expect("honest round");
        // The native reference's new model is the integer FedAvg under the rounding rule.
        let total = round.total_weight() as i128;
        for j in 0..d {
            let s: i128 = round.input.slots.iter().map(|c| c.weight as i128 * c.update[j] as i128).sum();
            let exact = s as f64 / total as f64;
            let q = (round.new_model[j] - round.input.model[j]) as f64;
            prop_assert!(q - exact <= 0.5 && exact - q < 0.5, "j={} q={} exact={}", j, q, exact);
        }
        let c = (seed as usize) % round.num_chunks();
        let cs = synthesize(ChunkCircuit { shape, witness: round.witness(c) });
        prop_assert!(cs.is_satisfied().unwrap());
        let inst = cs.instance_assignment().unwrap();
        let public = round.public(c).to_vec();
        prop_assert_eq!(&inst[1..], public.as_slice());
    }

    #[test]
    fn chunk_hash_gadget_equals_native(values in proptest::collection::vec(-32768i64..32768, 1..40), salt in any::<u64>(), model in any::<bool>(), linf_bits in proptest::option::of(0u32..=14)) {
        let shape = Shape { linf_bits, ..Shape::new(1, values.len()) };
        // Fixed-L∞ updates live in [−2^j, 2^j − 1]: fold the sample into that range.
        let values: Vec<i64> = match (model, linf_bits) {
            (false, Some(j)) => values.iter().map(|v| v.rem_euclid(1 << (j + 1)) - (1 << j)).collect(),
            _ => values,
        };
        let kind = if model { Kind::Model } else { Kind::Update };
        let native = commit::chunk_hash(&shape, kind, Fr::from(salt), &values);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let off = kind.digit_offset(&shape);
        let digits: Vec<_> = values.iter().map(|v| FpVar::new_witness(cs.clone(), || Ok(fr_from_i64(v + off))).unwrap()).collect();
        let s = FpVar::new_witness(cs.clone(), || Ok(Fr::from(salt))).unwrap();
        let h = chunk_hash_var(cs.clone(), &shape, kind, &s, &digits).unwrap();
        prop_assert_eq!(h.value().unwrap(), native);
    }
}
