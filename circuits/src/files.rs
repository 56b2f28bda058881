//! Reading input files with bounded memory and no hang (PROTOCOL.md §6, "Reading files").
//!
//! Every file zkfl reads (keys, params.json, round bundles, openings, commitment records,
//! tensors) goes through [`open`]/[`read`]: it must be a regular file once symlinks are
//! followed, so a link to `/dev/zero` or a FIFO is refused before it is read (and a FIFO is
//! never opened in blocking mode, so it cannot hang the reader), and it is never read past a
//! cap that the caller derives from the shape where one is known.

use std::{
    fs::File,
    io::Read,
    path::{Path, PathBuf},
};

/// Why an input file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file cannot be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// A directory, FIFO, device or socket where a file was expected.
    #[error("{} is {kind}, not a regular file; pass the file itself", path.display())]
    NotRegular {
        /// File.
        path: PathBuf,
        /// What it is instead, e.g. "a FIFO".
        kind: &'static str,
    },
    /// A file that is not valid JSON of the expected kind.
    #[error("{} is not a valid {what} ({source})", path.display())]
    Json {
        /// File.
        path: PathBuf,
        /// What kind of file was expected.
        what: String,
        /// Parser message.
        source: serde_json::Error,
    },
    /// A file larger than any valid file of its kind.
    #[error("{} is {size} bytes, more than the {max} bytes a {what} can have; is it the right file?", path.display())]
    TooLarge {
        /// File.
        path: PathBuf,
        /// Its size (or the bytes read before giving up, if it grew).
        size: u64,
        /// The cap.
        max: u64,
        /// What kind of file was expected.
        what: String,
    },
}

/// A JSON file kind and the largest size a valid file of that kind can have.
pub trait JsonFile: serde::de::DeserializeOwned {
    /// The cap, in bytes.
    const MAX_BYTES: u64;
}

/// Reads and parses a JSON file of kind `T` (a regular file of at most `T::MAX_BYTES`).
///
/// # Errors
/// As [`read`], and [`FileError::Json`] naming `what` was expected.
pub fn read_json<T: JsonFile>(path: &Path, what: &str) -> Result<T, FileError> {
    let bytes = read(path, T::MAX_BYTES, what)?;
    serde_json::from_slice(&bytes).map_err(|source| FileError::Json {
        path: path.to_path_buf(),
        what: what.into(),
        source,
    })
}

/// A regular file opened for reading, with its size at opening time.
pub struct InputFile {
    file: File,
    path: PathBuf,
    len: u64,
}

#[cfg(unix)]
fn kind_of(t: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn kind_of(t: std::fs::FileType) -> &'static str {
    if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // If the path is swapped for a FIFO between the check and the open, a blocking open
    // would wait for a writer forever; non-blocking, it returns and the fstat refuses it.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// Opens `path` for reading if it is a regular file (after following symlinks).
///
/// # Errors
/// [`FileError::NotRegular`] for anything else, [`FileError::Io`] if it cannot be opened.
pub fn open(path: &Path) -> Result<InputFile, FileError> {
    let io = |source| FileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let not_regular = |t: std::fs::FileType| FileError::NotRegular {
        path: path.to_path_buf(),
        kind: kind_of(t),
    };
    // Checked before opening: opening some devices has side effects.
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    let file = open_nonblocking(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    Ok(InputFile {
        file,
        path: path.to_path_buf(),
        len: meta.len(),
    })
}

/// Reads all of `path`, a regular file of at most `max` bytes.
///
/// # Errors
/// As [`open`], and [`FileError::TooLarge`] naming `what` was expected.
pub fn read(path: &Path, max: u64, what: &str) -> Result<Vec<u8>, FileError> {
    let mut f = open(path)?;
    f.check_len(max, what)?;
    f.read_at_most(max, what)
}

impl InputFile {
    /// Size of the file when it was opened.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file was empty when it was opened.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The file's path, for error messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Refuses the file if it was larger than `max` bytes when opened.
    ///
    /// # Errors
    /// [`FileError::TooLarge`].
    pub fn check_len(&self, max: u64, what: &str) -> Result<(), FileError> {
        if self.len > max {
            return Err(self.too_large(self.len, max, what));
        }
        Ok(())
    }

    /// Reads the rest of the file, refusing it once more than `max` bytes arrive (the file
    /// may have grown since it was opened).
    ///
    /// # Errors
    /// [`FileError::Io`] or [`FileError::TooLarge`].
    pub fn read_at_most(&mut self, max: u64, what: &str) -> Result<Vec<u8>, FileError> {
        let mut buf = Vec::with_capacity(usize::try_from(self.len.min(max)).unwrap_or(0));
        (&mut self.file)
            .take(max.saturating_add(1))
            .read_to_end(&mut buf)
            .map_err(|source| FileError::Io {
                path: self.path.clone(),
                source,
            })?;
        let got = buf.len() as u64;
        if got > max {
            return Err(self.too_large(got, max, what));
        }
        Ok(buf)
    }

    fn too_large(&self, size: u64, max: u64, what: &str) -> FileError {
        FileError::TooLarge {
            path: self.path.clone(),
            size,
            max,
            what: what.into(),
        }
    }
}

impl Read for InputFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.file.read(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_small_regular_file_and_refuses_a_large_one() {
        let dir = tempdir();
        let path = dir.join("f.json");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read(&path, 10, "test file").unwrap(), b"0123456789");
        let err = read(&path, 9, "test file").unwrap_err().to_string();
        assert!(err.contains("f.json") && err.contains("10 bytes"), "{err}");
        let err = read(&dir, 100, "test file").unwrap_err().to_string();
        assert!(err.contains("a directory"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempdir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "zkfl-files-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
