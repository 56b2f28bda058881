//! Commitments and openings: what a client publishes and what it hands the coordinator.

use pyo3::{exceptions::PyValueError, prelude::*};
use zkfl_circuits::{
    bundle::{self, CommitmentRecord},
    Kind,
};
use zkfl_prover::{
    inputs::salt_rng,
    memory::{self, ClientInput},
};

use crate::{
    arrays::{self, ArrayIn},
    errors,
    keys::shape_of,
};

/// A public commitment record: the 32-byte commitment, the parameter count and the chunk
/// hashes (`zkfl commit`'s `*.commit.json`).
#[pyclass(frozen, module = "zkfl", eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct Commitment {
    /// The record.
    pub record: CommitmentRecord,
}

#[pymethods]
impl Commitment {
    /// The commitment, `0x` and 64 hex digits.
    #[getter]
    fn hex(&self) -> String {
        self.record.commitment.to_string()
    }

    /// Parameter count d.
    #[getter]
    fn d(&self) -> u64 {
        self.record.d
    }

    /// "model" or "update".
    #[getter]
    fn kind(&self) -> &'static str {
        kind_name(self.record.kind)
    }

    /// The chunk hashes, hex.
    #[getter]
    fn chunk_hashes(&self) -> Vec<String> {
        self.record.chunk_hashes.clone()
    }

    /// The record as JSON (the format of `zkfl commit --out`).
    fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.record).expect("record serialises")
    }

    /// Parses a commitment record.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Commitment> {
        let record: CommitmentRecord =
            serde_json::from_str(text).map_err(|e| errors::json("zkfl commitment record", e))?;
        Ok(Commitment { record })
    }

    fn __str__(&self) -> String {
        self.hex()
    }

    fn __repr__(&self) -> String {
        format!(
            "Commitment({}, kind={}, d={})",
            self.hex(),
            self.kind(),
            self.record.d
        )
    }
}

/// The private opening of a commitment: salts, tensor layout and, for a model, its exact
/// integers. Whoever holds it can check the commitment; hand it only to the coordinator.
#[pyclass(frozen, module = "zkfl", eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct Opening {
    /// The opening.
    pub inner: bundle::Opening,
}

#[pymethods]
impl Opening {
    /// The commitment this opens, `0x` and 64 hex digits.
    #[getter]
    fn commitment(&self) -> String {
        self.inner.commitment.to_string()
    }

    /// "model" or "update".
    #[getter]
    fn kind(&self) -> &'static str {
        kind_name(self.inner.kind)
    }

    /// The opening as JSON (the format of `zkfl commit`'s `*.opening.json`).
    fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.inner).expect("opening serialises")
    }

    /// Parses an opening.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Opening> {
        let inner: bundle::Opening =
            serde_json::from_str(text).map_err(|e| errors::json("zkfl opening", e))?;
        if inner.format != bundle::OPENING_FORMAT {
            return Err(PyValueError::new_err(format!(
                "opening format '{}', this zkfl reads '{}'",
                inner.format,
                bundle::OPENING_FORMAT
            )));
        }
        Ok(Opening { inner })
    }

    fn __repr__(&self) -> String {
        // Never the salts: an opening printed into a log would unhide the commitment.
        format!("Opening({}, kind={})", self.commitment(), self.kind())
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Model => "model",
        Kind::Update => "update",
    }
}

fn commit_kind(
    py: Python<'_>,
    kind: Kind,
    arrays: Vec<ArrayIn<'_>>,
    params: &Bound<'_, PyAny>,
    clip: bool,
    name: &str,
) -> PyResult<(Commitment, Opening)> {
    let shape = shape_of(params)?;
    let p = arrays::params(name, arrays)?;
    let (record, inner) = py
        .detach(|| {
            let values = match kind {
                Kind::Update => memory::quantise_update(name, &p, &shape, clip)?,
                Kind::Model => memory::quantise_model(name, &p, &shape, clip)?,
            };
            memory::commit_values(&shape, kind, name, &p.layout, &values, &mut salt_rng())
        })
        .map_err(errors::prover)?;
    Ok((Commitment { record }, Opening { inner }))
}

/// Commits to a client update (Δ = trained − received model) under fresh salts, as
/// `zkfl commit` does. Returns the public commitment and the private opening.
#[pyfunction]
#[pyo3(signature = (arrays, params, *, clip=false, name="update"))]
pub fn commit(
    py: Python<'_>,
    arrays: Vec<ArrayIn<'_>>,
    params: &Bound<'_, PyAny>,
    clip: bool,
    name: &str,
) -> PyResult<(Commitment, Opening)> {
    commit_kind(py, Kind::Update, arrays, params, clip, name)
}

/// Commits to a genesis model under fresh salts (a coordinator that announces the model
/// commitment before round 1); pass the opening to `prepare_round(..., genesis=True)`.
#[pyfunction]
#[pyo3(signature = (arrays, params, *, clip=false, name="model"))]
pub fn commit_model(
    py: Python<'_>,
    arrays: Vec<ArrayIn<'_>>,
    params: &Bound<'_, PyAny>,
    clip: bool,
    name: &str,
) -> PyResult<(Commitment, Opening)> {
    commit_kind(py, Kind::Model, arrays, params, clip, name)
}

/// Checks one client update before it is given a slot: it quantises, its opening opens the
/// commitment the opening names (and `commitment`, if given), and it is within the L∞ and
/// L2 bounds. Raises ValueError naming `name`, the tensor and the element otherwise.
#[pyfunction]
#[pyo3(signature = (params, arrays, opening, linf, l2, *, commitment=None, name="update", client=0, clip=false))]
#[allow(clippy::too_many_arguments)]
pub fn check_update(
    py: Python<'_>,
    params: &Bound<'_, PyAny>,
    arrays: Vec<ArrayIn<'_>>,
    opening: &Opening,
    linf: f64,
    l2: f64,
    commitment: Option<&str>,
    name: &str,
    client: usize,
    clip: bool,
) -> PyResult<()> {
    let shape = shape_of(params)?;
    if let Some(c) = commitment {
        if c != opening.commitment() {
            return Err(PyValueError::new_err(format!(
                "{name}: the opening is for commitment {}, but the client announced {c}",
                opening.commitment()
            )));
        }
    }
    let p = arrays::params(name, arrays)?;
    let layout = p.layout.clone();
    let input = ClientInput {
        source: name.into(),
        params: p,
        opening_source: format!("{name} opening"),
        opening: opening.inner.clone(),
        weight: 1,
    };
    py.detach(|| {
        let slot = memory::open_update(&shape, client, &input, &layout, name, clip)?;
        memory::check_bounds(&shape, client, name, &layout, &slot.update, (linf, l2))
    })
    .map_err(errors::prover)
}
