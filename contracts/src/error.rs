//! Errors of the zkfl-contracts library.

use std::path::PathBuf;

use alloy_primitives::{Address, B256};

use crate::revert::RevertReason;

/// Everything that can go wrong while rendering, compiling, encoding or executing contracts.
#[derive(Debug, thiserror::Error)]
pub enum ContractsError {
    /// The verifying key does not belong to a chunk circuit with the requested slot count.
    #[error(
        "verifying key has {got} public inputs, but a chunk circuit with {slots} slots has \
         l = 2n + 7 = {expected}; export the key of the matching shape"
    )]
    VkShape {
        /// Requested client slots n.
        slots: usize,
        /// l = 2n + 7.
        expected: usize,
        /// Inputs the key actually has (`gamma_abc_g1.len() - 1`).
        got: usize,
    },
    /// Round data whose parts do not fit together (e.g. K proofs but K + 2 hashes).
    #[error("inconsistent round data: {0}")]
    RoundShape(String),
    /// askama failed to render a template.
    #[error("rendering {template}: {source}")]
    Render {
        /// Template file name.
        template: &'static str,
        /// Cause.
        source: askama::Error,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The npm toolchain is not installed next to the contracts.
    #[error(
        "solc is not installed: {missing} does not exist; run `npm ci` in {dir} \
         (needs node and the committed package-lock.json)"
    )]
    SolcMissing {
        /// The contracts directory that should hold node_modules.
        dir: PathBuf,
        /// The file that was looked for.
        missing: PathBuf,
    },
    /// No Solidity compiler could be found.
    #[error(
        "no Solidity compiler found (tried {tried}): install one with `npm install -g solc@0.8.37` \
         (gives solcjs; needs node) or a native solc 0.8.24 or newer, then put it on PATH, pass \
         --solc PATH or set ZKFL_SOLC; in a zkfl checkout `npm ci --prefix contracts` works too"
    )]
    SolcNotFound {
        /// What was looked at.
        tried: String,
    },
    /// Spawning or talking to `node` failed.
    #[error("running the Solidity compiler {script}: {source}")]
    Node {
        /// Script that was run.
        script: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// solc reported errors (or the node script failed).
    #[error("solc failed:\n{0}")]
    Compile(String),
    /// solc's standard-JSON output could not be parsed.
    #[error("unexpected solc output: {0}")]
    SolcOutput(String),
    /// The in-process EVM itself failed (invalid transaction, database error).
    #[error("EVM error in {what}: {source}")]
    Evm {
        /// What was executed.
        what: String,
        /// revm's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A deployment that succeeded but reports no contract address.
    #[error("{what}: the deployment succeeded but reports no contract address")]
    NoContractAddress {
        /// What was deployed (and, on a node, its transaction).
        what: String,
    },
    /// A call or deployment reverted.
    #[error("{what} reverted: {reason}")]
    Reverted {
        /// What was executed.
        what: String,
        /// Decoded revert data (boxed: it is large and errors should stay cheap to move).
        reason: Box<RevertReason>,
    },
    /// A call or deployment halted (out of gas, invalid opcode, code too large, ...).
    #[error("{what} halted: {reason}")]
    Halted {
        /// What was executed.
        what: String,
        /// revm's halt reason.
        reason: String,
    },
    /// Gas measurement needs at least as many valid samples as the largest batch.
    #[error(
        "gas measurement for batches up to k = {needed} needs {needed} valid proofs, got {got}"
    )]
    NotEnoughSamples {
        /// Samples required.
        needed: usize,
        /// Samples given.
        got: usize,
    },
    /// A round bundle that cannot be turned into registry calldata.
    #[error("round {round} bundle: {reason}")]
    Bundle {
        /// The bundle's round index.
        round: u64,
        /// What is wrong and what to do.
        reason: String,
    },
    /// A chunk record of a round bundle that does not decode.
    #[error("round {round} bundle: {source}")]
    BundleRecord {
        /// The bundle's round index.
        round: u64,
        /// Which chunk and input or proof.
        source: zkfl_circuits::bundle::RecordError,
    },
    /// The private key given for signing is not a secp256k1 key in hex.
    #[error(
        "the private key from {origin} is not a 32-byte hex secp256k1 key (0x prefix optional); \
         fix {origin}"
    )]
    PrivateKey {
        /// Where the key came from (env var or file), never the key.
        origin: String,
    },
    /// The RPC URL does not parse or needs a transport this build lacks.
    #[error("RPC URL '{url}': {reason}")]
    RpcUrl {
        /// The URL.
        url: String,
        /// What is wrong and what to do.
        reason: String,
    },
    /// A JSON-RPC request to the node failed.
    #[error("{what} via {url}: {source}")]
    Rpc {
        /// What was being done.
        what: String,
        /// The node's URL.
        url: String,
        /// alloy's transport or pending-transaction error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The async runtime for talking to a node could not start.
    #[error("starting the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// A transaction that reverted when mined but succeeds when replayed on the new state.
    #[error(
        "{what}: the transaction reverted on chain but succeeds when replayed; inspect it with \
         `cast run`"
    )]
    RevertedWhenMined {
        /// What was sent, with its transaction hash.
        what: String,
    },
    /// No contract at the registry address.
    #[error("there is no contract at {address} on {url}; pass the address `zkfl deploy` printed")]
    NoContract {
        /// The address.
        address: Address,
        /// The node's URL.
        url: String,
    },
    /// A round submission that succeeded but emitted no `RoundAccepted` of this shape.
    #[error(
        "{what}: tx {tx} succeeded but emitted no RoundAccepted for {slots} slots; is \
         {registry} a ZkflRoundRegistry of this shape?"
    )]
    NoRoundAccepted {
        /// What was sent.
        what: String,
        /// The transaction.
        tx: B256,
        /// The slot count the event was decoded with.
        slots: usize,
        /// The registry address.
        registry: Address,
    },
    /// A getter answered with something other than what a registry answers (one ABI word,
    /// or an address list for `roster()`).
    #[error(
        "{registry} answered {getter} with {len} bytes, not what a ZkflRoundRegistry answers; is it one (of this zkfl version)?"
    )]
    NotARegistry {
        /// The address called.
        registry: Address,
        /// The getter.
        getter: String,
        /// Length of the answer.
        len: usize,
    },
}
