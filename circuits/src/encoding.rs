//! serde adapters that accept only the canonical encodings of PROTOCOL.md §6, so that one
//! value has exactly one spelling in every file: format tags that must match, u128 values as
//! canonical decimal strings, and digests as `0x` + 64 lowercase hex digits. The string
//! parsers themselves are in [`crate::field`].

use std::marker::PhantomData;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A file kind with a versioned `format` tag.
pub trait Tag {
    /// The one tag this reader accepts, e.g. `zkfl-opening/1`.
    const TAG: &'static str;
}

/// A `format` field that serde checks: it always serialises as `T::TAG`, and deserialising
/// any other string fails, so a file of another kind or version never gets past parsing.
pub struct Format<T>(PhantomData<T>);

impl<T: Tag> Format<T> {
    /// The tag.
    pub fn new() -> Self {
        Self(PhantomData)
    }

    /// The tag string.
    pub fn as_str(&self) -> &'static str {
        T::TAG
    }
}

impl<T: Tag> Default for Format<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Clone for Format<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Format<T> {}

impl<T> PartialEq for Format<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for Format<T> {}

impl<T: Tag> PartialEq<&str> for Format<T> {
    fn eq(&self, other: &&str) -> bool {
        T::TAG == *other
    }
}

impl<T: Tag> std::fmt::Debug for Format<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", T::TAG)
    }
}

impl<T: Tag> std::fmt::Display for Format<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(T::TAG)
    }
}

impl<T: Tag> Serialize for Format<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(T::TAG)
    }
}

impl<'de, T: Tag> Deserialize<'de> for Format<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let found = String::deserialize(d)?;
        if found == T::TAG {
            Ok(Self::new())
        } else {
            Err(serde::de::Error::custom(format!(
                "format is '{}', this zkfl reads '{}'",
                found.chars().take(80).collect::<String>(),
                T::TAG
            )))
        }
    }
}

/// u128 as a canonical decimal string (JSON numbers above 2^53 are not portable; "+1",
/// "01" and " 1" are refused).
pub mod u128_string {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises as a string.
    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    /// Parses a canonical decimal string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        crate::field::u128_from_decimal(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A 32-byte digest kept as its canonical string, `0x` + 64 lowercase hex digits (the
/// verifying-key digest): compared as a string, so only one spelling may be accepted.
pub mod hex32_string {
    use serde::{Deserialize, Deserializer};

    /// Parses the canonical form and keeps the string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let s = String::deserialize(d)?;
        crate::field::parse_hex32(&s).map_err(serde::de::Error::custom)?;
        Ok(s)
    }
}
