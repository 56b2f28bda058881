//! Tensors between Python and Rust: `(name, dtype.str, shape, bytes)` tuples.

use std::path::PathBuf;

use pyo3::{prelude::*, types::PyBytes};
use zkfl_circuits::{
    npy::{self, RawArray},
    tensors::{self, Layout, Params},
};

use crate::errors;

/// One array as the Python layer hands it over.
pub type ArrayIn<'py> = (String, String, Vec<usize>, Bound<'py, PyBytes>);
/// One array as it goes back to Python.
pub type ArrayOut<'py> = (String, &'static str, Vec<usize>, Bound<'py, PyBytes>);

/// Decodes named arrays into a parameter vector in canonical order; `source` names them in
/// errors (`model`, `updates[2]`).
///
/// # Errors
/// `ValueError` naming `source` and the tensor (dtype, size).
pub fn params(source: &str, arrays: Vec<ArrayIn<'_>>) -> PyResult<Params> {
    let raw = arrays
        .into_iter()
        .map(|(name, descr, shape, data)| RawArray {
            name,
            descr,
            shape,
            data: data.as_bytes().to_vec(),
        })
        .collect();
    npy::assemble(source, raw).map_err(errors::tensor)
}

/// Values in canonical order back to little-endian arrays with `layout`'s names, shapes and
/// dtypes (F64 tensors as `<f8`, everything else as `<f4`).
pub fn to_python<'py>(py: Python<'py>, layout: &Layout, values: &[f64]) -> Vec<ArrayOut<'py>> {
    let mut offset = 0;
    layout
        .tensors
        .iter()
        .map(|t| {
            let vals = values.get(offset..offset + t.len()).unwrap_or_default();
            offset += t.len();
            let (descr, bytes): (&'static str, Vec<u8>) = if t.dtype == "F64" {
                ("<f8", vals.iter().flat_map(|v| v.to_le_bytes()).collect())
            } else {
                (
                    "<f4",
                    vals.iter()
                        .flat_map(|v| (*v as f32).to_le_bytes())
                        .collect(),
                )
            };
            (
                t.name.clone(),
                descr,
                t.shape.clone(),
                PyBytes::new(py, &bytes),
            )
        })
        .collect()
}

/// Reads a tensor file (safetensors, `.npy` or `.npz`) as zkfl reads it: the tensors in
/// canonical order. Returns `(name, dtype.str, shape, bytes)` tuples.
///
/// # Errors
/// `OSError` or `ValueError` naming the file.
#[pyfunction]
pub fn read_tensors(py: Python<'_>, path: PathBuf) -> PyResult<Vec<ArrayOut<'_>>> {
    let p = py.detach(|| tensors::read(&path)).map_err(errors::tensor)?;
    Ok(to_python(py, &p.layout, &p.values))
}
