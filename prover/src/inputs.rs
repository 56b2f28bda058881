//! Turning files into a round: quantisation, openings, bound checks with errors that name
//! the file, tensor and index.

use std::path::{Path, PathBuf};

use rand::{rngs::OsRng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkfl_circuits::{
    bundle::{CommitmentRecord, Opening},
    commit::Kind,
    tensors::{self, Layout},
    Round, Shape,
};

use crate::{
    memory::{self, ClientInput, ModelInput},
    Error,
};

/// A fresh CSPRNG for salts.
pub fn salt_rng() -> ChaCha20Rng {
    let mut seed = [0u8; 32];
    OsRng.fill_bytes(&mut seed);
    ChaCha20Rng::from_seed(seed)
}

/// Reads a JSON file into `T`, with an error naming the file.
///
/// # Errors
/// [`Error`] if the file is missing or not the expected JSON.
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::BadFile {
        path: path.display().to_string(),
        reason: format!("not a valid {what} ({e})"),
    })
}

/// A client update read and quantised.
pub struct LoadedUpdate {
    /// File.
    pub path: PathBuf,
    /// Tensors.
    pub layout: Layout,
    /// Fixed-point values.
    pub values: Vec<i64>,
}

/// Reads and quantises an update file (U-bit signed).
///
/// # Errors
/// [`Error`] naming the file, tensor and index for NaN/Inf/out-of-range values.
pub fn load_update(path: &Path, shape: &Shape, clip: bool) -> Result<LoadedUpdate, Error> {
    let p = tensors::read(path)?;
    let values = memory::quantise_update(&path.display().to_string(), &p, shape, clip)?;
    Ok(LoadedUpdate {
        path: path.to_path_buf(),
        layout: p.layout,
        values,
    })
}

/// Commits to an update: the public record and the private opening.
///
/// # Errors
/// [`Error`] if the update cannot be committed.
pub fn commit_update(
    shape: &Shape,
    update: &LoadedUpdate,
    rng: &mut impl rand::Rng,
) -> Result<(CommitmentRecord, Opening), Error> {
    memory::commit_values(
        shape,
        Kind::Update,
        &update.path.display().to_string(),
        &update.layout,
        &update.values,
        rng,
    )
}

/// One client as given on the command line.
pub struct ClientArgs {
    /// Update file.
    pub update: PathBuf,
    /// Opening file from `zkfl commit`.
    pub opening: PathBuf,
    /// FedAvg weight.
    pub weight: u64,
}

/// Everything `zkfl prove` reads, checked and assembled.
pub struct PreparedRound {
    /// The computed round.
    pub round: Round,
    /// Tensor layout of the model.
    pub layout: Layout,
    /// Whether M_t was committed afresh.
    pub genesis: bool,
    /// Bounds as floats, for the record.
    pub linf_float: f64,
    /// B₂ as float.
    pub l2_float: f64,
}

/// Reads the model, the clients and their openings, then checks everything natively before
/// any proving and computes the round ([`memory::prepare`]).
///
/// # Errors
/// [`Error`] naming the client file, tensor and index at fault.
#[allow(clippy::too_many_arguments)]
pub fn prepare(
    shape: &Shape,
    model_path: &Path,
    model_opening: Option<&Path>,
    clients: &[ClientArgs],
    linf: f64,
    l2: f64,
    clip: bool,
    rng: &mut impl rand::Rng,
) -> Result<PreparedRound, Error> {
    let opening = match model_opening {
        Some(op_path) => Some((
            op_path.display().to_string(),
            read_json::<Opening>(op_path, "model opening")?,
        )),
        None => None,
    };
    let model = ModelInput {
        source: model_path.display().to_string(),
        params: tensors::read(model_path)?,
        genesis: opening.is_none(),
        opening,
    };
    let inputs = clients
        .iter()
        .map(|c| {
            Ok(ClientInput {
                source: c.update.display().to_string(),
                params: tensors::read(&c.update)?,
                opening_source: c.opening.display().to_string(),
                opening: read_json(&c.opening, "update opening")?,
                weight: c.weight,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    memory::prepare(shape, model, &inputs, (linf, l2), clip, rng)
}
