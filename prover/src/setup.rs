//! Circuit-specific Groth16 setup.

use std::path::Path;

use ark_bn254::Bn254;
use ark_groth16::{Groth16, ProvingKey};
use rand::{rngs::OsRng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkfl_circuits::{
    circuit::cost,
    keys::{self, KeyHeader, Reduction},
    ChunkCircuit, Shape,
};

use crate::Error;

/// `keys/params.json`: what a key directory holds, readable without loading the keys.
/// Defined beside the key files in zkfl-circuits, which reads and checks it.
pub use zkfl_circuits::keys::KeyParams as Params;

/// Where the files of a key directory live.
pub struct KeyPaths {
    /// Proving key.
    pub pk: std::path::PathBuf,
    /// Verifying key.
    pub vk: std::path::PathBuf,
    /// params.json.
    pub params: std::path::PathBuf,
}

impl KeyPaths {
    /// The standard file names inside `dir`.
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            pk: dir.join("pk.bin"),
            vk: dir.join("vk.bin"),
            params: dir.join("params.json"),
        }
    }
}

/// Runs the setup. With `seed = None` the toxic waste comes from the OS CSPRNG and is
/// dropped with the RNG; with a seed the keys are reproducible and therefore INSECURE.
///
/// # Errors
/// [`Error`] if the shape is invalid, synthesis fails, or the key is degenerate.
pub fn setup(shape: Shape, seed: Option<u64>) -> Result<(ProvingKey<Bn254>, Params), Error> {
    shape.validate()?;
    let circuit = ChunkCircuit::blank(shape);
    let pk = match seed {
        Some(s) => Groth16::<Bn254>::generate_random_parameters_with_reduction(
            circuit,
            &mut ChaCha20Rng::seed_from_u64(s),
        ),
        None => {
            // Seed a fast CSPRNG from the OS; the seed lives only on this stack frame.
            let mut seed_bytes = [0u8; 32];
            OsRng.fill_bytes(&mut seed_bytes);
            let mut rng = ChaCha20Rng::from_seed(seed_bytes);
            Groth16::<Bn254>::generate_random_parameters_with_reduction(circuit, &mut rng)
        }
    }
    .map_err(|e| Error::Synthesis(e.to_string()))?;
    if pk.vk.gamma_g2 == pk.vk.delta_g2 {
        return Err(Error::Invalid(
            "setup produced gamma = delta; refusing the key".into(),
        ));
    }
    let params = key_params(shape, &pk, seed, Reduction::Libsnark, None);
    Ok((pk, params))
}

/// The params.json record of a key pair for `shape`, whoever made it: `zkfl setup` (a seed
/// or OS randomness, libsnark reduction) or `zkfl ceremony export-keys` (circom reduction,
/// with provenance).
pub fn key_params(
    shape: Shape,
    pk: &ProvingKey<Bn254>,
    insecure_seed: Option<u64>,
    reduction: Reduction,
    provenance: Option<keys::Provenance>,
) -> Params {
    Params {
        shape,
        vk_digest: keys::vk_digest_hex(&pk.vk),
        insecure_seed,
        constraints: cost::num_constraints(&shape),
        domain_size: cost::domain_size(&shape),
        created_unix: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
        zkfl_version: env!("CARGO_PKG_VERSION").into(),
        reduction,
        provenance,
    }
}

/// Writes pk.bin, vk.bin and params.json into `dir` (created if needed).
///
/// # Errors
/// [`Error::Io`]/[`Error::Key`] on write failure.
pub fn write_keys(dir: &Path, pk: &ProvingKey<Bn254>, params: &Params) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let paths = KeyPaths::in_dir(dir);
    let header = |kind: &str| KeyHeader {
        kind: kind.into(),
        shape: params.shape,
        insecure_seed: params.insecure_seed,
        vk_digest: params.vk_digest.clone(),
        reduction: params.reduction,
        provenance: params.provenance.clone(),
    };
    keys::write_pk(&paths.pk, &header("proving"), pk)?;
    keys::write_vk(&paths.vk, &header("verifying"), &pk.vk)?;
    Ok(keys::write_params(&paths.params, params)?)
}

/// Reads params.json and validates its shape.
///
/// # Errors
/// [`Error`] naming the file.
pub fn read_params(path: &Path) -> Result<Params, Error> {
    Ok(keys::read_params(path)?)
}
