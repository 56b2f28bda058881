//! Model and update files: safetensors (or NumPy `.npy`/`.npz`, see [`crate::npy`]) in, one
//! flat parameter vector in canonical order (tensor names sorted bytewise, each tensor
//! row-major), and back as safetensors.

use std::path::Path;

use safetensors::{tensor::TensorView, Dtype, SafeTensors};
use serde::{Deserialize, Serialize};

use crate::{
    files::{self, FileError},
    npy,
};

/// Largest tensor file zkfl reads: 8 GiB, 2^30 F64 parameters. Memory use while reading is
/// a few times the file size.
pub const TENSORS_MAX: u64 = 8 << 30;

/// Name, shape and dtype of one tensor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TensorSpec {
    /// Tensor name.
    pub name: String,
    /// Dimensions.
    pub shape: Vec<usize>,
    /// "F32" or "F64".
    pub dtype: String,
}

impl TensorSpec {
    /// An F32 tensor.
    pub fn f32(name: &str, shape: &[usize]) -> Self {
        Self {
            name: name.into(),
            shape: shape.to_vec(),
            dtype: "F32".into(),
        }
    }

    /// Number of elements (of a spec read from a tensor file, or checked by
    /// [`Layout::check`]: the product of any other shape may overflow).
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Number of elements, `None` if it overflows `usize`.
    pub fn checked_len(&self) -> Option<usize> {
        self.shape.iter().try_fold(1usize, |a, &b| a.checked_mul(b))
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The tensors of a file, sorted by name: the canonical flattening order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Tensors in canonical order.
    pub tensors: Vec<TensorSpec>,
}

impl Layout {
    /// Checks a layout read from JSON (an opening) as the tensor reader would produce it:
    /// at least one tensor, names in strictly increasing byte order, dtypes "F32" or "F64",
    /// and element counts that fit `usize`. Returns the parameter count d.
    ///
    /// # Errors
    /// What is wrong, naming the tensor.
    pub fn check(&self) -> Result<usize, String> {
        if self.tensors.is_empty() {
            return Err("the layout has no tensors".into());
        }
        if let Some(w) = self.tensors.windows(2).find(|w| w[0].name >= w[1].name) {
            return Err(format!(
                "tensor '{}' follows '{}': names must be unique and sorted",
                w[1].name, w[0].name
            ));
        }
        let mut d = 0usize;
        for t in &self.tensors {
            if t.dtype != "F32" && t.dtype != "F64" {
                return Err(format!(
                    "tensor '{}' has dtype {:?}; zkfl reads F32 and F64 tensors",
                    t.name, t.dtype
                ));
            }
            d = t
                .checked_len()
                .and_then(|n| d.checked_add(n))
                .ok_or_else(|| format!("tensor '{}': too many elements", t.name))?;
        }
        Ok(d)
    }

    /// Total parameter count d.
    pub fn num_params(&self) -> usize {
        self.tensors.iter().map(TensorSpec::len).sum()
    }

    /// The tensor name and in-tensor index of flat index `i`.
    pub fn locate(&self, mut i: usize) -> (String, usize) {
        for t in &self.tensors {
            if i < t.len() {
                return (t.name.clone(), i);
            }
            i -= t.len();
        }
        ("<beyond the last tensor>".into(), i)
    }

    /// Explains how `other` differs, or `None` if names, shapes and order agree.
    pub fn mismatch(&self, other: &Layout) -> Option<String> {
        for (a, b) in self.tensors.iter().zip(&other.tensors) {
            if a.name != b.name {
                return Some(format!(
                    "tensor '{}' where '{}' was expected",
                    b.name, a.name
                ));
            }
            if a.shape != b.shape {
                return Some(format!(
                    "tensor '{}' has shape {:?}, expected {:?}",
                    a.name, b.shape, a.shape
                ));
            }
        }
        if self.tensors.len() != other.tensors.len() {
            return Some(format!(
                "{} tensors, expected {}",
                other.tensors.len(),
                self.tensors.len()
            ));
        }
        None
    }
}

/// Why a tensor file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TensorError {
    /// The file cannot be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The file cannot be read: missing, not a regular file, or too large.
    #[error(transparent)]
    File(#[from] FileError),
    /// Not a safetensors file.
    #[error("{path} is not a valid safetensors file ({reason}); re-export it with safetensors")]
    Format {
        /// File.
        path: String,
        /// Parser message.
        reason: String,
    },
    /// A dtype zkfl does not read.
    #[error("{path}: tensor '{tensor}' has dtype {dtype}; zkfl reads F32 and F64 tensors")]
    Dtype {
        /// File (or, for arrays in memory, what they are).
        path: String,
        /// Tensor.
        tensor: String,
        /// Its dtype in safetensors spelling (`I64`, `F16`, …).
        dtype: String,
    },
    /// Not a NumPy `.npy` file or `.npz` archive zkfl can read.
    #[error("{path} is not a valid .npy/.npz file ({reason})")]
    Npy {
        /// File.
        path: String,
        /// What is wrong and what to do.
        reason: String,
    },
    /// An array whose data does not fit its shape, or a repeated tensor name.
    #[error("{path}: tensor '{tensor}': {reason}")]
    Array {
        /// File (or, for arrays in memory, what they are).
        path: String,
        /// Tensor.
        tensor: String,
        /// What is wrong.
        reason: String,
    },
    /// A file without tensors.
    #[error("{path} holds no tensors")]
    Empty {
        /// File.
        path: String,
    },
}

/// A flat parameter vector read from a file.
#[derive(Clone, Debug)]
pub struct Params {
    /// Tensors in canonical order.
    pub layout: Layout,
    /// Values, flattened in canonical order.
    pub values: Vec<f64>,
}

fn read_view(
    path: &str,
    name: &str,
    view: &TensorView<'_>,
    out: &mut Vec<f64>,
) -> Result<String, TensorError> {
    let data = view.data();
    match view.dtype() {
        Dtype::F32 => {
            out.extend(
                data.chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64),
            );
            Ok("F32".into())
        }
        Dtype::F64 => {
            out.extend(
                data.chunks_exact(8)
                    .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes"))),
            );
            Ok("F64".into())
        }
        dtype => Err(TensorError::Dtype {
            path: path.into(),
            tensor: name.into(),
            dtype: format!("{dtype:?}"),
        }),
    }
}

/// Reads a tensor file into canonical order: `.npy` and `.npz` by their extension, anything
/// else as safetensors. Each is a regular file of at most [`TENSORS_MAX`] bytes.
///
/// # Errors
/// [`TensorError`] naming the file (and tensor) at fault.
pub fn read(path: &Path) -> Result<Params, TensorError> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("npy") => npy::read_npy(path),
        Some("npz") => npy::read_npz(path),
        _ => {
            let bytes = files::read(path, TENSORS_MAX, "safetensors file")?;
            parse(&bytes, &path.display().to_string())
        }
    }
}

/// [`read`] on a safetensors file's bytes; `name` stands for the file in errors.
///
/// # Errors
/// [`TensorError`] naming the file (and tensor) at fault.
pub fn parse(bytes: &[u8], name: &str) -> Result<Params, TensorError> {
    let p = name.to_string();
    let st = SafeTensors::deserialize(bytes).map_err(|e| TensorError::Format {
        path: p.clone(),
        reason: e.to_string(),
    })?;
    let mut names: Vec<String> = st.names().into_iter().map(String::from).collect();
    names.sort();
    if names.is_empty() {
        return Err(TensorError::Empty { path: p });
    }
    let mut values = Vec::new();
    let mut tensors = Vec::with_capacity(names.len());
    for name in names {
        let view = st.tensor(&name).map_err(|e| TensorError::Format {
            path: p.clone(),
            reason: e.to_string(),
        })?;
        let dtype = read_view(&p, &name, &view, &mut values)?;
        tensors.push(TensorSpec {
            name,
            shape: view.shape().to_vec(),
            dtype,
        });
    }
    Ok(Params {
        layout: Layout { tensors },
        values,
    })
}

/// `layout` with every F32 tensor whose `values` an f32 cannot hold exactly changed to F64,
/// and the names of the tensors changed. A fixed-point value k/2^f needs |k| < 2^24 to fit
/// f32's 24-bit significand: at f = 16 any |x| ≥ 256 that is not a multiple of 2^-15 would
/// lose its last unit, and the written model would no longer be the proven one.
pub fn exact_layout(layout: &Layout, values: &[f64]) -> (Layout, Vec<String>) {
    let mut out = layout.clone();
    let mut widened = Vec::new();
    let mut offset = 0;
    for t in &mut out.tensors {
        let end = offset + t.len();
        let vals = values.get(offset..end).unwrap_or_default();
        offset = end;
        if t.dtype == "F32" && vals.iter().any(|&v| f64::from(v as f32) != v) {
            t.dtype = "F64".into();
            widened.push(t.name.clone());
        }
    }
    (out, widened)
}

/// Writes values in canonical order back to a safetensors file with `layout`'s names,
/// shapes and dtypes. F32 tensors round each value to the nearest f32: where the values
/// must survive exactly (a proven model), widen the layout with [`exact_layout`] first.
///
/// # Errors
/// [`TensorError`] on I/O failure.
pub fn write(path: &Path, layout: &Layout, values: &[f64]) -> Result<(), TensorError> {
    let p = path.display().to_string();
    // Reading sorts by name; writing in any other order would permute the values.
    if !layout.tensors.windows(2).all(|w| w[0].name < w[1].name)
        || layout.num_params() != values.len()
    {
        return Err(TensorError::Format {
            path: p,
            reason: format!(
                "refusing to write {} values with a layout of {} parameters that is not in canonical (sorted, unique) order",
                values.len(),
                layout.num_params()
            ),
        });
    }
    let mut buffers = Vec::with_capacity(layout.tensors.len());
    let mut offset = 0;
    for t in &layout.tensors {
        let vals = &values[offset..offset + t.len()];
        offset += t.len();
        let (dtype, bytes): (Dtype, Vec<u8>) = if t.dtype == "F64" {
            (
                Dtype::F64,
                vals.iter().flat_map(|v| v.to_le_bytes()).collect(),
            )
        } else {
            (
                Dtype::F32,
                vals.iter()
                    .flat_map(|v| (*v as f32).to_le_bytes())
                    .collect(),
            )
        };
        buffers.push((t.name.clone(), dtype, t.shape.clone(), bytes));
    }
    let views = buffers
        .iter()
        .map(|(name, dtype, shape, bytes)| {
            TensorView::new(*dtype, shape.clone(), bytes)
                .map(|v| (name.clone(), v))
                .map_err(|e| TensorError::Format {
                    path: p.clone(),
                    reason: e.to_string(),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let data = safetensors::serialize(views, None).map_err(|e| TensorError::Format {
        path: p.clone(),
        reason: e.to_string(),
    })?;
    std::fs::write(path, data).map_err(|source| TensorError::Io { path: p, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_in_canonical_order() {
        let dir = std::env::temp_dir().join(format!("zkfl-tensors-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let layout = Layout {
            tensors: vec![
                TensorSpec::f32("a.weight", &[2, 3]),
                TensorSpec {
                    name: "b.bias".into(),
                    shape: vec![2],
                    dtype: "F64".into(),
                },
            ],
        };
        let values: Vec<f64> = (0..8).map(|i| i as f64 * 0.25 - 1.0).collect();
        let path = dir.join("m.safetensors");
        write(&path, &layout, &values).unwrap();
        let back = read(&path).unwrap();
        assert_eq!(back.layout, layout);
        assert_eq!(back.values, values);
        assert_eq!(layout.locate(7), ("b.bias".to_string(), 1));
        // An F32 tensor that cannot hold a value exactly is widened, never rounded.
        let big = [300.0 + 1.0 / 65536.0, 1.0];
        let one = Layout {
            tensors: vec![TensorSpec::f32("m", &[2])],
        };
        write(&path, &one, &big).unwrap();
        assert_ne!(read(&path).unwrap().values, big, "f32 drops the last unit");
        let (wide, widened) = exact_layout(&one, &big);
        assert_eq!(widened, ["m"]);
        write(&path, &wide, &big).unwrap();
        assert_eq!(read(&path).unwrap().values, big);
        assert_eq!(exact_layout(&one, &[300.0, 0.5]).1, Vec::<String>::new());
        std::fs::write(&path, b"garbage").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.contains("m.safetensors"), "{err}");
    }
}
