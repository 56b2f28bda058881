//! `task.json` and `roster.json`: small public files that every participant and auditor
//! holds, and that the registry mirrors on-chain (docs/PROTOCOL.md §10).

use std::path::Path;

use alloy_primitives::Address;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::TaskError;

/// Format tag of a task file.
pub const TASK_FORMAT: &str = "zkfl-task/1";
/// Format tag of a roster file.
pub const ROSTER_FORMAT: &str = "zkfl-roster/1";

/// Largest task or roster file read (a roster of 100,000 clients is about 5 MB).
const MAX_FILE_BYTES: u64 = 16 << 20;

/// A federated-learning task: where its rounds are registered and who may contribute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// [`TASK_FORMAT`].
    pub format: String,
    /// A name for humans.
    pub name: String,
    /// EIP-155 chain id of the registry's chain (the EIP-712 domain's `chainId`).
    pub chain_id: u64,
    /// The round registry (the EIP-712 domain's `verifyingContract`).
    pub registry: Address,
    /// [`Roster::digest`] of the roster, 0x-prefixed hex.
    pub roster_sha256: String,
    /// The fewest signed clients a round may have.
    pub quorum: u32,
}

/// The enrolled clients of a task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roster {
    /// [`ROSTER_FORMAT`].
    pub format: String,
    /// Client addresses, each once.
    pub clients: Vec<Address>,
}

fn read_small(path: &Path) -> Result<Vec<u8>, TaskError> {
    let p = path.display().to_string();
    let io = |source| TaskError::Io {
        path: p.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(TaskError::File {
            path: p,
            reason: "not a regular file".into(),
        });
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(TaskError::File {
            path: p,
            reason: format!(
                "{} bytes, more than the {MAX_FILE_BYTES} a task file may have",
                meta.len()
            ),
        });
    }
    std::fs::read(path).map_err(io)
}

/// Reads a JSON file of type `T`, naming the file in every error.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &str,
) -> Result<T, TaskError> {
    let bytes = read_small(path)?;
    serde_json::from_slice(&bytes).map_err(|e| TaskError::File {
        path: path.display().to_string(),
        reason: format!("not a valid {what} ({e})"),
    })
}

impl Roster {
    /// A roster of `clients` (sorted, each once).
    ///
    /// # Errors
    /// [`TaskError::File`] if a client is listed twice or the roster is empty.
    pub fn new(mut clients: Vec<Address>) -> Result<Self, TaskError> {
        clients.sort();
        let r = Self {
            format: ROSTER_FORMAT.into(),
            clients,
        };
        r.check("roster")?;
        Ok(r)
    }

    fn check(&self, path: &str) -> Result<(), TaskError> {
        let bad = |reason: String| {
            Err(TaskError::File {
                path: path.into(),
                reason,
            })
        };
        if self.format != ROSTER_FORMAT {
            return bad(format!(
                "format '{}', expected '{ROSTER_FORMAT}'",
                self.format
            ));
        }
        if self.clients.is_empty() {
            return bad("the roster enrolls no client".into());
        }
        let mut sorted = self.clients.clone();
        sorted.sort();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return bad(format!("{} is listed twice", w[0]));
        }
        if sorted.contains(&Address::ZERO) {
            return bad("the zero address cannot be a client".into());
        }
        Ok(())
    }

    /// Reads and checks `roster.json`.
    ///
    /// # Errors
    /// [`TaskError`] naming the file.
    pub fn read(path: &Path) -> Result<Self, TaskError> {
        let r: Self = read_json(path, "zkfl roster (roster.json)")?;
        r.check(&path.display().to_string())?;
        Ok(r)
    }

    /// SHA-256("zkfl/v1/roster" ‖ the clients' 20-byte addresses in ascending order): the
    /// same set always has the same digest, however the file is laid out.
    pub fn digest(&self) -> [u8; 32] {
        let mut sorted = self.clients.clone();
        sorted.sort();
        let mut h = Sha256::new();
        h.update(b"zkfl/v1/roster");
        for a in &sorted {
            h.update(a.as_slice());
        }
        h.finalize().into()
    }

    /// Whether `a` is enrolled.
    pub fn contains(&self, a: &Address) -> bool {
        self.clients.contains(a)
    }
}

impl Task {
    /// A task for `roster` on `chain_id` with registry `registry`.
    pub fn new(name: &str, chain_id: u64, registry: Address, roster: &Roster, quorum: u32) -> Self {
        Self {
            format: TASK_FORMAT.into(),
            name: name.into(),
            chain_id,
            registry,
            roster_sha256: format!("0x{}", hex::encode(roster.digest())),
            quorum,
        }
    }

    fn check(&self, path: &str) -> Result<(), TaskError> {
        let bad = |reason: String| {
            Err(TaskError::File {
                path: path.into(),
                reason,
            })
        };
        if self.format != TASK_FORMAT {
            return bad(format!(
                "format '{}', expected '{TASK_FORMAT}'",
                self.format
            ));
        }
        if self.chain_id == 0 {
            return bad("chain_id 0 is not a chain".into());
        }
        if self.registry == Address::ZERO {
            return bad("the registry address is zero; deploy the registry first".into());
        }
        if self.quorum == 0 {
            return bad("quorum must be at least 1".into());
        }
        let digest = self.roster_sha256.strip_prefix("0x").unwrap_or("");
        if digest.len() != 64
            || !digest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return bad(format!(
                "roster_sha256 '{}' is not 0x and 64 lowercase hex digits",
                self.roster_sha256
            ));
        }
        Ok(())
    }

    /// Reads and checks `task.json`.
    ///
    /// # Errors
    /// [`TaskError`] naming the file.
    pub fn read(path: &Path) -> Result<Self, TaskError> {
        let t: Self = read_json(path, "zkfl task (task.json)")?;
        t.check(&path.display().to_string())?;
        Ok(t)
    }

    /// Reads `roster.json` and checks that it is this task's roster.
    ///
    /// # Errors
    /// [`TaskError::RosterDigest`] for another roster, or the roster's own errors.
    pub fn read_roster(&self, path: &Path) -> Result<Roster, TaskError> {
        let roster = Roster::read(path)?;
        let found = format!("0x{}", hex::encode(roster.digest()));
        if found != self.roster_sha256 {
            return Err(TaskError::RosterDigest {
                path: path.display().to_string(),
                expected: self.roster_sha256.clone(),
                found,
            });
        }
        if (roster.clients.len() as u64) < u64::from(self.quorum) {
            return Err(TaskError::File {
                path: path.display().to_string(),
                reason: format!(
                    "{} clients cannot meet the task's quorum of {}",
                    roster.clients.len(),
                    self.quorum
                ),
            });
        }
        Ok(roster)
    }
}
