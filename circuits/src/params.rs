//! The circuit shape: every parameter that changes the constraint system.
//!
//! One Groth16 key pair exists per [`Shape`]; the shape is serialised into every key
//! and bundle so that a verifier never checks a proof against the wrong statement.

use serde::{Deserialize, Serialize};

use crate::poseidon::Sponge;

/// Bits of a packed field element we fill with digits. BN254's Fr has 254 bits; staying at
/// 252 keeps every packed element far below the modulus, so packing is injective as long as
/// each digit is range-checked.
pub const PACK_CAPACITY_BITS: u32 = 252;

/// Every parameter of the chunk circuit (see `docs/PROTOCOL.md` §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shape {
    /// Client slots per round (n). Empty slots carry weight 0.
    pub slots: usize,
    /// Parameters per chunk (m).
    pub chunk: usize,
    /// Fixed-point fractional bits (f).
    pub frac_bits: u32,
    /// Updates are signed integers with |Δ| < 2^(U−1) (U).
    pub update_bits: u32,
    /// Model values are signed integers in [−2^(Bm−1), 2^(Bm−1)) (Bm).
    pub model_bits: u32,
    /// Every weight and the total weight are < 2^Wb (Wb).
    pub weight_bits: u32,
    /// B₂² and every running sum of squares are < 2^Nb (Nb).
    pub norm_bits: u32,
    /// The circuit variant. `None`: B∞ is a public input chosen per round and every update
    /// satisfies |Δ| ≤ B∞. `Some(j)`: the bound is fixed by the key at B∞ = 2^j and every
    /// update lies in [−2^j, 2^j − 1], checked with one (j+1)-bit decomposition
    /// (PROTOCOL.md §4). Absent from the JSON when `None`, so that keys, bundles and
    /// openings of the per-round variant are byte-for-byte what they were before the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linf_bits: Option<u32>,
}

/// A shape that cannot be used, with the reason.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("invalid circuit shape: {0}")]
pub struct ShapeError(pub String);

impl Shape {
    /// Default fractional bits.
    pub const DEFAULT_FRAC_BITS: u32 = 16;
    /// Default update width.
    pub const DEFAULT_UPDATE_BITS: u32 = 16;
    /// Default model width.
    pub const DEFAULT_MODEL_BITS: u32 = 32;
    /// Default weight width.
    pub const DEFAULT_WEIGHT_BITS: u32 = 16;
    /// Default norm width.
    pub const DEFAULT_NORM_BITS: u32 = 64;

    /// A shape with `slots` client slots, chunks of `chunk` parameters and default widths.
    pub fn new(slots: usize, chunk: usize) -> Self {
        Self {
            slots,
            chunk,
            frac_bits: Self::DEFAULT_FRAC_BITS,
            update_bits: Self::DEFAULT_UPDATE_BITS,
            model_bits: Self::DEFAULT_MODEL_BITS,
            weight_bits: Self::DEFAULT_WEIGHT_BITS,
            norm_bits: Self::DEFAULT_NORM_BITS,
            linf_bits: None,
        }
    }

    /// The same shape in the fixed-L∞ variant: B∞ = 2^`j`, updates in [−2^j, 2^j − 1].
    pub fn with_linf_bits(self, j: u32) -> Self {
        Self {
            linf_bits: Some(j),
            ..self
        }
    }

    /// Checks that every integer relation the circuit proves stays far below the field
    /// modulus (so no equation can wrap around) and that the widths fit `i64`/`u128`.
    ///
    /// # Errors
    /// A [`ShapeError`] naming the offending parameter.
    pub fn validate(&self) -> Result<(), ShapeError> {
        let err = |s: String| Err(ShapeError(s));
        if self.slots == 0 || self.slots > 1024 {
            return err(format!("slots must be in 1..=1024, got {}", self.slots));
        }
        if self.chunk == 0 || self.chunk > 1 << 20 {
            return err(format!("chunk must be in 1..=2^20, got {}", self.chunk));
        }
        if !(2..=32).contains(&self.update_bits) {
            return err(format!(
                "update bits must be in 2..=32, got {}",
                self.update_bits
            ));
        }
        // U ≤ Bm makes M_t = M_{t+1} − q fit the (Bm+1)-bit model digit (PROTOCOL.md §4).
        if self.model_bits < self.update_bits || self.model_bits > 60 {
            return err(format!(
                "model bits must be in {}..=60 (at least the update bits), got {}",
                self.update_bits, self.model_bits
            ));
        }
        if self.frac_bits >= self.model_bits {
            return err(format!(
                "frac bits ({}) must be below the model bits ({})",
                self.frac_bits, self.model_bits
            ));
        }
        if !(1..=32).contains(&self.weight_bits) {
            return err(format!(
                "weight bits must be in 1..=32, got {}",
                self.weight_bits
            ));
        }
        if !(2..=120).contains(&self.norm_bits) {
            return err(format!(
                "norm bits must be in 2..=120, got {}",
                self.norm_bits
            ));
        }
        // 2^j ≤ 2^(U−2) keeps the fixed bound a valid per-round B∞ (< 2^(U−1)) and the
        // model digit M_{t+1} − q non-negative (PROTOCOL.md §4).
        if let Some(j) = self.linf_bits {
            if j > self.update_bits - 2 {
                return err(format!(
                    "linf bits ({j}) must be at most update bits − 2 = {}",
                    self.update_bits - 2
                ));
            }
        }
        // One chunk's Σ_j Δ_ij² must stay below 2^Nb: the packed accumulator's soundness
        // argument (PROTOCOL.md §4) needs it. |Δ| ≤ 2^(U−1) per round, ≤ 2^j when fixed.
        let abs_bits = self.linf_bits.unwrap_or(self.update_bits - 1);
        let chunk_sq_max = (self.chunk as u128) << (2 * abs_bits);
        if chunk_sq_max >= 1u128 << self.norm_bits {
            return err(format!(
                "norm bits ({}) must exceed log2(chunk · 2^{}) = log2({chunk_sq_max}): one chunk's sum of squares must fit",
                self.norm_bits,
                2 * abs_bits
            ));
        }
        Ok(())
    }

    /// Number of public inputs of the chunk circuit: l = 2n + 7.
    pub fn num_public_inputs(&self) -> usize {
        2 * self.slots + 7
    }

    /// Number of chunks for a model of `d` parameters.
    pub fn num_chunks(&self, d: usize) -> usize {
        d.div_ceil(self.chunk)
    }

    /// The fixed L∞ bound 2^j of the fixed variant, in fixed-point units.
    pub fn fixed_linf(&self) -> Option<u64> {
        self.linf_bits.map(|j| 1u64 << j)
    }

    /// The circuit variant's name: `"per-round-linf"` (B∞ chosen each round) or
    /// `"fixed-linf"` (B∞ = 2^j fixed by the key).
    pub fn linf_variant(&self) -> &'static str {
        match self.linf_bits {
            None => "per-round-linf",
            Some(_) => "fixed-linf",
        }
    }

    /// What a proof under this shape states about every update coordinate Δ, given the
    /// round's B∞ (`linf`, fixed-point units), for human-readable reports.
    pub fn describe_linf(&self, linf: u64) -> String {
        match self.linf_bits {
            None => format!("|Δ| ≤ {linf} (L∞ bound chosen for this round)"),
            Some(j) => format!(
                "{} ≤ Δ ≤ {} (L∞ bound 2^{j} fixed by the key)",
                self.update_min(),
                self.update_max()
            ),
        }
    }

    /// The Poseidon parameters of this shape's model and update chunk hashes: width 9 per
    /// round (the format of keys made before the fixed variant existed), width 17 when L∞
    /// is fixed, which costs a quarter less per absorbed element (PROTOCOL.md §4–5).
    pub fn chunk_sponge(&self) -> Sponge {
        match self.linf_bits {
            None => Sponge::Narrow,
            Some(_) => Sponge::Wide,
        }
    }

    /// The Poseidon parameters of the norm accumulator: width 9 in both variants, since
    /// its input is a handful of elements, which one narrow permutation absorbs for fewer
    /// constraints than one wide one.
    pub fn accumulator_sponge(&self) -> Sponge {
        Sponge::Narrow
    }

    /// Bits of an update digit and of a quotient q: U per round, j + 1 when fixed. Both
    /// are offset by half their range ([`Shape::update_offset`]) to be non-negative.
    pub fn update_stride(&self) -> u32 {
        match self.linf_bits {
            None => self.update_bits,
            Some(j) => j + 1,
        }
    }

    /// The offset that makes an update (or a quotient) a digit in [0, 2^stride):
    /// 2^(U−1) per round, 2^j when fixed.
    pub fn update_offset(&self) -> i64 {
        1i64 << (self.update_stride() - 1)
    }

    /// Bit width of one model digit: one more than Bm, see PROTOCOL.md §4.
    pub fn model_stride(&self) -> u32 {
        self.model_bits + 1
    }

    /// Update digits per packed field element.
    pub fn update_digits_per_element(&self) -> usize {
        (PACK_CAPACITY_BITS / self.update_stride()) as usize
    }

    /// Model digits per packed field element.
    pub fn model_digits_per_element(&self) -> usize {
        (PACK_CAPACITY_BITS / self.model_stride()) as usize
    }

    /// Bit width of one running sum of squares in the packed norm accumulator: Nb + 2, so
    /// that two sums that both pass the circuit's checks differ by less than half a digit
    /// (PROTOCOL.md §4).
    pub fn norm_stride(&self) -> u32 {
        self.norm_bits + 2
    }

    /// Running sums per packed field element of the norm accumulator.
    pub fn norm_sums_per_element(&self) -> usize {
        (PACK_CAPACITY_BITS / self.norm_stride()) as usize
    }

    /// Smallest update value a commitment can hold: −2^(U−1), or −2^j when fixed.
    pub fn update_min(&self) -> i64 {
        -self.update_offset()
    }

    /// Largest update value a commitment can hold: 2^(U−1) − 1, or 2^j − 1 when fixed.
    pub fn update_max(&self) -> i64 {
        self.update_offset() - 1
    }

    /// Smallest allowed model value, −2^(Bm−1).
    pub fn model_min(&self) -> i64 {
        -(1i64 << (self.model_bits - 1))
    }

    /// Largest allowed model value, 2^(Bm−1) − 1.
    pub fn model_max(&self) -> i64 {
        (1i64 << (self.model_bits - 1)) - 1
    }

    /// Largest allowed per-round B∞: 2^(U−1) − 1.
    pub fn linf_max(&self) -> u64 {
        (1u64 << (self.update_bits - 1)) - 1
    }

    /// Largest allowed total weight: 2^Wb − 1.
    pub fn weight_max(&self) -> u64 {
        (1u64 << self.weight_bits) - 1
    }

    /// Largest allowed B₂² (and running sum of squares): 2^Nb − 1.
    pub fn norm_max(&self) -> u128 {
        (1u128 << self.norm_bits) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_shape_is_valid_and_packs_densely() {
        let s = Shape::new(8, 1024);
        s.validate().unwrap();
        assert_eq!(s.num_public_inputs(), 23);
        assert_eq!(s.update_digits_per_element(), 15);
        assert_eq!(s.model_digits_per_element(), 7);
        assert_eq!(s.norm_sums_per_element(), 3);
        assert_eq!(s.num_chunks(2049), 3);
    }

    #[test]
    fn rejects_widths_that_could_wrap() {
        let mut s = Shape::new(2, 4);
        s.model_bits = 8;
        assert!(s.validate().is_err());
        let mut s = Shape::new(0, 4);
        assert!(s.validate().is_err());
        s.slots = 1;
        s.norm_bits = 200;
        assert!(s.validate().is_err());
        // One chunk's Σ Δ² (up to 4 · (2^15)² = 2^32) must fit the norm width.
        s.norm_bits = 32;
        assert!(s.validate().is_err());
        s.norm_bits = 33;
        s.validate().unwrap();
    }

    #[test]
    fn fixed_variant_widths() {
        let s = Shape::new(8, 1024).with_linf_bits(10);
        s.validate().unwrap();
        assert_eq!(s.fixed_linf(), Some(1024));
        assert_eq!((s.update_min(), s.update_max()), (-1024, 1023));
        assert_eq!(s.update_digits_per_element(), 22);
        assert_eq!(s.linf_variant(), "fixed-linf");
        assert_eq!(
            s.describe_linf(1024),
            "-1024 ≤ Δ ≤ 1023 (L∞ bound 2^10 fixed by the key)"
        );
        assert_eq!(
            Shape::new(8, 1024).describe_linf(7),
            "|Δ| ≤ 7 (L∞ bound chosen for this round)"
        );
        assert_eq!(s.model_digits_per_element(), 7);
        // j ≤ U − 2.
        assert!(Shape::new(2, 4).with_linf_bits(14).validate().is_ok());
        let e = Shape::new(2, 4).with_linf_bits(15).validate().unwrap_err();
        assert!(e.0.contains("linf bits (15)"), "{e}");
        // The norm width only has to hold m·2^(2j), not m·2^(2(U−1)).
        let mut s = Shape::new(2, 4).with_linf_bits(10);
        s.norm_bits = 23;
        s.validate().unwrap();
        s.norm_bits = 22;
        assert!(s.validate().is_err());
    }

    #[test]
    fn per_round_variant_serialises_as_before() {
        let old = Shape::new(3, 4);
        let json = serde_json::to_string(&old).unwrap();
        assert_eq!(
            json,
            r#"{"slots":3,"chunk":4,"frac_bits":16,"update_bits":16,"model_bits":32,"weight_bits":16,"norm_bits":64}"#
        );
        assert_eq!(serde_json::from_str::<Shape>(&json).unwrap(), old);
        let fixed = old.with_linf_bits(10);
        let json = serde_json::to_string(&fixed).unwrap();
        assert!(
            json.ends_with(r#""norm_bits":64,"linf_bits":10}"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Shape>(&json).unwrap(), fixed);
    }
}
