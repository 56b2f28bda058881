//! Conversions between integers, BN254 scalars and their canonical encodings.

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};

/// Why a string is not the canonical encoding of a value (PROTOCOL.md §6): decimal
/// integers are ASCII digits with no sign, whitespace or leading zero ("0" itself aside);
/// byte strings are `0x` followed by exactly two lowercase hex digits per byte.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// Not a canonical decimal integer.
    #[error("'{0}' is not a canonical decimal integer (digits only: no sign, no whitespace, no leading zeros)")]
    NotDecimal(String),
    /// A decimal integer ≥ r: x and x + r must never both be accepted.
    #[error("'{0}' is not below the BN254 scalar field modulus r (non-canonical encoding)")]
    NotCanonical(String),
    /// A decimal integer that does not fit the type it encodes.
    #[error("'{value}' does not fit in {bits} bits")]
    TooLarge {
        /// The string (shortened).
        value: String,
        /// Width of the integer type.
        bits: u32,
    },
    /// Not `0x` followed by the right number of lowercase hex digits.
    #[error("'{value}' is not 0x followed by {} lowercase hex digits ({bytes} bytes)", 2 * .bytes)]
    NotHex {
        /// The string (shortened).
        value: String,
        /// Bytes expected.
        bytes: usize,
    },
}

/// `s` for an error message: a hostile file can hold a string of any length.
fn shown(s: &str) -> String {
    const MAX: usize = 80;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Whether `s` is a canonical decimal integer: non-empty ASCII digits, no leading zero
/// unless it is "0".
fn is_canonical_decimal(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s.len() == 1 || !s.starts_with('0'))
}

/// Parses a canonical decimal u128 (see [`FieldError`]); `u128::from_str` would also take
/// "+1" and "007".
///
/// # Errors
/// [`FieldError::NotDecimal`] or [`FieldError::TooLarge`].
pub fn u128_from_decimal(s: &str) -> Result<u128, FieldError> {
    if !is_canonical_decimal(s) {
        return Err(FieldError::NotDecimal(shown(s)));
    }
    s.parse().map_err(|_| FieldError::TooLarge {
        value: shown(s),
        bits: 128,
    })
}

/// `0x` followed by the lowercase hex of `bytes`: the one canonical byte-string encoding.
pub fn to_hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Parses the canonical encoding of exactly `len` bytes: `0x` and 2·`len` lowercase hex
/// digits.
///
/// # Errors
/// [`FieldError::NotHex`] for anything else (no prefix, upper case, wrong length).
pub fn bytes_from_hex(s: &str, len: usize) -> Result<Vec<u8>, FieldError> {
    let bad = || FieldError::NotHex {
        value: shown(s),
        bytes: len,
    };
    let digits = s.strip_prefix("0x").ok_or_else(bad)?;
    let lower = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    if digits.len() != 2 * len || !digits.bytes().all(lower) {
        return Err(bad());
    }
    hex::decode(digits).map_err(|_| bad())
}

/// The signed integer `v` as a field element (negative values wrap to r − |v|).
pub fn fr_from_i64(v: i64) -> Fr {
    if v < 0 {
        -Fr::from(v.unsigned_abs())
    } else {
        Fr::from(v as u64)
    }
}

/// The unsigned integer `v` as a field element.
pub fn fr_from_u128(v: u128) -> Fr {
    Fr::from(v)
}

/// 32-byte big-endian encoding (the form used in SHA-256 commitments and on-chain).
pub fn fr_to_be_bytes(x: &Fr) -> [u8; 32] {
    let bytes = x.into_bigint().to_bytes_be();
    let mut out = [0u8; 32];
    out[32 - bytes.len()..].copy_from_slice(&bytes);
    out
}

/// Decodes 32 big-endian bytes, rejecting values ≥ r.
///
/// # Errors
/// [`FieldError::NotCanonical`] when the integer is not below r.
pub fn fr_from_be_bytes(bytes: &[u8; 32]) -> Result<Fr, FieldError> {
    let x = Fr::from_be_bytes_mod_order(bytes);
    if fr_to_be_bytes(&x) != *bytes {
        return Err(FieldError::NotCanonical(format!(
            "0x{}",
            hex::encode(bytes)
        )));
    }
    Ok(x)
}

/// Canonical decimal string.
pub fn fr_to_decimal(x: &Fr) -> String {
    x.into_bigint().to_string()
}

/// Parses a decimal string, rejecting anything but a canonical element (< r, no sign,
/// no leading zeros except "0").
///
/// # Errors
/// [`FieldError`] saying why the string was refused.
pub fn fr_from_decimal(s: &str) -> Result<Fr, FieldError> {
    if !is_canonical_decimal(s) {
        return Err(FieldError::NotDecimal(shown(s)));
    }
    if s.len() > 78 {
        return Err(FieldError::NotCanonical(shown(s)));
    }
    // Accumulate in a 320-bit integer so that values ≥ r are seen, not reduced.
    let mut limbs = [0u64; 5];
    for b in s.bytes() {
        let mut carry = (b - b'0') as u128;
        for limb in limbs.iter_mut() {
            let v = (*limb as u128) * 10 + carry;
            *limb = v as u64;
            carry = v >> 64;
        }
    }
    if limbs[4] != 0 {
        return Err(FieldError::NotCanonical(shown(s)));
    }
    let big = ark_ff::BigInt::<4>([limbs[0], limbs[1], limbs[2], limbs[3]]);
    Fr::from_bigint(big).ok_or_else(|| FieldError::NotCanonical(shown(s)))
}

/// `0x`-prefixed 64-hex-digit big-endian string.
pub fn fr_to_hex(x: &Fr) -> String {
    to_hex(&fr_to_be_bytes(x))
}

/// Parses a canonical 32-byte hex string (see [`bytes_from_hex`]), rejecting values ≥ r.
///
/// # Errors
/// [`FieldError`] if the string is not 32 bytes of hex or not canonical.
pub fn fr_from_hex(s: &str) -> Result<Fr, FieldError> {
    let bytes = parse_hex32(s)?;
    fr_from_be_bytes(&bytes)
}

/// Parses the canonical encoding of 32 bytes (see [`bytes_from_hex`]).
///
/// # Errors
/// [`FieldError::NotHex`] otherwise.
pub fn parse_hex32(s: &str) -> Result<[u8; 32], FieldError> {
    let mut out = [0u8; 32];
    out.copy_from_slice(&bytes_from_hex(s, 32)?);
    Ok(out)
}

/// The low `bits` bits of the canonical representative of `x`, little-endian.
///
/// Witness generation uses this for range-checked values: an out-of-range value yields
/// bits that do not recompose to it, so the circuit's link constraint fails.
pub fn low_bits_le(x: &Fr, bits: u32) -> Vec<bool> {
    let mut all = x.into_bigint().to_bits_le();
    all.resize(bits as usize, false);
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{Field, Zero};

    const R: &str = "21888242871839275222246405745257275088548364400416034343698204186575808495617";

    #[test]
    fn decimal_rejects_x_plus_r_and_junk() {
        let minus_one = fr_from_decimal(
            "21888242871839275222246405745257275088548364400416034343698204186575808495616",
        )
        .unwrap();
        assert_eq!(minus_one, -Fr::ONE);
        assert!(matches!(
            fr_from_decimal(R),
            Err(FieldError::NotCanonical(_))
        ));
        // 5 + r
        let five_plus_r =
            "21888242871839275222246405745257275088548364400416034343698204186575808495622";
        assert!(matches!(
            fr_from_decimal(five_plus_r),
            Err(FieldError::NotCanonical(_))
        ));
        assert!(fr_from_decimal("-1").is_err());
        assert!(fr_from_decimal("007").is_err());
        assert!(fr_from_decimal("").is_err());
        assert_eq!(fr_from_decimal("0").unwrap(), Fr::zero());
        assert_eq!(fr_to_decimal(&Fr::from(12345u64)), "12345");
    }

    #[test]
    fn bytes_and_hex_round_trip_and_reject_non_canonical() {
        let x = fr_from_i64(-7);
        assert_eq!(fr_from_hex(&fr_to_hex(&x)).unwrap(), x);
        let r_bytes = fr_to_be_bytes(&(-Fr::ONE));
        let mut plus_r = r_bytes;
        plus_r[31] += 1; // r itself
        assert!(fr_from_be_bytes(&plus_r).is_err());
        assert!(fr_from_hex("0x12").is_err());
    }
}
