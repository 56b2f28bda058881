//! Fixed-point codec: floats ↔ signed integers with `f` fractional bits.
//!
//! Rounding rule: x ↦ round_half_away_from_zero(x · 2^f), computed in f64 (exact for
//! f32 inputs and f ≤ 30). NaN, ±Inf and values outside the target width are errors that
//! name the index; clipping happens only when asked for.

/// Why a value could not be encoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FixedPointError {
    /// The value is NaN or infinite.
    #[error("value #{index} is {value}: not a finite number")]
    NotFinite {
        /// Position in the flattened tensor.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// The value does not fit the signed integer range after scaling.
    #[error(
        "value #{index} = {value} is out of range: {scaled} fixed-point units is outside [{min}, {max}] (use --clip to saturate, or wider bits)"
    )]
    OutOfRange {
        /// Position in the flattened tensor.
        index: usize,
        /// The offending value.
        value: f64,
        /// round(value · 2^f).
        scaled: f64,
        /// Smallest representable integer.
        min: i64,
        /// Largest representable integer.
        max: i64,
    },
}

/// A fixed-point encoding: `frac_bits` fractional bits into integers in `[min, max]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedPoint {
    /// Fractional bits f.
    pub frac_bits: u32,
    /// Smallest integer.
    pub min: i64,
    /// Largest integer.
    pub max: i64,
    /// Saturate out-of-range values instead of failing (NaN/Inf still fail).
    pub clip: bool,
}

impl FixedPoint {
    /// Signed `bits`-bit integers with `frac_bits` fractional bits, no clipping.
    pub fn signed(frac_bits: u32, bits: u32) -> Self {
        Self {
            frac_bits,
            min: -(1i64 << (bits - 1)),
            max: (1i64 << (bits - 1)) - 1,
            clip: false,
        }
    }

    /// The same encoding with clipping on or off.
    pub fn with_clip(self, clip: bool) -> Self {
        Self { clip, ..self }
    }

    /// Encodes one value; `index` is only used in the error.
    ///
    /// # Errors
    /// [`FixedPointError`] for NaN/Inf, or an out-of-range value without clipping.
    pub fn encode_one(&self, index: usize, value: f64) -> Result<i64, FixedPointError> {
        if !value.is_finite() {
            return Err(FixedPointError::NotFinite { index, value });
        }
        let scaled = (value * (1u64 << self.frac_bits) as f64).round();
        if scaled < self.min as f64 || scaled > self.max as f64 {
            if self.clip {
                return Ok(if scaled < 0.0 { self.min } else { self.max });
            }
            return Err(FixedPointError::OutOfRange {
                index,
                value,
                scaled,
                min: self.min,
                max: self.max,
            });
        }
        Ok(scaled as i64)
    }

    /// Encodes a flattened tensor.
    ///
    /// # Errors
    /// The first value that cannot be encoded, see [`FixedPoint::encode_one`].
    pub fn encode(
        &self,
        values: impl IntoIterator<Item = f64>,
    ) -> Result<Vec<i64>, FixedPointError> {
        values
            .into_iter()
            .enumerate()
            .map(|(i, v)| self.encode_one(i, v))
            .collect()
    }

    /// Decodes one integer back to a float.
    pub fn decode(&self, value: i64) -> f64 {
        value as f64 / (1u64 << self.frac_bits) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rounds_half_away_from_zero() {
        let fp = FixedPoint::signed(16, 32);
        assert_eq!(fp.encode_one(0, 1.0).unwrap(), 65536);
        assert_eq!(fp.encode_one(0, -0.5 / 65536.0).unwrap(), -1);
        assert_eq!(fp.encode_one(0, 0.5 / 65536.0).unwrap(), 1);
        assert_eq!(fp.decode(-98304), -1.5);
    }

    #[test]
    fn rejects_nan_inf_and_out_of_range_with_index() {
        let fp = FixedPoint::signed(16, 16);
        let err = fp.encode([0.0, f64::NAN]).unwrap_err();
        assert!(matches!(err, FixedPointError::NotFinite { index: 1, .. }));
        let err = fp.encode([0.0, 0.1, f64::NEG_INFINITY]).unwrap_err();
        assert!(matches!(err, FixedPointError::NotFinite { index: 2, .. }));
        let err = fp.encode([0.6]).unwrap_err();
        assert!(err.to_string().contains("value #0"), "{err}");
        assert_eq!(
            fp.with_clip(true).encode([0.6, -0.6]).unwrap(),
            vec![32767, -32768]
        );
        assert!(fp.with_clip(true).encode([f64::NAN]).is_err());
    }
}
