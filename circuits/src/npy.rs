//! NumPy tensors: `.npy` files, `.npz` archives (feature `npz`), and raw arrays handed over
//! in memory (the Python package passes each array as its dtype string, shape and bytes).
//!
//! All three go through [`decode`], so a bad dtype or a truncated array gets the same error
//! whether it came from a file or from Python. Only float32 and float64 in C order are read
//! (the subset Flower and `np.save` produce); every other dtype is refused with its name in
//! safetensors spelling (`I64`, `F16`, …) so that the message matches a safetensors file's.
//! An `.npy` header is a Python dict literal; it is parsed strictly, never evaluated.

use std::path::Path;

use crate::{
    files,
    tensors::{Params, TensorError, TensorSpec, TENSORS_MAX},
};

/// One array as raw bytes: what a `.npy` entry or a numpy array in memory holds.
#[derive(Clone, Debug)]
pub struct RawArray {
    /// Tensor name.
    pub name: String,
    /// numpy dtype string (`dtype.str`), e.g. `<f4`.
    pub descr: String,
    /// Dimensions, C order.
    pub shape: Vec<usize>,
    /// The elements, C order, in the byte order `descr` names.
    pub data: Vec<u8>,
}

/// The safetensors spelling of a numpy dtype string (`<i8` → `I64`), or the string itself
/// for dtypes safetensors has no name for.
pub fn dtype_name(descr: &str) -> String {
    let body = descr.trim_start_matches(['<', '>', '=', '|']);
    let (kind, size) = body.split_at(body.len().min(1));
    let name = match (kind, size) {
        ("f", "2") => "F16",
        ("f", "4") => "F32",
        ("f", "8") => "F64",
        ("i", "1") => "I8",
        ("i", "2") => "I16",
        ("i", "4") => "I32",
        ("i", "8") => "I64",
        ("u", "1") => "U8",
        ("u", "2") => "U16",
        ("u", "4") => "U32",
        ("u", "8") => "U64",
        ("b", "1") => "BOOL",
        _ => return descr.to_string(),
    };
    name.to_string()
}

/// Decodes one array to f64 values in C order, refusing any dtype but float32/float64 and a
/// byte count that does not match the shape.
///
/// # Errors
/// [`TensorError::Dtype`] or [`TensorError::Array`] naming `source` and the tensor.
pub fn decode(source: &str, array: &RawArray) -> Result<(TensorSpec, Vec<f64>), TensorError> {
    let big_endian = match array.descr.as_bytes().first() {
        Some(b'<' | b'|') => false,
        Some(b'>') => true,
        _ => cfg!(target_endian = "big"),
    };
    let dtype = dtype_name(&array.descr);
    let width = match dtype.as_str() {
        "F32" => 4,
        "F64" => 8,
        _ => {
            return Err(TensorError::Dtype {
                path: source.into(),
                tensor: array.name.clone(),
                dtype,
            })
        }
    };
    let bad = |reason: String| TensorError::Array {
        path: source.into(),
        tensor: array.name.clone(),
        reason,
    };
    let count = array
        .shape
        .iter()
        .try_fold(1usize, |n, &s| n.checked_mul(s))
        .ok_or_else(|| bad(format!("shape {:?} overflows", array.shape)))?;
    let expected = count
        .checked_mul(width)
        .ok_or_else(|| bad(format!("shape {:?} overflows", array.shape)))?;
    if array.data.len() != expected {
        return Err(bad(format!(
            "{} bytes of data, but shape {:?} of {dtype} needs {expected}",
            array.data.len(),
            array.shape
        )));
    }
    let values = if width == 4 {
        array
            .data
            .chunks_exact(4)
            .map(|b| {
                let b = [b[0], b[1], b[2], b[3]];
                f64::from(if big_endian {
                    f32::from_be_bytes(b)
                } else {
                    f32::from_le_bytes(b)
                })
            })
            .collect()
    } else {
        array
            .data
            .chunks_exact(8)
            .map(|b| {
                let b: [u8; 8] = [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]];
                if big_endian {
                    f64::from_be_bytes(b)
                } else {
                    f64::from_le_bytes(b)
                }
            })
            .collect()
    };
    let spec = TensorSpec {
        name: array.name.clone(),
        shape: array.shape.clone(),
        dtype,
    };
    Ok((spec, values))
}

/// Decodes named arrays into one parameter vector in canonical order (names sorted
/// bytewise, each tensor row-major), as [`crate::tensors::read`] does for files.
///
/// # Errors
/// [`TensorError`] naming `source` and the tensor: a bad dtype or size, a repeated name, or
/// no arrays at all.
pub fn assemble(source: &str, mut arrays: Vec<RawArray>) -> Result<Params, TensorError> {
    if arrays.is_empty() {
        return Err(TensorError::Empty {
            path: source.into(),
        });
    }
    arrays.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(w) = arrays.windows(2).find(|w| w[0].name == w[1].name) {
        return Err(TensorError::Array {
            path: source.into(),
            tensor: w[0].name.clone(),
            reason: "appears twice".into(),
        });
    }
    let mut tensors = Vec::with_capacity(arrays.len());
    let mut values = Vec::new();
    for array in &arrays {
        let (spec, v) = decode(source, array)?;
        tensors.push(spec);
        values.extend(v);
    }
    Ok(Params {
        layout: crate::tensors::Layout { tensors },
        values,
    })
}

/// Parses the bytes of one `.npy` file (format versions 1–3) into an array called `name`.
///
/// # Errors
/// [`TensorError::Npy`] naming `source` for anything but a C-order array with a plain dtype.
pub fn parse_npy(source: &str, name: &str, bytes: &[u8]) -> Result<RawArray, TensorError> {
    let bad = |reason: String| TensorError::Npy {
        path: source.into(),
        reason,
    };
    let rest = bytes
        .strip_prefix(b"\x93NUMPY")
        .ok_or_else(|| bad("missing the \\x93NUMPY magic".into()))?;
    let (len, header_start): (usize, usize) = match rest {
        [1, _, a, b, ..] => (usize::from(u16::from_le_bytes([*a, *b])), 10),
        [2 | 3, _, a, b, c, d, ..] => (
            usize::try_from(u32::from_le_bytes([*a, *b, *c, *d]))
                .map_err(|_| bad("header length does not fit".into()))?,
            12,
        ),
        [v, ..] => return Err(bad(format!("format version {v} is not 1, 2 or 3"))),
        [] => return Err(bad("truncated header".into())),
    };
    let header_end = header_start
        .checked_add(len)
        .filter(|&end| end <= bytes.len())
        .ok_or_else(|| bad("truncated header".into()))?;
    let header = std::str::from_utf8(&bytes[header_start..header_end])
        .map_err(|_| bad("header is not text".into()))?;
    let header = parse_header(header).map_err(|e| bad(format!("header {header:?}: {e}")))?;
    if header.fortran_order {
        return Err(bad(format!(
            "array '{name}' is in Fortran order; save np.ascontiguousarray(a) instead"
        )));
    }
    Ok(RawArray {
        name: name.into(),
        descr: header.descr,
        shape: header.shape,
        data: bytes[header_end..].to_vec(),
    })
}

struct Header {
    descr: String,
    fortran_order: bool,
    shape: Vec<usize>,
}

/// The header dict: exactly the keys `descr` (a string), `fortran_order` (a bool) and
/// `shape` (a tuple of integers), in any order, with optional trailing commas.
fn parse_header(text: &str) -> Result<Header, String> {
    let mut p = Literal {
        s: text.trim_end_matches([' ', '\n']),
        at: 0,
    };
    p.expect("{")?;
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    while !p.eat("}") {
        let key = p.string()?;
        p.expect(":")?;
        match key.as_str() {
            "descr" if descr.is_none() => descr = Some(p.string()?),
            "fortran_order" if fortran.is_none() => {
                fortran = Some(if p.eat("True") {
                    true
                } else {
                    p.expect("False")?;
                    false
                })
            }
            "shape" if shape.is_none() => shape = Some(p.tuple()?),
            other => return Err(format!("unexpected or repeated key '{other}'")),
        }
        if !p.eat(",") {
            p.expect("}")?;
            break;
        }
    }
    if p.at != p.s.len() {
        return Err("trailing characters".into());
    }
    match (descr, fortran, shape) {
        (Some(descr), Some(fortran_order), Some(shape)) => Ok(Header {
            descr,
            fortran_order,
            shape,
        }),
        _ => Err("needs 'descr', 'fortran_order' and 'shape'".into()),
    }
}

struct Literal<'a> {
    s: &'a str,
    at: usize,
}

impl Literal<'_> {
    fn skip_space(&mut self) {
        while self.s[self.at..].starts_with(' ') {
            self.at += 1;
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        let found = self.s[self.at..].starts_with(token);
        if found {
            self.at += token.len();
        }
        found
    }

    fn expect(&mut self, token: &str) -> Result<(), String> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(format!("expected '{token}' at byte {}", self.at))
        }
    }

    /// A quoted string without escapes (dtype strings and keys never need them).
    fn string(&mut self) -> Result<String, String> {
        self.skip_space();
        let quote = match self.s[self.at..].chars().next() {
            Some(q @ ('\'' | '"')) => q,
            _ => return Err(format!("expected a string at byte {}", self.at)),
        };
        let body = &self.s[self.at + 1..];
        let end = body
            .find(quote)
            .ok_or_else(|| "unterminated string".to_string())?;
        let value = &body[..end];
        if value.contains('\\') {
            return Err("escaped strings are not supported".into());
        }
        self.at += end + 2;
        Ok(value.to_string())
    }

    /// `()`, `(3,)`, `(3, 4)`: non-negative integers.
    fn tuple(&mut self) -> Result<Vec<usize>, String> {
        self.expect("(")?;
        let mut dims = Vec::new();
        while !self.eat(")") {
            self.skip_space();
            let digits = self.s[self.at..]
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(self.s.len() - self.at);
            let dim = self.s[self.at..self.at + digits]
                .parse()
                .map_err(|_| format!("expected a dimension at byte {}", self.at))?;
            self.at += digits;
            dims.push(dim);
            if !self.eat(",") {
                self.expect(")")?;
                break;
            }
        }
        Ok(dims)
    }
}

/// The name a path's file stem gives a tensor (`w.npy` → `w`).
fn stem(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("array")
        .to_string()
}

/// Reads one `.npy` file as a one-tensor parameter vector named after the file's stem.
///
/// # Errors
/// [`TensorError`] naming the file.
pub fn read_npy(path: &Path) -> Result<Params, TensorError> {
    let p = path.display().to_string();
    let bytes = files::read(path, TENSORS_MAX, ".npy file")?;
    let array = parse_npy(&p, &stem(path), &bytes)?;
    assemble(&p, vec![array])
}

/// Reads an `.npz` archive (`np.savez` or `np.savez_compressed`): one tensor per `NAME.npy`
/// entry, named `NAME`.
///
/// # Errors
/// [`TensorError`] naming the file and the entry.
#[cfg(feature = "npz")]
pub fn read_npz(path: &Path) -> Result<Params, TensorError> {
    use std::io::Read;
    let p = path.display().to_string();
    let bad = |reason: String| TensorError::Npy {
        path: p.clone(),
        reason,
    };
    let archive = files::read(path, TENSORS_MAX, ".npz archive")?;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive))
        .map_err(|e| bad(format!("not a zip archive ({e})")))?;
    let mut arrays = Vec::with_capacity(zip.len());
    // Compressed entries can inflate far past the archive's size: all of them together get
    // the same cap as a tensor file.
    let mut budget = TENSORS_MAX;
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| bad(format!("entry {i}: {e}")))?;
        let entry_name = entry
            .name()
            .map_err(|e| bad(format!("entry {i}: {e}")))?
            .to_string();
        let name = entry_name
            .strip_suffix(".npy")
            .ok_or_else(|| bad(format!("entry '{entry_name}' is not an .npy array")))?
            .to_string();
        let mut bytes = Vec::new();
        (&mut entry)
            .take(budget.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| bad(format!("entry '{entry_name}': {e}")))?;
        budget = budget.checked_sub(bytes.len() as u64).ok_or_else(|| {
            bad(format!(
                "its arrays inflate past {TENSORS_MAX} bytes at entry '{entry_name}'; is it the right file?"
            ))
        })?;
        arrays.push(parse_npy(&format!("{p}:{entry_name}"), &name, &bytes)?);
    }
    assemble(&p, arrays)
}

/// Without the `npz` feature an archive is refused with what to do instead.
///
/// # Errors
/// Always [`TensorError::Npy`].
#[cfg(not(feature = "npz"))]
pub fn read_npz(path: &Path) -> Result<Params, TensorError> {
    Err(TensorError::Npy {
        path: path.display().to_string(),
        reason: "this build reads no .npz archives (zkfl-circuits feature `npz`); save the tensors as safetensors or one .npy per tensor".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(header: &str, data: &[u8]) -> Vec<u8> {
        let mut h = header.to_string();
        // np.save pads the header with spaces to a multiple of 64 and ends it with '\n'.
        while !(10 + h.len() + 1).is_multiple_of(64) {
            h.push(' ');
        }
        h.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend((h.len() as u16).to_le_bytes());
        out.extend(h.as_bytes());
        out.extend(data);
        out
    }

    #[test]
    fn reads_what_np_save_writes() {
        let data: Vec<u8> = [1.5f32, -2.0, 0.25, 8.0, 0.0, -0.5]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let bytes = npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
            &data,
        );
        let a = parse_npy("w.npy", "w", &bytes).unwrap();
        assert_eq!(a.shape, vec![2, 3]);
        let p = assemble("w.npy", vec![a]).unwrap();
        assert_eq!(p.values, vec![1.5, -2.0, 0.25, 8.0, 0.0, -0.5]);
        assert_eq!(p.layout.tensors[0], TensorSpec::f32("w", &[2, 3]));

        let be: Vec<u8> = [3.0f64].iter().flat_map(|v| v.to_be_bytes()).collect();
        let bytes = npy("{'shape': (), 'fortran_order': False, 'descr': '>f8'}", &be);
        let p = assemble("s", vec![parse_npy("s", "s", &bytes).unwrap()]).unwrap();
        assert_eq!(
            (p.values, p.layout.tensors[0].dtype.as_str()),
            (vec![3.0], "F64")
        );
    }

    #[test]
    fn refuses_what_it_cannot_read_and_says_why() {
        let err = |header: &str, data: &[u8]| {
            let bytes = npy(header, data);
            parse_npy("x.npy", "x", &bytes)
                .and_then(|a| assemble("x.npy", vec![a]))
                .unwrap_err()
                .to_string()
        };
        let ints = err(
            "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }",
            &[0; 8],
        );
        assert_eq!(
            ints,
            "x.npy: tensor 'x' has dtype I64; zkfl reads F32 and F64 tensors"
        );
        let short = err(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
            &[0; 8],
        );
        assert!(
            short.contains("8 bytes of data, but shape [3] of F32 needs 12"),
            "{short}"
        );
        let fortran = err(
            "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }",
            &[0; 4],
        );
        assert!(fortran.contains("Fortran order"), "{fortran}");
        for header in [
            "{'descr': '<f4', 'shape': (1,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } junk",
            "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}",
        ] {
            let e = err(header, &[0; 4]);
            assert!(e.starts_with("x.npy is not a valid .npy"), "{header}: {e}");
        }
        let e = parse_npy("x.npy", "x", b"PK\x03\x04")
            .unwrap_err()
            .to_string();
        assert!(e.contains("magic"), "{e}");
        let dup = RawArray {
            name: "a".into(),
            descr: "<f4".into(),
            shape: vec![],
            data: vec![0; 4],
        };
        let e = assemble("m", vec![dup.clone(), dup])
            .unwrap_err()
            .to_string();
        assert!(e.contains("tensor 'a': appears twice"), "{e}");
        assert_eq!(dtype_name("|O"), "|O");
        assert_eq!(dtype_name("<f2"), "F16");
    }
}
