//! Structure-aware mutation of a valid JSON file: the fuzzer's bytes are decoded (with
//! `arbitrary`) into a short list of [`Edit`]s, each aimed at one node of the document by
//! its pre-order index, and applied to a copy of the valid file. Most edits keep the file
//! parseable, so the fuzzer spends its time in the verifier, not in the JSON parser (the
//! `json` target covers that).

use arbitrary::{Arbitrary, Unstructured};
use serde_json::Value;

/// BN254's scalar field modulus r, the offset that turns x into its alias x + r.
pub const R: &str = "21888242871839275222246405745257275088548364400416034343698204186575808495617";

/// One change to a JSON document.
#[derive(Arbitrary, Debug, Clone)]
pub enum Edit {
    /// Replace node `at` by a scalar.
    Replace {
        /// Pre-order node index (taken modulo the node count).
        at: u16,
        /// The new value.
        with: Scalar,
    },
    /// Change the text of the string or number at `at`.
    Text {
        /// Pre-order node index.
        at: u16,
        /// The change.
        op: TextOp,
    },
    /// Remove a field of the object, or an element of the array, at `at`.
    Remove {
        /// Pre-order node index.
        at: u16,
        /// Which field or element (modulo the count).
        which: u8,
    },
    /// Duplicate an element of the array at `at` in place.
    Duplicate {
        /// Pre-order node index.
        at: u16,
        /// Which element.
        which: u8,
    },
    /// Swap two elements of the array at `at`.
    Swap {
        /// Pre-order node index.
        at: u16,
        /// First element.
        i: u8,
        /// Second element.
        j: u8,
    },
    /// Add a field to the object at `at`.
    AddField {
        /// Pre-order node index.
        at: u16,
        /// Field name.
        name: String,
        /// Field value.
        with: Scalar,
    },
    /// Copy node `from` over node `to` (e.g. one chunk's proof over another's).
    Copy {
        /// Source node.
        from: u16,
        /// Destination node.
        to: u16,
    },
}

/// A JSON scalar, biased towards values that sit on boundaries.
#[derive(Arbitrary, Debug, Clone)]
pub enum Scalar {
    /// null.
    Null,
    /// A boolean.
    Bool(bool),
    /// An unsigned integer.
    U64(u64),
    /// A signed integer.
    I64(i64),
    /// A float (non-finite ones become null).
    F64(f64),
    /// A string.
    Str(String),
    /// One of [`INTERESTING`].
    Interesting(u8),
}

/// Boundary strings: zero, r − 1, r, 2^64, 2^128, signs, leading zeros, hex spellings.
pub const INTERESTING: &[&str] = &[
    "0",
    "1",
    "21888242871839275222246405745257275088548364400416034343698204186575808495616",
    R,
    "18446744073709551615",
    "18446744073709551616",
    "340282366920938463463374607431768211455",
    "340282366920938463463374607431768211456",
    "+1",
    "01",
    "-1",
    " 1",
    "0x",
    "0x00",
    "0X0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "zkfl-round/1",
    "zkfl-opening/1",
    "zkfl-commitment/1",
    "model",
    "update",
    "verifying",
    "proving",
    "libsnark",
    "circom",
];

/// A change to a string (or a number's text).
#[derive(Arbitrary, Debug, Clone)]
pub enum TextOp {
    /// ASCII upper case.
    Upper,
    /// Drop a leading `0x`.
    StripPrefix,
    /// Put text in front.
    Prefix(String),
    /// Put text behind.
    Append(String),
    /// Keep the first `n` bytes (at a character boundary).
    Truncate(u8),
    /// Replace the character at position `n` (modulo the length).
    SetChar(u8, char),
    /// Add a small number to a decimal string, or r to alias a field element.
    Add(AddOp),
    /// Flip one bit of the bytes a `0x` hex string encodes, keeping the encoding canonical.
    FlipHexBit(u16),
}

/// What [`TextOp::Add`] adds.
#[derive(Arbitrary, Debug, Clone)]
pub enum AddOp {
    /// 1 … 256.
    Small(u8),
    /// r.
    Modulus,
}

/// Decodes up to `max` edits from the fuzzer's bytes.
pub fn edits(u: &mut Unstructured<'_>, max: usize) -> Vec<Edit> {
    let mut out = Vec::new();
    while out.len() < max && !u.is_empty() {
        match Edit::arbitrary(u) {
            Ok(e) => out.push(e),
            Err(_) => break,
        }
    }
    out
}

fn count(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count).sum(),
        Value::Object(o) => o.values().map(count).sum(),
        _ => 0,
    }
}

/// The node at pre-order index `n`.
fn nth_mut<'a>(v: &'a mut Value, n: &mut usize) -> Option<&'a mut Value> {
    if *n == 0 {
        return Some(v);
    }
    *n -= 1;
    match v {
        Value::Array(a) => a.iter_mut().find_map(|c| nth_mut(c, n)),
        Value::Object(o) => o.values_mut().find_map(|c| nth_mut(c, n)),
        _ => None,
    }
}

/// The node `at` (modulo the node count, so there always is one).
fn node(doc: &mut Value, at: u16) -> Option<&mut Value> {
    let mut n = usize::from(at) % count(doc);
    nth_mut(doc, &mut n)
}

fn scalar(s: &Scalar) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Bool(b) => Value::Bool(*b),
        Scalar::U64(x) => Value::from(*x),
        Scalar::I64(x) => Value::from(*x),
        Scalar::F64(x) => serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number),
        Scalar::Str(s) => Value::String(s.clone()),
        Scalar::Interesting(i) => {
            Value::String(INTERESTING[usize::from(*i) % INTERESTING.len()].into())
        }
    }
}

/// Schoolbook sum of two decimal strings of ASCII digits.
pub fn add_decimal(a: &str, b: &str) -> String {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let mut carry = 0u8;
    for i in 0..a.len().max(b.len()) {
        let digit = |s: &[u8]| {
            s.len()
                .checked_sub(i + 1)
                .map_or(0, |k| s[k].wrapping_sub(b'0') % 10)
        };
        let sum = digit(a) + digit(b) + carry;
        out.push(b'0' + sum % 10);
        carry = sum / 10;
    }
    if carry > 0 {
        out.push(b'0' + carry);
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn edit_text(s: &str, op: &TextOp) -> String {
    match op {
        TextOp::Upper => s.to_ascii_uppercase(),
        TextOp::StripPrefix => s.strip_prefix("0x").unwrap_or(s).to_string(),
        TextOp::Prefix(p) => format!("{p}{s}"),
        TextOp::Append(p) => format!("{s}{p}"),
        TextOp::Truncate(n) => {
            let mut end = usize::from(*n).min(s.len());
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s[..end].to_string()
        }
        TextOp::SetChar(n, c) => {
            let mut chars: Vec<char> = s.chars().collect();
            if !chars.is_empty() {
                let i = usize::from(*n) % chars.len();
                chars[i] = *c;
            }
            chars.into_iter().collect()
        }
        TextOp::Add(add) if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() => match add {
            AddOp::Small(k) => add_decimal(s, &(u16::from(*k) + 1).to_string()),
            AddOp::Modulus => add_decimal(s, R),
        },
        TextOp::Add(_) => s.to_string(),
        TextOp::FlipHexBit(bit) => match s.strip_prefix("0x").map(hex_bytes) {
            Some(Some(mut bytes)) if !bytes.is_empty() => {
                let bit = usize::from(*bit) % (8 * bytes.len());
                bytes[bit / 8] ^= 1 << (bit % 8);
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                format!("0x{hex}")
            }
            _ => s.to_string(),
        },
    }
}

fn hex_bytes(digits: &str) -> Option<Vec<u8>> {
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(digits.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Applies `edits` to `doc` in order.
pub fn apply(doc: &mut Value, edits: &[Edit]) {
    for e in edits {
        apply_one(doc, e);
    }
}

fn apply_one(doc: &mut Value, e: &Edit) -> Option<()> {
    match e {
        Edit::Replace { at, with } => *node(doc, *at)? = scalar(with),
        Edit::Text { at, op } => {
            let v = node(doc, *at)?;
            match v {
                Value::String(s) => *s = edit_text(s, op),
                Value::Number(n) => {
                    let text = edit_text(&n.to_string(), op);
                    // A number whose text no longer parses becomes that text as a string.
                    *v = serde_json::from_str::<serde_json::Number>(&text)
                        .map_or(Value::String(text), Value::Number);
                }
                _ => {}
            }
        }
        Edit::Remove { at, which } => match node(doc, *at)? {
            Value::Array(a) if !a.is_empty() => {
                a.remove(usize::from(*which) % a.len());
            }
            Value::Object(o) if !o.is_empty() => {
                let key = o.keys().nth(usize::from(*which) % o.len()).cloned();
                if let Some(k) = key {
                    o.remove(&k);
                }
            }
            _ => {}
        },
        Edit::Duplicate { at, which } => {
            if let Value::Array(a) = node(doc, *at)? {
                if !a.is_empty() {
                    let i = usize::from(*which) % a.len();
                    a.insert(i, a[i].clone());
                }
            }
        }
        Edit::Swap { at, i, j } => {
            if let Value::Array(a) = node(doc, *at)? {
                if !a.is_empty() {
                    let n = a.len();
                    a.swap(usize::from(*i) % n, usize::from(*j) % n);
                }
            }
        }
        Edit::AddField { at, name, with } => {
            if let Value::Object(o) = node(doc, *at)? {
                o.insert(name.clone(), scalar(with));
            }
        }
        Edit::Copy { from, to } => {
            let v = node(doc, *from)?.clone();
            *node(doc, *to)? = v;
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_decimals_and_edits_nodes() {
        assert_eq!(
            add_decimal("5", R),
            "21888242871839275222246405745257275088548364400416034343698204186575808495622"
        );
        assert_eq!(add_decimal("999", "1"), "1000");
        let mut doc = serde_json::json!({"a": ["1", "0xff"], "b": 2});
        // Pre-order: 0 = root, 1 = a, 2 = "1", 3 = "0xff", 4 = b.
        apply(
            &mut doc,
            &[
                Edit::Text {
                    at: 2,
                    op: TextOp::Add(AddOp::Small(1)),
                },
                Edit::Text {
                    at: 3,
                    op: TextOp::FlipHexBit(0),
                },
                Edit::Swap { at: 1, i: 0, j: 1 },
            ],
        );
        assert_eq!(doc, serde_json::json!({"a": ["0xfe", "3"], "b": 2}));
    }
}
