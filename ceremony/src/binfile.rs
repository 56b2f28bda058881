//! The container iden3's `binfileutils` gives `.ptau`, `.zkey` and `.r1cs` files.
//!
//! Layout: 4-byte magic ("ptau", "zkey", "r1cs") ‖ u32-LE version ‖ u32-LE section count ‖
//! sections, each u32-LE id ‖ u64-LE byte length ‖ bytes. Sections may appear in any order
//! (`snarkjs zkey new` writes 1, 2, 4, 3, 9, 8, 5, 6, 7, 10); a reader finds them by id.

use std::{
    fs::File,
    io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write},
    path::{Path, PathBuf},
};

use crate::CeremonyError;

/// Where one section's bytes are in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Section {
    /// Section id.
    pub id: u32,
    /// Offset of the first byte after the section header.
    pub offset: u64,
    /// Length in bytes.
    pub size: u64,
}

/// A binfile opened for reading: its section table, bytes read on demand.
#[derive(Debug)]
pub struct BinReader {
    path: PathBuf,
    kind: &'static str,
    file: File,
    len: u64,
    /// Format version from the header.
    pub version: u32,
    sections: Vec<Section>,
}

impl BinReader {
    /// Opens `path`, checks the magic, and scans the section table.
    ///
    /// # Errors
    /// [`CeremonyError::Io`] or [`CeremonyError::Format`] (wrong magic, truncated table).
    pub fn open(path: &Path, magic: &[u8; 4], kind: &'static str) -> Result<Self, CeremonyError> {
        let io = |e| CeremonyError::io(path, e);
        let file = File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        let mut r = BufReader::new(&file);
        let mut head = [0u8; 12];
        r.read_exact(&mut head)
            .map_err(|_| CeremonyError::format(path, kind, "shorter than its 12-byte header"))?;
        if &head[..4] != magic {
            return Err(CeremonyError::format(
                path,
                kind,
                format!(
                    "starts with {:?}, not {:?}",
                    String::from_utf8_lossy(&head[..4]),
                    String::from_utf8_lossy(magic)
                ),
            ));
        }
        let version = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        let count = u32::from_le_bytes([head[8], head[9], head[10], head[11]]);
        let mut sections = Vec::new();
        let mut pos = 12u64;
        for _ in 0..count {
            let mut h = [0u8; 12];
            r.read_exact(&mut h).map_err(|_| {
                CeremonyError::format(path, kind, "section table runs past the end of the file")
            })?;
            let id = u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
            let size = u64::from_le_bytes(h[4..12].try_into().unwrap_or([0; 8]));
            let offset = pos + 12;
            let end = offset
                .checked_add(size)
                .filter(|&e| e <= len)
                .ok_or_else(|| {
                    CeremonyError::format(
                        path,
                        kind,
                        format!("section {id} claims {size} bytes past the end of the file"),
                    )
                })?;
            sections.push(Section { id, offset, size });
            pos = end;
            r.seek(SeekFrom::Start(pos)).map_err(io)?;
        }
        if pos != len {
            return Err(CeremonyError::format(
                path,
                kind,
                format!("{} bytes after the last section", len - pos),
            ));
        }
        Ok(Self {
            path: path.to_path_buf(),
            kind,
            file,
            len,
            version,
            sections,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A malformed-file error for this file.
    pub fn bad(&self, reason: impl Into<String>) -> CeremonyError {
        CeremonyError::format(&self.path, self.kind, reason)
    }

    /// The section with `id`, if present exactly once.
    ///
    /// # Errors
    /// [`CeremonyError::Format`] if it is missing or duplicated.
    pub fn section(&self, id: u32) -> Result<Section, CeremonyError> {
        let mut found = self.sections.iter().filter(|s| s.id == id);
        match (found.next(), found.next()) {
            (Some(s), None) => Ok(*s),
            (None, _) => Err(self.bad(format!("section {id} is missing"))),
            (Some(_), Some(_)) => Err(self.bad(format!("section {id} appears twice"))),
        }
    }

    /// Whether a section with `id` exists.
    pub fn has_section(&self, id: u32) -> bool {
        self.sections.iter().any(|s| s.id == id)
    }

    /// `len` bytes at absolute file offset `offset`.
    ///
    /// # Errors
    /// [`CeremonyError::Format`] if the range leaves the file, [`CeremonyError::Io`].
    pub fn read_at(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, CeremonyError> {
        if offset.checked_add(len as u64).is_none_or(|e| e > self.len) {
            return Err(self.bad(format!("read of {len} bytes at {offset} leaves the file")));
        }
        let mut buf = vec![0u8; len];
        let path = self.path.clone();
        self.file
            .seek(SeekFrom::Start(offset))
            .and_then(|_| self.file.read_exact(&mut buf))
            .map_err(|e| CeremonyError::io(&path, e))?;
        Ok(buf)
    }

    /// `len` bytes of section `id` starting `start` bytes into it.
    ///
    /// # Errors
    /// [`CeremonyError::Format`] if the range leaves the section.
    pub fn read_in(&mut self, id: u32, start: u64, len: usize) -> Result<Vec<u8>, CeremonyError> {
        let s = self.section(id)?;
        if start.checked_add(len as u64).is_none_or(|e| e > s.size) {
            return Err(self.bad(format!(
                "section {id} has {} bytes; {len} bytes at {start} do not fit",
                s.size
            )));
        }
        self.read_at(s.offset + start, len)
    }

    /// The whole of section `id`.
    ///
    /// # Errors
    /// As [`BinReader::read_in`].
    pub fn read_section(&mut self, id: u32) -> Result<Vec<u8>, CeremonyError> {
        let s = self.section(id)?;
        let len = usize::try_from(s.size).map_err(|_| self.bad("section too large"))?;
        self.read_in(id, 0, len)
    }
}

/// A binfile being written, one section at a time.
pub struct BinWriter {
    path: PathBuf,
    out: BufWriter<File>,
    open: Option<(u64, u64)>,
    pos: u64,
}

impl BinWriter {
    /// Creates `path` with the header for `sections` sections.
    ///
    /// # Errors
    /// [`CeremonyError::Io`].
    pub fn create(
        path: &Path,
        magic: &[u8; 4],
        version: u32,
        sections: u32,
    ) -> Result<Self, CeremonyError> {
        let file = File::create(path).map_err(|e| CeremonyError::io(path, e))?;
        let mut w = Self {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(1 << 20, file),
            open: None,
            pos: 0,
        };
        w.write(magic)?;
        w.write(&version.to_le_bytes())?;
        w.write(&sections.to_le_bytes())?;
        Ok(w)
    }

    /// Appends raw bytes to the open section.
    ///
    /// # Errors
    /// [`CeremonyError::Io`].
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), CeremonyError> {
        self.out
            .write_all(bytes)
            .map_err(|e| CeremonyError::io(&self.path, e))?;
        self.pos += bytes.len() as u64;
        Ok(())
    }

    /// Starts section `id`; its length is filled in by [`BinWriter::end_section`].
    ///
    /// # Errors
    /// [`CeremonyError::Io`].
    pub fn begin_section(&mut self, id: u32) -> Result<(), CeremonyError> {
        self.write(&id.to_le_bytes())?;
        let size_at = self.pos;
        self.write(&0u64.to_le_bytes())?;
        self.open = Some((size_at, self.pos));
        Ok(())
    }

    /// Closes the open section, writing its length into its header.
    ///
    /// # Errors
    /// [`CeremonyError::Io`].
    pub fn end_section(&mut self) -> Result<(), CeremonyError> {
        let Some((size_at, start)) = self.open.take() else {
            return Ok(());
        };
        let size = self.pos - start;
        let io = |e| CeremonyError::io(&self.path, e);
        self.out.seek(SeekFrom::Start(size_at)).map_err(io)?;
        self.out.write_all(&size.to_le_bytes()).map_err(io)?;
        self.out.seek(SeekFrom::Start(self.pos)).map_err(io)?;
        Ok(())
    }

    /// A whole section in one call.
    ///
    /// # Errors
    /// [`CeremonyError::Io`].
    pub fn section(&mut self, id: u32, bytes: &[u8]) -> Result<(), CeremonyError> {
        self.begin_section(id)?;
        self.write(bytes)?;
        self.end_section()
    }

    /// Copies section `id` of `from` unchanged, streaming it in 16 MiB pieces.
    ///
    /// # Errors
    /// [`CeremonyError`] on read or write failure.
    pub fn copy_section(&mut self, from: &mut BinReader, id: u32) -> Result<(), CeremonyError> {
        let s = from.section(id)?;
        self.begin_section(id)?;
        let piece = 16u64 << 20;
        let mut done = 0u64;
        while done < s.size {
            let n = piece.min(s.size - done) as usize;
            let bytes = from.read_in(id, done, n)?;
            self.write(&bytes)?;
            done += n as u64;
        }
        self.end_section()
    }

    /// Flushes and closes the file.
    ///
    /// # Errors
    /// [`CeremonyError::Io`].
    pub fn finish(mut self) -> Result<(), CeremonyError> {
        self.end_section()?;
        let path = self.path.clone();
        self.out
            .into_inner()
            .map_err(|e| CeremonyError::io(&path, e.into_error()))?
            .sync_all()
            .map_err(|e| CeremonyError::io(&path, e))
    }
}
