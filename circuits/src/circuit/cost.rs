//! Closed-form cost of the chunk circuit, checked against synthesis by the tests.
//!
//! The prover uses it to pick a chunk size that fills the FFT domain without synthesising.

use crate::{commit::Kind, params::Shape, poseidon::Sponge};

/// Constraints of hashing `len` field elements (the first being the constant domain tag)
/// with `sponge` and checking the result against a public input: one permutation per
/// started block of the rate, plus the equality. The first S-box layer is free on constant
/// state elements: the capacity, the tag and any rate slot the first block leaves empty.
pub fn hash_check(sponge: Sponge, len: usize) -> usize {
    let constant_lanes = 1 + 1 + sponge.rate().saturating_sub(len);
    len.div_ceil(sponge.rate()) * sponge.permutation_constraints() - 3 * constant_lanes + 1
}

/// Where the constraints of one chunk go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cost {
    /// Per client slot and parameter: bound, square, weighted term.
    pub per_client_param: usize,
    /// Per parameter: new-model and quotient ranges, remainder range, division.
    pub per_param: usize,
    /// Update chunk hash, per slot.
    pub update_hash: usize,
    /// Both model chunk hashes.
    pub model_hashes: usize,
    /// Everything per chunk that does not scale with m: public-input ranges, accumulator.
    pub fixed: usize,
}

impl Cost {
    /// The cost breakdown of `shape`.
    pub fn of(shape: &Shape) -> Self {
        let (n, m) = (shape.slots, shape.chunk);
        let (u, bm, wb, nb) = (
            shape.update_bits as usize,
            shape.model_bits as usize,
            shape.weight_bits as usize,
            shape.norm_bits as usize,
        );
        let elements = |kind: Kind| m.div_ceil(kind.digits_per_element(shape));
        let chunk_hash = |len: usize| hash_check(shape.chunk_sponge(), len);
        // Update and quotient bits (U, or j + 1 when fixed); bound check per update
        // (two U-bit decompositions and their link, or one (j+1)-bit one); check of
        // public input #1 (a (U−1)-bit range and its link, or pinning it to 2^j).
        let q = shape.update_stride() as usize;
        let (per_update_bound, linf_check) = match shape.linf_bits {
            None => (2 * u + 1, u),
            Some(j) => (j as usize + 1, 1),
        };
        Self {
            per_client_param: per_update_bound + 2,
            per_param: bm + q + 2 * wb + 2,
            update_hash: chunk_hash(2 + elements(Kind::Update)),
            model_hashes: 2 * chunk_hash(2 + elements(Kind::Model)),
            fixed: linf_check
                + n * (wb + 1) // weights
                + (wb + 1) // total weight
                + 3 + n // chunk-0 rule
                + 2 * hash_check(shape.accumulator_sponge(), 2 + n.div_ceil(shape.norm_sums_per_element())) // accumulators
                + n * (nb + 1), // S_out ≤ B₂²
        }
    }

    /// Total constraints of one chunk proof.
    pub fn total(&self, shape: &Shape) -> usize {
        let (n, m) = (shape.slots, shape.chunk);
        n * m * self.per_client_param
            + m * self.per_param
            + n * self.update_hash
            + self.model_hashes
            + self.fixed
    }
}

/// Total constraints of the chunk circuit for `shape`.
pub fn num_constraints(shape: &Shape) -> usize {
    Cost::of(shape).total(shape)
}

/// Size of the Groth16 evaluation domain: the next power of two ≥ constraints + inputs + 1
/// (ark-groth16's R1CS-to-QAP reduction adds one row per instance variable).
pub fn domain_size(shape: &Shape) -> usize {
    (num_constraints(shape) + shape.num_public_inputs() + 1).next_power_of_two()
}

/// The largest chunk size m for `slots` (other widths from `template`) whose circuit still
/// fits a domain of 2^`log_domain`; `None` if even m = 1 does not fit.
pub fn max_chunk_for_domain(template: &Shape, log_domain: u32) -> Option<usize> {
    let fits = |m: usize| {
        let s = Shape {
            chunk: m,
            ..*template
        };
        num_constraints(&s) + s.num_public_inputs() < (1usize << log_domain)
    };
    if !fits(1) {
        return None;
    }
    let (mut lo, mut hi) = (1usize, 1usize << 20);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Some(lo)
}
