//! Reading bundles from disk with errors that name the file (exit code 2 territory: the
//! input is unreadable, which is different from a readable round that does not verify).

use std::path::{Path, PathBuf};

use zkfl_circuits::{
    bundle::{RoundBundle, ROUND_MAX},
    files::{self, FileError},
};

/// File name of a round bundle inside its round directory.
pub const BUNDLE_FILE: &str = "round.json";

/// A bundle file or directory that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file or directory cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// Path.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// Not a regular file, or larger than any round bundle.
    #[error(transparent)]
    File(#[from] FileError),
    /// Not JSON, truncated, or not a round bundle.
    #[error("{path} is not a valid zkfl round bundle ({source}); re-export it with `zkfl prove`")]
    Json {
        /// Path.
        path: PathBuf,
        /// Parser message.
        source: serde_json::Error,
    },
    /// A directory without any round bundle.
    #[error("{path} contains no round directory with a {BUNDLE_FILE}")]
    NoRounds {
        /// Directory.
        path: PathBuf,
    },
    /// Two bundles claiming the same round index.
    #[error("{first} and {second} both claim round {round}")]
    DuplicateRound {
        /// Round index.
        round: u64,
        /// One file.
        first: PathBuf,
        /// The other.
        second: PathBuf,
    },
}

/// Reads a bundle from `path`: a round directory (reads `round.json` in it) or the file,
/// a regular file of at most [`ROUND_MAX`] bytes.
///
/// # Errors
/// [`LoadError`] naming the file.
pub fn load_bundle(path: &Path) -> Result<RoundBundle, LoadError> {
    let file = if path.is_dir() {
        path.join(BUNDLE_FILE)
    } else {
        path.to_path_buf()
    };
    let bytes = files::read(&file, ROUND_MAX, "zkfl round bundle")?;
    serde_json::from_slice(&bytes).map_err(|source| LoadError::Json { path: file, source })
}

/// Reads every subdirectory of `dir` that contains a `round.json`, ordered by round index.
/// Holds the whole history in memory: to verify long histories, walk [`bundle_index`] and
/// load one round at a time into a [`crate::HistoryVerifier`], as `zkfl-verify history` does.
///
/// # Errors
/// [`LoadError`] naming the directory or file at fault.
pub fn load_bundles_dir(dir: &Path) -> Result<Vec<RoundBundle>, LoadError> {
    bundle_index(dir)?
        .iter()
        .map(|(_, sub)| load_bundle(sub))
        .collect()
}

/// The round directories under `dir` (subdirectories holding a `round.json`), with their
/// round index, ordered by round. Each bundle is parsed (and checked) once to learn its index
/// and then dropped, so memory stays that of one bundle however long the history is.
///
/// # Errors
/// [`LoadError`] naming the directory or file at fault; [`LoadError::DuplicateRound`] if two
/// directories hold the same round (that would make "consecutive" ambiguous).
pub fn bundle_index(dir: &Path) -> Result<Vec<(u64, PathBuf)>, LoadError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| LoadError::Io { path, source }
    };
    let mut found: Vec<(u64, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let sub = entry.path();
        if sub.is_dir() && sub.join(BUNDLE_FILE).is_file() {
            found.push((load_bundle(&sub)?.round, sub));
        }
    }
    if found.is_empty() {
        return Err(LoadError::NoRounds {
            path: dir.to_path_buf(),
        });
    }
    found.sort();
    if let Some(w) = found.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(LoadError::DuplicateRound {
            round: w[0].0,
            first: w[0].1.join(BUNDLE_FILE),
            second: w[1].1.join(BUNDLE_FILE),
        });
    }
    Ok(found)
}
