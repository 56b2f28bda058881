//! Commitments and openings: what a client publishes and what it hands the coordinator.

use std::path::PathBuf;

use pyo3::{exceptions::PyValueError, prelude::*};
use zkfl_circuits::{
    bundle::{self, CommitmentRecord},
    Kind,
};
use zkfl_prover::{
    inputs::salt_rng,
    memory::{self, ClientInput},
    signed,
};
use zkfl_task::{Task, SIGNED_UPDATE_FORMAT};

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

/// A client's update commitment signed for one round of a task: the `zkfl-signed-update/1`
/// record `zkfl commit --task` writes (`*.signed.json`), which `zkfl prove --task --signed`
/// takes. Public: it holds no salt and no key.
#[pyclass(frozen, module = "zkfl", eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct SignedUpdate {
    /// The record.
    pub inner: zkfl_task::SignedUpdate,
}

#[pymethods]
impl SignedUpdate {
    /// The client's address (EIP-55 checksummed).
    #[getter]
    fn signer(&self) -> String {
        self.inner.slot.signer.to_string()
    }

    /// The round the update is signed for.
    #[getter]
    fn round(&self) -> u64 {
        self.inner.round
    }

    /// The commitment of the model the client trained on.
    #[getter]
    fn prev_model(&self) -> String {
        self.inner.prev_model.to_string()
    }

    /// The update's commitment.
    #[getter]
    fn commitment(&self) -> String {
        self.inner.commitment.to_string()
    }

    /// The client's signed FedAvg weight.
    #[getter]
    fn weight(&self) -> u64 {
        self.inner.weight
    }

    /// The record as JSON (the format of `zkfl commit --task`'s `*.signed.json`).
    fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.inner).expect("signed record serialises")
    }

    /// Parses a signed record (its signature is checked against a task by `zkfl prove
    /// --task`, which knows the task and roster).
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<SignedUpdate> {
        let inner: zkfl_task::SignedUpdate =
            serde_json::from_str(text).map_err(|e| errors::json("zkfl signed update", e))?;
        if inner.format != SIGNED_UPDATE_FORMAT {
            return Err(PyValueError::new_err(format!(
                "signed update format '{}', this zkfl reads '{SIGNED_UPDATE_FORMAT}'",
                inner.format
            )));
        }
        Ok(SignedUpdate { inner })
    }

    fn __repr__(&self) -> String {
        format!(
            "SignedUpdate({}, round={}, signer={}, weight={})",
            self.commitment(),
            self.inner.round,
            self.signer(),
            self.inner.weight
        )
    }
}

/// Commits to a client update as [`commit`] does and signs it for round `round` of the task
/// in `task` (task.json), after the model `prev_model` (`0x` + 64 hex digits), with weight
/// `weight`, under the client's private key `key`: what `zkfl commit --task` does, through
/// the same library function. With `roster`, a key that is not enrolled is refused.
#[pyfunction]
#[pyo3(signature = (arrays, params, *, task, round, prev_model, weight, key, roster=None, clip=false, name="update"))]
#[allow(clippy::too_many_arguments)]
pub fn commit_signed(
    py: Python<'_>,
    arrays: Vec<ArrayIn<'_>>,
    params: &Bound<'_, PyAny>,
    task: PathBuf,
    round: u64,
    prev_model: &str,
    weight: u64,
    key: &str,
    roster: Option<PathBuf>,
    clip: bool,
    name: &str,
) -> PyResult<(Commitment, Opening, SignedUpdate)> {
    const KEY: &str = "the `key` argument";
    let task = Task::read(&task).map_err(errors::task)?;
    let roster = roster
        .map(|file| {
            let r = task.read_roster(&file)?;
            Ok((r, file.display().to_string()))
        })
        .transpose()
        .map_err(errors::task)?;
    let roster = roster.as_ref().map(|(r, file)| (r, file.as_str()));
    let prev_model = prev_model.parse().map_err(|_| {
        PyValueError::new_err(format!(
            "prev_model {prev_model} is not 0x and 64 hex digits"
        ))
    })?;
    let key = signed::parse_client_key(key, KEY).map_err(errors::prover)?;
    signed::check_signer(roster, &key, KEY, weight).map_err(errors::prover)?;
    let (commitment, opening) = commit_kind(py, Kind::Update, arrays, params, clip, name)?;
    let inner = signed::sign_update(
        &task,
        roster,
        &key,
        KEY,
        round,
        prev_model,
        commitment.record.commitment,
        weight,
    )
    .map_err(errors::prover)?;
    Ok((commitment, opening, SignedUpdate { inner }))
}
