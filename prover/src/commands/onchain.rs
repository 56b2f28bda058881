//! What `export-solidity`, `deploy`, `submit` and the demo's on-chain step share: finding
//! the pinned solc, reading round bundles, and taking the signing key from the environment
//! or a file (never from a flag value, which would land in shell history).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use zkfl_circuits::bundle::RoundBundle;
use zkfl_contracts::solc::Solc;
use zkfl_verifier::{load_bundle, BUNDLE_FILE};

/// Environment variable holding the signer's private key (hex).
pub const KEY_ENV: &str = "ZKFL_PRIVATE_KEY";

/// Where `export-solidity`, `deploy` and the demo find solc.
#[derive(Args)]
pub struct SolcArgs {
    /// The Solidity compiler: a `solc` or `solcjs` executable, or a contracts directory
    /// where `npm ci` has been run. Default: $ZKFL_SOLC, then solc or solcjs on PATH, then
    /// ./contracts/ of a zkfl checkout.
    #[arg(long)]
    solc: Option<PathBuf>,
}

impl SolcArgs {
    /// The compiler, or an error that says how to get one.
    pub fn solc(&self) -> anyhow::Result<Solc> {
        Ok(Solc::discover(self.solc.as_deref())?)
    }
}

/// Reads a round bundle from a round directory or its `round.json`; returns the file read.
pub fn read_bundle(path: &Path) -> anyhow::Result<(PathBuf, RoundBundle)> {
    let file = if path.is_dir() {
        path.join(BUNDLE_FILE)
    } else {
        path.to_path_buf()
    };
    Ok((file, load_bundle(path)?))
}

/// The genesis bundle under `path`: a round directory or `round.json` (which must be a
/// genesis bundle), or a directory of `round-*/` directories, of which the lowest-numbered
/// genesis round is taken.
pub fn find_genesis(path: &Path) -> anyhow::Result<(PathBuf, RoundBundle)> {
    if !path.is_dir() || path.join(BUNDLE_FILE).exists() {
        return read_bundle(path);
    }
    let mut rounds = Vec::new();
    for entry in std::fs::read_dir(path).with_context(|| format!("listing {}", path.display()))? {
        let dir = entry
            .with_context(|| format!("listing {}", path.display()))?
            .path();
        if dir.join(BUNDLE_FILE).is_file() {
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
