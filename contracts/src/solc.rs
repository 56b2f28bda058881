//! Compilation with solc: the npm `solc` pinned in `contracts/package-lock.json` (what the
//! tests and gas figures use), or any solc / solcjs executable the user has.
//!
//! In a checkout, solc is driven through `contracts/tools/solc.js` (standard JSON on stdin
//! and stdout; the optimizer is forced on there). An executable is run with
//! `--standard-json`; `solcjs` prints `>>>` lines before the JSON, which are dropped.
//! [`Solc::discover`] is how an installed `zkfl` finds a compiler: never through a path
//! fixed at build time.

use std::collections::BTreeMap;
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

/// Handle on a Solidity compiler.
#[derive(Clone, Debug)]
pub struct Solc {
    backend: Backend,
}

#[derive(Clone, Debug)]
enum Backend {
    /// `node tools/solc.js` in a contracts directory where `npm ci` has been run.
    Script(PathBuf),
    /// A `solc` or `solcjs` executable taking `--standard-json`.
    Binary(PathBuf),
}

/// Environment variable naming the compiler (an executable, or a contracts directory).
pub const SOLC_ENV: &str = "ZKFL_SOLC";

/// A fresh file in the temp directory, removed on drop.
struct ScratchFile(PathBuf);

impl ScratchFile {
    fn new() -> std::io::Result<Self> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "zkfl-solc-{}-{nanos}-{}.json",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(Self(path))
    }

    fn handle(&self) -> std::io::Result<std::fs::File> {
        std::fs::OpenOptions::new().write(true).open(&self.0)
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `name` in one of the `PATH` directories, if it is there.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
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
        Ok(Self {
            backend: Backend::Script(dir),
        })
    }

    /// Uses a `solc` or `solcjs` executable (anything that takes `--standard-json`).
    ///
    /// # Errors
    /// [`ContractsError::SolcNotFound`] if `path` is not a file.
    pub fn binary(path: impl Into<PathBuf>) -> Result<Self, ContractsError> {
        let path = path.into();
        if !path.is_file() {
            return Err(ContractsError::SolcNotFound {
                tried: format!("{} (not a file)", path.display()),
            });
        }
        Ok(Self {
            backend: Backend::Binary(path),
        })
    }

    /// Finds a compiler for an installed `zkfl`, in this order: `explicit` (`--solc`), then
    /// `$ZKFL_SOLC`, each either an executable or a contracts directory where `npm ci` ran;
    /// `$ZKFL_CONTRACTS_DIR`; `solc` or `solcjs` on `PATH`; a zkfl checkout in the current
    /// directory (`contracts/` after `npm ci --prefix contracts`).
    ///
    /// # Errors
    /// [`ContractsError::SolcNotFound`] listing what was tried and how to get a compiler.
    pub fn discover(explicit: Option<&Path>) -> Result<Self, ContractsError> {
        let named = explicit
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os(SOLC_ENV).map(PathBuf::from));
        if let Some(p) = named {
            return if p.is_dir() {
                Self::new(p)
            } else {
                Self::binary(p)
            };
        }
        if let Some(d) = std::env::var_os("ZKFL_CONTRACTS_DIR") {
            return Self::new(d);
        }
        if let Some(p) = on_path("solc").or_else(|| on_path("solcjs")) {
            return Self::binary(p);
        }
        let checkout = Path::new("contracts");
        if checkout.join("node_modules/solc/package.json").exists() {
            return Self::new(checkout);
        }
        Err(ContractsError::SolcNotFound {
            tried: format!(
                "--solc, ${SOLC_ENV}, $ZKFL_CONTRACTS_DIR, solc and solcjs on PATH, ./contracts/node_modules"
            ),
        })
    }

    /// The pinned npm solc of this source tree, for tests and benchmarks that run in a
    /// checkout: `$ZKFL_CONTRACTS_DIR` if set, else this crate's source directory. Installed
    /// binaries use [`Solc::discover`].
    ///
    /// # Errors
    /// As [`Solc::new`].
    pub fn locate() -> Result<Self, ContractsError> {
        match std::env::var_os("ZKFL_CONTRACTS_DIR") {
            Some(d) => Self::new(d),
            None => Self::new(env!("CARGO_MANIFEST_DIR")),
        }
    }

    /// The compiler in use, for messages: a contracts directory or an executable.
    pub fn location(&self) -> &Path {
        match &self.backend {
            Backend::Script(dir) | Backend::Binary(dir) => dir,
        }
    }

    /// The compiler version string, e.g. `0.8.37+commit.f401782d.Emscripten.clang`.
    ///
    /// # Errors
    /// [`ContractsError::Node`] / [`ContractsError::Compile`] if node fails.
    pub fn version(&self) -> Result<String, ContractsError> {
        Ok(self.run(&["--version"], b"")?.trim().to_string())
    }

    fn run(&self, args: &[&str], stdin: &[u8]) -> Result<String, ContractsError> {
        let (mut command, script) = match &self.backend {
            Backend::Script(dir) => {
                // Absolute: node runs in `dir`, where a relative `dir/tools/solc.js` is not.
                let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
                let script = dir.join("tools/solc.js");
                let mut c = Command::new("node");
                c.arg(&script).current_dir(dir);
                (c, script)
            }
            Backend::Binary(path) => {
                let mut c = Command::new(path);
                if args.is_empty() {
                    c.arg("--standard-json");
                }
                (c, path.clone())
            }
        };
        let node_err = |source| ContractsError::Node {
            script: script.clone(),
            source,
        };
        // stdin and stdout are files, not pipes. node makes a piped stdin non-blocking, so
        // solcjs' readFileSync(stdin) fails with EAGAIN when it runs before the input has
        // arrived (seen under load); and solcjs exits before a piped stdout is drained,
        // cutting standard JSON at 64 KiB. Reads and writes of a file are synchronous.
        let in_file = ScratchFile::new().map_err(node_err)?;
        std::fs::write(&in_file.0, stdin).map_err(node_err)?;
        let out_file = ScratchFile::new().map_err(node_err)?;
        let out = command
            .args(args)
            .stdin(Stdio::from(
                std::fs::File::open(&in_file.0).map_err(node_err)?,
            ))
            .stdout(Stdio::from(out_file.handle().map_err(node_err)?))
            .stderr(Stdio::piped())
            .spawn()
            .map_err(node_err)?
            .wait_with_output()
            .map_err(node_err)?;
        if !out.status.success() {
            return Err(ContractsError::Compile(format!(
                "node exited with {}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        let stdout = std::fs::read(&out_file.0).map_err(node_err)?;
        let text =
            String::from_utf8(stdout).map_err(|e| ContractsError::SolcOutput(e.to_string()))?;
        // solcjs --standard-json writes ">>> Cannot retry compilation with SMT ..." first.
        Ok(text
            .lines()
            .filter(|l| !l.starts_with(">>>"))
            .collect::<Vec<_>>()
            .join("\n"))
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
