//! A round's model file against the digests its round.json records (PROTOCOL.md §6.2): an
//! auditor holding `model.safetensors`, fetched from IPFS or anywhere, ties it to the round
//! without trusting whoever served it.

use std::path::{Path, PathBuf};

use serde::Serialize;
use zkfl_circuits::{
    cid::{ModelFile, ModelFileError},
    files::{self, FileError},
    tensors::TENSORS_MAX,
};

/// File name of the new model inside a round directory.
pub const MODEL_FILE: &str = "model.safetensors";

/// A model file that matches its round's record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModelFileReport {
    /// The file checked; `None` when the round directory has no model file to check.
    pub file: Option<PathBuf>,
    /// Size in bytes (recorded).
    pub bytes: u64,
    /// SHA-256 (recorded), `0x` + hex.
    pub sha256: String,
    /// Raw CIDv1 (recorded): the CID of the whole file as one raw block.
    pub raw_cid: String,
    /// The file's IPFS CID under the `unixfs-v1-2025` profile when the file is one block
    /// (≤ 1 MiB; then it is `raw_cid`); `None` for a multi-block file, whose UnixFS CID is
    /// not recorded.
    pub unixfs_v1_2025_cid: Option<String>,
}

/// Why a model file does not match, or cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ModelFileCheckError {
    /// The file cannot be read.
    #[error(transparent)]
    File(#[from] FileError),
    /// The file is not the recorded one, or the record is inconsistent.
    #[error("{}: {source}", path.display())]
    Mismatch {
        /// The file.
        path: PathBuf,
        /// What differs.
        source: ModelFileError,
    },
}

impl ModelFileReport {
    fn new(record: &ModelFile, file: Option<PathBuf>) -> Self {
        Self {
            file,
            bytes: record.bytes,
            sha256: record.sha256.clone(),
            raw_cid: record.raw_cid.clone(),
            unixfs_v1_2025_cid: record.single_block_cid().map(String::from),
        }
    }

    /// One line for humans.
    pub fn line(&self) -> String {
        let cid = match &self.unixfs_v1_2025_cid {
            Some(c) => format!("CID {c} (raw; the IPFS CID under unixfs-v1-2025, one block)"),
            None => format!(
                "raw CID {} (the whole file as one raw block: a multi-block file's IPFS CID differs)",
                self.raw_cid
            ),
        };
        match &self.file {
            Some(f) => format!(
                "model file {} matches: {} bytes, sha256 {}, {cid}",
                f.display(),
                self.bytes,
                self.sha256
            ),
            None => format!(
                "model file not present, recorded: {} bytes, sha256 {}, {cid}",
                self.bytes, self.sha256
            ),
        }
    }
}

/// Checks `file` against `record` (size, SHA-256, and the CID is the digest's).
///
/// # Errors
/// [`ModelFileCheckError`] naming the file and what differs.
pub fn check_model_file(
    record: &ModelFile,
    file: &Path,
) -> Result<ModelFileReport, ModelFileCheckError> {
    let bytes = files::read(file, TENSORS_MAX, "model file")?;
    record
        .matches(&bytes)
        .map_err(|source| ModelFileCheckError::Mismatch {
            path: file.to_path_buf(),
            source,
        })?;
    Ok(ModelFileReport::new(record, Some(file.to_path_buf())))
}

/// The check `zkfl-verify round` makes: the model file beside round.json in `round` (a
/// round directory, or the bundle file), if there is one; a bundle that records none gives
/// `None`.
///
/// # Errors
/// As [`check_model_file`].
pub fn check_round_model_file(
    record: Option<&ModelFile>,
    round: &Path,
) -> Result<Option<ModelFileReport>, ModelFileCheckError> {
    let Some(record) = record else {
        return Ok(None);
    };
    record
        .check()
        .map_err(|source| ModelFileCheckError::Mismatch {
            path: round.to_path_buf(),
            source,
        })?;
    let dir = if round.is_dir() {
        round
    } else {
        round.parent().unwrap_or(Path::new("."))
    };
    let file = dir.join(MODEL_FILE);
    if !file.exists() {
        return Ok(Some(ModelFileReport::new(record, None)));
    }
    check_model_file(record, &file).map(Some)
}
