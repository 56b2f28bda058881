//! Content addresses of a released model file (PROTOCOL.md §6.2): its SHA-256 and its raw
//! CIDv1, so that an auditor holding a file, from IPFS or anywhere, can tie it to a round
//! without trusting whoever served it.
//!
//! The raw CIDv1 (multiformats: <https://github.com/multiformats/cid>, codec `raw` = 0x55
//! and `sha2-256` = 0x12 from <https://github.com/multiformats/multicodec/blob/master/table.csv>,
//! multibase `b` = RFC 4648 base32, lower case, no padding) is
//! `"b" ‖ base32(0x01 ‖ 0x55 ‖ 0x12 ‖ 0x20 ‖ SHA-256(file))`. It is the IPFS (UnixFS) CID
//! of the file only when the file is a single block: see [`ModelFile::single_block_cid`].

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::field::{parse_hex32, to_hex};

/// Block size of the IPIP-499 `unixfs-v1-2025` profile (1 MiB chunks, raw leaves, CIDv1):
/// a file of at most this many bytes is one raw block, whose CID is the raw CID.
pub const UNIXFS_V1_2025_CHUNK: u64 = 1 << 20;

/// Kubo's default chunker (`size-262144`): `ipfs add --cid-version 1 --raw-leaves` gives a
/// file the raw CID only up to this size.
pub const KUBO_DEFAULT_CHUNK: u64 = 1 << 18;

/// The multicodec prefix of a CIDv1 of a raw block addressed by SHA-256: version 1, codec
/// raw (0x55), multihash sha2-256 (0x12) of 32 bytes (0x20).
const RAW_SHA256_PREFIX: [u8; 4] = [0x01, 0x55, 0x12, 0x20];

/// RFC 4648 base32, lower case, no padding (multibase `b`).
fn base32_lower(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut acc, mut bits) = (0u16, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u16::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[usize::from((acc >> bits) & 31)] as char);
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(ALPHABET[usize::from((acc << (5 - bits)) & 31)] as char);
    }
    out
}

/// The raw CIDv1 of content with SHA-256 digest `sha256`: `b…` (base32).
pub fn raw_cid(sha256: &[u8; 32]) -> String {
    let mut bytes = RAW_SHA256_PREFIX.to_vec();
    bytes.extend_from_slice(sha256);
    format!("b{}", base32_lower(&bytes))
}

/// What round.json records about `model.safetensors` (`model_file`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file, `0x` + 64 lowercase hex digits.
    #[serde(deserialize_with = "crate::encoding::hex32_string::deserialize")]
    pub sha256: String,
    /// The raw CIDv1 of the whole file (one raw block of `bytes` bytes, sha2-256, base32).
    /// It is the file's IPFS CID only when `single_block_cid` says so.
    pub raw_cid: String,
}

/// Why a file is not the recorded one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelFileError {
    /// The record is not self-consistent.
    #[error("model_file record: {0}")]
    Record(String),
    /// The file differs from the record.
    #[error(
        "{what} is {got}, but round.json records {recorded}: this is not the round's model file"
    )]
    Differs {
        /// "size" or "SHA-256".
        what: &'static str,
        /// Of the file.
        got: String,
        /// In round.json.
        recorded: String,
    },
}

impl ModelFile {
    /// The record of a file's bytes.
    pub fn of(bytes: &[u8]) -> Self {
        let digest: [u8; 32] = Sha256::digest(bytes).into();
        Self {
            bytes: bytes.len() as u64,
            sha256: to_hex(&digest),
            raw_cid: raw_cid(&digest),
        }
    }

    /// The CID IPFS gives this file under the `unixfs-v1-2025` profile (`ipfs add
    /// --cid-version 1 --raw-leaves --chunker=size-1048576`): the raw CID when the file is
    /// one block (≤ 1 MiB); `None` for a multi-block file, whose UnixFS root (a dag-pb node
    /// over 1 MiB raw leaves) zkfl does not compute. Kubo's default chunker makes files
    /// over 256 KiB multi-block, see [`KUBO_DEFAULT_CHUNK`].
    pub fn single_block_cid(&self) -> Option<&str> {
        (self.bytes <= UNIXFS_V1_2025_CHUNK).then_some(self.raw_cid.as_str())
    }

    /// Checks the record against itself (the CID is the digest's).
    ///
    /// # Errors
    /// [`ModelFileError::Record`].
    pub fn check(&self) -> Result<(), ModelFileError> {
        let digest =
            parse_hex32(&self.sha256).map_err(|e| ModelFileError::Record(e.to_string()))?;
        let cid = raw_cid(&digest);
        if cid != self.raw_cid {
            return Err(ModelFileError::Record(format!(
                "raw_cid {} is not the CID of sha256 {} ({cid})",
                self.raw_cid, self.sha256
            )));
        }
        Ok(())
    }

    /// Checks that `bytes` are the recorded file.
    ///
    /// # Errors
    /// [`ModelFileError`] saying what differs.
    pub fn matches(&self, bytes: &[u8]) -> Result<(), ModelFileError> {
        self.check()?;
        let got = Self::of(bytes);
        if got.bytes != self.bytes {
            return Err(ModelFileError::Differs {
                what: "its size",
                got: got.bytes.to_string(),
                recorded: self.bytes.to_string(),
            });
        }
        if got.sha256 != self.sha256 {
            return Err(ModelFileError::Differs {
                what: "its SHA-256",
                got: got.sha256,
                recorded: self.sha256.clone(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648 §10's base32 test vectors, lower case and unpadded.
    #[test]
    fn base32_matches_rfc4648() {
        for (input, want) in [
            ("", ""),
            ("f", "my"),
            ("fo", "mzxq"),
            ("foo", "mzxw6"),
            ("foob", "mzxw6yq"),
            ("fooba", "mzxw6ytb"),
            ("foobar", "mzxw6ytboi"),
        ] {
            assert_eq!(base32_lower(input.as_bytes()), want, "{input:?}");
        }
    }
}
