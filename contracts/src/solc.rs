//! Compilation with the npm `solc` pinned in `contracts/package-lock.json`.
//!
//! solc is driven through `contracts/tools/solc.js` (standard JSON on stdin and stdout;
//! the optimizer is forced on there) because `solcjs --standard-json` prints a non-JSON
//! line first.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::ContractsError;

/// EVM version the contracts are compiled for. Cancun is what both revm and anvil run
/// by default or newer, and nothing here needs a later opcode.
pub const EVM_VERSION: &str = "cancun";

/// Optimizer runs: the contracts are called often relative to deployment.
pub const OPTIMIZER_RUNS: u32 = 200;

/// One compiled contract.
#[derive(Clone, Debug)]
pub struct Artifact {
    /// ABI JSON as solc emits it.
    pub abi: Value,
    /// Creation bytecode (constructor arguments are appended to it).
    pub bytecode: Vec<u8>,
    /// Runtime bytecode; its length is what EIP-170 limits.
    pub deployed_bytecode: Vec<u8>,
}

/// Handle on the npm solc installation in a contracts directory.
#[derive(Clone, Debug)]
pub struct Solc {
    dir: PathBuf,
}

impl Solc {
    /// Uses the solc installed under `dir/node_modules`.
    ///
    /// # Errors
    /// [`ContractsError::SolcMissing`] if `npm ci` has not been run in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self, ContractsError> {
        let dir = dir.into();
        for missing in [
            dir.join("node_modules/solc/package.json"),
            dir.join("tools/solc.js"),
        ] {
            if !missing.exists() {
                return Err(ContractsError::SolcMissing { dir, missing });
            }
        }
        Ok(Self { dir })
    }

    /// Uses `$ZKFL_CONTRACTS_DIR` if set, else this crate's source directory.
    ///
    /// # Errors
    /// As [`Solc::new`].
    pub fn locate() -> Result<Self, ContractsError> {
        match std::env::var_os("ZKFL_CONTRACTS_DIR") {
            Some(d) => Self::new(d),
            None => Self::new(env!("CARGO_MANIFEST_DIR")),
        }
    }

    /// The contracts directory in use.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The compiler version string, e.g. `0.8.37+commit.f401782d.Emscripten.clang`.
    ///
    /// # Errors
    /// [`ContractsError::Node`] / [`ContractsError::Compile`] if node fails.
    pub fn version(&self) -> Result<String, ContractsError> {
        Ok(self.run(&["--version"], b"")?.trim().to_string())
    }

    fn run(&self, args: &[&str], stdin: &[u8]) -> Result<String, ContractsError> {
        let script = self.dir.join("tools/solc.js");
        let node_err = |source| ContractsError::Node {
            script: script.clone(),
            source,
        };
        let mut child = Command::new("node")
            .arg(&script)
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(node_err)?;
        // The script reads all of stdin before it writes anything, so writing everything
        // first cannot deadlock on a full stdout pipe.
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(stdin)
            .map_err(node_err)?;
        let out = child.wait_with_output().map_err(node_err)?;
        if !out.status.success() {
            return Err(ContractsError::Compile(format!(
                "node exited with {}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        String::from_utf8(out.stdout).map_err(|e| ContractsError::SolcOutput(e.to_string()))
    }

    /// Compiles `sources` (file name, contents) and returns every contract by name.
    ///
    /// # Errors
    /// [`ContractsError::Compile`] with solc's messages if any has severity "error".
    pub fn compile(
        &self,
        sources: &[(String, String)],
    ) -> Result<BTreeMap<String, Artifact>, ContractsError> {
        let srcs: serde_json::Map<String, Value> = sources
            .iter()
            .map(|(name, content)| (name.clone(), json!({ "content": content })))
            .collect();
        let input = json!({
            "language": "Solidity",
            "sources": srcs,
            "settings": {
                "optimizer": { "enabled": true, "runs": OPTIMIZER_RUNS },
                "evmVersion": EVM_VERSION,
                "outputSelection": { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } }
            }
        });
        let out = self.run(&[], input.to_string().as_bytes())?;
        let out: Value =
            serde_json::from_str(&out).map_err(|e| ContractsError::SolcOutput(e.to_string()))?;
        let errors: Vec<&str> = out["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["severity"] == "error")
            .map(|e| e["formattedMessage"].as_str().unwrap_or("(no message)"))
            .collect();
        if !errors.is_empty() {
            return Err(ContractsError::Compile(errors.join("\n")));
        }
        let mut artifacts = BTreeMap::new();
        for file in out["contracts"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
        {
            for (name, c) in file.as_object().into_iter().flatten() {
                let code = |key: &str| -> Result<Vec<u8>, ContractsError> {
                    let h = c["evm"][key]["object"]
                        .as_str()
                        .ok_or_else(|| ContractsError::SolcOutput(format!("{name}: no {key}")))?;
                    hex::decode(h)
                        .map_err(|e| ContractsError::SolcOutput(format!("{name}: {key}: {e}")))
                };
                artifacts.insert(
                    name.clone(),
                    Artifact {
                        abi: c["abi"].clone(),
                        bytecode: code("bytecode")?,
                        deployed_bytecode: code("deployedBytecode")?,
                    },
                );
            }
        }
        Ok(artifacts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_node_modules_says_to_run_npm_ci() {
        let dir = std::env::temp_dir().join(format!("zkfl-no-solc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let err = Solc::new(&dir).expect_err("no node_modules here");
        std::fs::remove_dir_all(&dir).expect("clean up");
        assert!(matches!(err, ContractsError::SolcMissing { .. }));
        let msg = err.to_string();
        assert!(
            msg.contains("npm ci") && msg.contains("node_modules/solc"),
            "{msg}"
        );
    }
}
