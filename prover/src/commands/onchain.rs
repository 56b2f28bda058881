//! What `export-solidity`, `deploy`, `submit` and the demo's on-chain step share: finding
//! the pinned solc, reading round bundles, and taking the signing key from the environment
//! or a file (never from a flag value, which would land in shell history).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use zkfl_circuits::bundle::RoundBundle;
use zkfl_contracts::solc::Solc;
use zkfl_contracts::ContractsError;
use zkfl_prover::inputs::read_json;

/// Environment variable holding the signer's private key (hex).
pub const KEY_ENV: &str = "ZKFL_PRIVATE_KEY";

/// The contracts directory with the npm toolchain: `$ZKFL_CONTRACTS_DIR`, else the
/// workspace's `contracts/` next to this crate.
pub fn contracts_dir() -> PathBuf {
    match std::env::var_os("ZKFL_CONTRACTS_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts"),
    }
}

/// The pinned npm solc, or an error that says how to install it.
pub fn solc() -> anyhow::Result<Solc> {
    let dir = contracts_dir();
    match Solc::new(&dir) {
        Ok(s) => Ok(s),
        Err(ContractsError::SolcMissing { missing, .. }) => bail!(
            "solc is not installed ({} does not exist): run `npm ci --prefix contracts` in the \
             zkfl repository (needs node), or set ZKFL_CONTRACTS_DIR to a contracts directory \
             where `npm ci` has been run",
            missing.display()
        ),
        Err(e) => Err(e.into()),
    }
}

/// `round-T/` or `round-T/round.json`.
fn bundle_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("round.json")
    } else {
        path.to_path_buf()
    }
}

/// Reads a round bundle from a round directory or its `round.json`; returns the file read.
pub fn read_bundle(path: &Path) -> anyhow::Result<(PathBuf, RoundBundle)> {
    let file = bundle_file(path);
    if !file.is_file() {
        bail!(
            "{} does not exist: pass a round directory written by `zkfl prove` (or its round.json)",
            file.display()
        );
    }
    let bundle = read_json(&file, "round bundle (round.json from `zkfl prove`)")?;
    Ok((file, bundle))
}

/// The genesis bundle under `path`: a round directory or `round.json` (which must be a
/// genesis bundle), or a directory of `round-*/` directories, of which the lowest-numbered
/// genesis round is taken.
pub fn find_genesis(path: &Path) -> anyhow::Result<(PathBuf, RoundBundle)> {
    if !path.is_dir() || path.join("round.json").exists() {
        return read_bundle(path);
    }
    let mut rounds = Vec::new();
    for entry in std::fs::read_dir(path).with_context(|| format!("listing {}", path.display()))? {
        let dir = entry
            .with_context(|| format!("listing {}", path.display()))?
            .path();
        if dir.join("round.json").is_file() {
            rounds.push(read_bundle(&dir)?);
        }
    }
    rounds
        .into_iter()
        .filter(|(_, b)| b.genesis)
        .min_by_key(|(_, b)| b.round)
        .with_context(|| {
            format!(
                "no genesis round bundle in {} (looked for round-*/round.json with \"genesis\": true); \
                 pass the first round's directory",
                path.display()
            )
        })
}

/// Where the signing key comes from.
#[derive(Args)]
pub struct KeyArgs {
    /// File holding the signer's private key (hex). Default: the ZKFL_PRIVATE_KEY
    /// environment variable. The key is never accepted as a flag value.
    #[arg(long)]
    key_file: Option<PathBuf>,
}

impl KeyArgs {
    /// The key (hex) and a description of where it came from, for error messages.
    pub fn load(&self) -> anyhow::Result<(String, String)> {
        if let Some(path) = &self.key_file {
            let key = std::fs::read_to_string(path)
                .with_context(|| format!("reading the private key file {}", path.display()))?;
            return Ok((key, format!("key file {}", path.display())));
        }
        match std::env::var(KEY_ENV) {
            Ok(key) if !key.trim().is_empty() => Ok((key, format!("${KEY_ENV}"))),
            _ => bail!(
                "no signing key: set {KEY_ENV} to the hex private key of the coordinator \
                 account, or pass --key-file PATH to a file holding it"
            ),
        }
    }
}
