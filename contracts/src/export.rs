//! Writing a shape's contracts to a directory: what `zkfl export-solidity` produces.

use std::path::{Path, PathBuf};

use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;

use crate::render::render_sources;
use crate::solc::{Artifact, Solc};
use crate::ContractsError;
use zkfl_circuits::Shape;

/// The contracts an export compiles and writes artifacts for.
pub const CONTRACTS: [&str; 2] = ["ZkflVerifier", "ZkflRoundRegistry"];

fn write(path: PathBuf, contents: &[u8]) -> Result<PathBuf, ContractsError> {
    std::fs::write(&path, contents).map_err(|source| ContractsError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// Writes `ZkflVerifier.sol` (rendered from `vk`) and `ZkflRoundRegistry.sol` to `out_dir`;
/// with a compiler also `<Contract>.abi.json`, `<Contract>.bin` (creation code, hex) and
/// `<Contract>.bin-runtime` (hex) for both. Returns the written paths.
///
/// # Errors
/// Rendering errors, [`ContractsError::Io`] naming the file, and compiler errors.
pub fn export_solidity(
    vk: &VerifyingKey<Bn254>,
    shape: &Shape,
    out_dir: &Path,
    solc: Option<&Solc>,
) -> Result<Vec<PathBuf>, ContractsError> {
    let sources = render_sources(vk, shape)?;
    std::fs::create_dir_all(out_dir).map_err(|source| ContractsError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for (name, text) in &sources {
        written.push(write(out_dir.join(name), text.as_bytes())?);
    }
    if let Some(solc) = solc {
        let artifacts = solc.compile(&sources)?;
        for name in CONTRACTS {
            let a = artifacts
                .get(name)
                .ok_or_else(|| ContractsError::SolcOutput(format!("no {name} in solc output")))?;
            let abi = serde_json::to_string_pretty(&a.abi)
                .map_err(|e| ContractsError::SolcOutput(e.to_string()))?;
            written.push(write(
                out_dir.join(format!("{name}.abi.json")),
                abi.as_bytes(),
            )?);
            written.push(write(
                out_dir.join(format!("{name}.bin")),
                hex::encode(&a.bytecode).as_bytes(),
            )?);
            written.push(write(
                out_dir.join(format!("{name}.bin-runtime")),
                hex::encode(&a.deployed_bytecode).as_bytes(),
            )?);
        }
    }
    Ok(written)
}

/// Renders and compiles the contracts for `vk` and returns `ZkflRoundRegistry`'s artifact
/// (what `zkfl deploy` sends, with [`crate::round::RegistryParams::initcode`]).
///
/// # Errors
/// Rendering and compiler errors.
pub fn compile_registry(
    vk: &VerifyingKey<Bn254>,
    shape: &Shape,
    solc: &Solc,
) -> Result<Artifact, ContractsError> {
    solc.compile(&render_sources(vk, shape)?)?
        .remove(CONTRACTS[1])
        .ok_or_else(|| ContractsError::SolcOutput(format!("no {} in solc output", CONTRACTS[1])))
}
