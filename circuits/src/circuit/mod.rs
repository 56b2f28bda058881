//! The chunk circuit: one proof per model chunk, same key for every chunk of every round.
//!
//! Statement (PROTOCOL.md §4), for chunk c with public inputs as in [`ChunkPublic`]:
//! 1. B∞ < 2^(U−1); each w_i < 2^Wb; W = Σ w_i < 2^Wb.
//!    In the fixed-L∞ variant ([`Shape::linf_bits`] = j) B∞ = 2^j instead.
//! 2. For every slot i and coordinate j: t1 = B∞ + Δ_ij and t2 = B∞ − Δ_ij are U-bit
//!    (so −B∞ ≤ Δ_ij ≤ B∞ over the integers), and h(Δ_i[c]) opens to Δ_i[c]. When fixed,
//!    Δ_ij + 2^j is (j+1)-bit instead (−2^j ≤ Δ_ij ≤ 2^j − 1), see [`bound`].
//! 3. For every coordinate j: M_{t+1,j} + 2^(Bm−1) is Bm-bit, q_j + 2^(U−1) is U-bit
//!    (q_j + 2^j is (j+1)-bit when fixed), r_j and W − 1 − r_j are Wb-bit (so 0 ≤ r_j < W),
//!    and
//!    W·q_j = Σ_i w_i·Δ_ij + ⌊W/2⌋ − r_j; M_{t,j} = M_{t+1,j} − q_j.
//!    h(M_t[c]) and h(M_{t+1}[c]) open to those values.
//! 4. acc_in opens to (salt, S_in); if c = 0 then S_in = 0; S_out,i = S_in,i + Σ_j Δ_ij²;
//!    B₂² − S_out,i is Nb-bit (S_out,i ≤ B₂²); acc_out opens to (salt', S_out).
//!
//! Every quantity in these equations is below 2^(Bm + Wb + log n + 2) ≪ r, so each field
//! equation is an integer equation.

pub mod bits;
pub mod bound;
pub mod cost;

use ark_bn254::Fr;
use ark_r1cs_std::{alloc::AllocVar, eq::EqGadget, fields::fp::FpVar, fields::FieldVar};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use self::{
    bits::{is_zero, BitsVar},
    bound::LinfVar,
};
use crate::{
    commit::{
        constraints::{accumulator_var, chunk_hash_var},
        Kind,
    },
    params::Shape,
    round::ChunkWitness,
};

/// The chunk circuit for one shape.
#[derive(Clone, Debug)]
pub struct ChunkCircuit {
    /// The circuit shape.
    pub shape: Shape,
    /// Public inputs and private values.
    pub witness: ChunkWitness,
}

impl ChunkCircuit {
    /// A circuit with a blank witness, for key generation.
    pub fn blank(shape: Shape) -> Self {
        Self {
            witness: ChunkWitness::blank(&shape),
            shape,
        }
    }
}

fn constant(x: i64) -> FpVar<Fr> {
    FpVar::Constant(crate::field::fr_from_i64(x))
}

impl ConstraintSynthesizer<Fr> for ChunkCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let shape = self.shape;
        let w = self.witness;
        if shape.validate().is_err() || !w.fits(&shape) {
            return Err(SynthesisError::Unsatisfiable);
        }
        let (n, m) = (shape.slots, shape.chunk);

        // Public inputs, in the order of PROTOCOL.md §2.
        let input = |x: Fr| FpVar::new_input(cs.clone(), || Ok(x));
        let chunk = input(w.public.chunk)?;
        let linf = input(w.public.linf)?;
        let l2_sq = input(w.public.l2_sq)?;
        let weights = w
            .public
            .weights
            .iter()
            .map(|x| input(*x))
            .collect::<Result<Vec<_>, _>>()?;
        let model_hash = input(w.public.model)?;
        let new_model_hash = input(w.public.new_model)?;
        let update_hashes = w
            .public
            .updates
            .iter()
            .map(|x| input(*x))
            .collect::<Result<Vec<_>, _>>()?;
        let acc_in = input(w.public.acc_in)?;
        let acc_out = input(w.public.acc_out)?;

        // 1. Ranges of the public parameters that the integer arguments below rely on.
        let bound = LinfVar::new(&shape, &linf, w.public.linf)?;
        for wi in &weights {
            BitsVar::enforce(wi, shape.weight_bits)?;
        }
        let total = weights.iter().fold(FpVar::zero(), |acc, wi| acc + wi);
        let total_bits = BitsVar::enforce(&total, shape.weight_bits)?;
        let half_total = total_bits.half()?;
        let total_minus_one = &total - FpVar::one();

        // 2. Updates: bounds, squares, weighted terms, openings.
        let mut weighted: Vec<FpVar<Fr>> = vec![FpVar::zero(); m];
        let mut sums_sq = Vec::with_capacity(n);
        for i in 0..n {
            let mut digits = Vec::with_capacity(m);
            let mut sum_sq = FpVar::zero();
            for (j, delta_value) in w.updates[i].iter().enumerate() {
                let update = bound.update(cs.clone(), *delta_value)?;
                let delta = update.delta;
                digits.push(update.digit);
                sum_sq += delta.square()?;
                weighted[j] += &weights[i] * &delta;
            }
            let salt = FpVar::new_witness(cs.clone(), || Ok(w.update_salts[i]))?;
            chunk_hash_var(cs.clone(), &shape, Kind::Update, &salt, &digits)?
                .enforce_equal(&update_hashes[i])?;
            sums_sq.push(sum_sq);
        }

        // 3. Aggregation: W·q = S + ⌊W/2⌋ − r with 0 ≤ r < W, q and M_{t+1} range-checked.
        // q is a rounded weighted mean of updates, so it has their range and offset.
        let model_offset = 1i64 << (shape.model_bits - 1);
        let q_offset = shape.update_offset();
        let half_u = 1i64 << (shape.update_bits - 1);
        let mut new_digits = Vec::with_capacity(m);
        let mut old_digits = Vec::with_capacity(m);
        let total_value: Fr = w.public.weights.iter().sum();
        for (j, weighted_j) in weighted.iter().enumerate() {
            let new_off = BitsVar::alloc(
                cs.clone(),
                w.new_model[j] + crate::field::fr_from_i64(model_offset),
                shape.model_bits,
            )?;
            let q_off = BitsVar::alloc(
                cs.clone(),
                w.quotients[j] + crate::field::fr_from_i64(q_offset),
                shape.update_stride(),
            )?;
            let r = BitsVar::alloc(cs.clone(), w.remainders[j], shape.weight_bits)?;
            let r_gap = BitsVar::alloc(
                cs.clone(),
                total_value - Fr::from(1u64) - w.remainders[j],
                shape.weight_bits,
            )?;
            (r.value() + r_gap.value()).enforce_equal(&total_minus_one)?;
            let q = q_off.value() - constant(q_offset);
            total.mul_equals(&q, &(weighted_j + &half_total - r.value()))?;
            // Model digit = v + 2^(Bm−1) + 2^(U−1) in both variants; M_t = M_{t+1} − q.
            let new_digit = new_off.value() + constant(half_u);
            old_digits.push(&new_digit - &q);
            new_digits.push(new_digit);
        }
        let model_salt = FpVar::new_witness(cs.clone(), || Ok(w.model_salt))?;
        chunk_hash_var(cs.clone(), &shape, Kind::Model, &model_salt, &old_digits)?
            .enforce_equal(&model_hash)?;
        let new_model_salt = FpVar::new_witness(cs.clone(), || Ok(w.new_model_salt))?;
        chunk_hash_var(
            cs.clone(),
            &shape,
            Kind::Model,
            &new_model_salt,
            &new_digits,
        )?
        .enforce_equal(&new_model_hash)?;

        // 4. L2 accumulator across chunks.
        let sums_in = w
            .sums_in
            .iter()
            .map(|s| FpVar::new_witness(cs.clone(), || Ok(*s)))
            .collect::<Result<Vec<_>, _>>()?;
        let first = is_zero(&chunk)?;
        for s in &sums_in {
            first.mul_equals(s, &FpVar::zero())?;
        }
        let salt_in = FpVar::new_witness(cs.clone(), || Ok(w.acc_salt_in))?;
        accumulator_var(cs.clone(), &shape, &salt_in, &sums_in)?.enforce_equal(&acc_in)?;
        let sums_out: Vec<FpVar<Fr>> = sums_in.iter().zip(&sums_sq).map(|(a, b)| a + b).collect();
        for s in &sums_out {
            BitsVar::enforce(&(&l2_sq - s), shape.norm_bits)?;
        }
        let salt_out = FpVar::new_witness(cs.clone(), || Ok(w.acc_salt_out))?;
        accumulator_var(cs.clone(), &shape, &salt_out, &sums_out)?.enforce_equal(&acc_out)?;
        Ok(())
    }
}
