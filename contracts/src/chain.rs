//! A real node over JSON-RPC (alloy, HTTP): deploy the registry, submit rounds, read its state.
//!
//! Calldata comes from the same encoders the revm tests use ([`RoundCall::calldata`],
//! [`RegistryParams::initcode`]); this module only moves bytes. Every transaction is first
//! run as an `eth_call` from the sender, so a round the registry would refuse fails with the
//! decoded custom error ([`RevertReason`]) before anything is signed or paid for.
//!
//! alloy is async; [`Client`] owns a current-thread tokio runtime and blocks on it, so the
//! CLI stays synchronous.

use std::time::Duration;

use alloy::network::TransactionBuilder;
use alloy::primitives::{Address, Bytes, B256, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::{TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::transports::http::reqwest::Url;
use alloy::transports::TransportError;

use crate::encode::function_calldata;
use crate::revert::RevertReason;
use crate::round::{
    decode_roster, enroll_calldata, roster_calldata, RegistryParams, RoundAccepted, RoundCall,
};
use crate::ContractsError;

/// How long to wait for a transaction to be mined before giving up.
pub const RECEIPT_TIMEOUT: Duration = Duration::from_secs(300);

/// A deployed registry.
#[derive(Clone, Debug)]
pub struct Deployed {
    /// The registry's address.
    pub address: Address,
    /// Deployment transaction.
    pub tx_hash: B256,
    /// Gas used by the deployment, as in the receipt.
    pub gas_used: u64,
}

/// An accepted round.
#[derive(Clone, Debug)]
pub struct Submitted {
    /// The `submitRound` transaction.
    pub tx_hash: B256,
    /// Gas used, as in the receipt.
    pub gas_used: u64,
    /// Block the transaction was mined in.
    pub block: Option<u64>,
    /// The registry's `RoundAccepted` event.
    pub accepted: RoundAccepted,
}

/// The registry's public state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryState {
    /// The current model commitment C_t.
    pub model_commitment: [u8; 32],
    /// Index t of the last accepted round (0 before any).
    pub last_round: U256,
    /// Who may submit rounds.
    pub coordinator: Address,
}

/// A signing connection to one node.
pub struct Client {
    rt: tokio::runtime::Runtime,
    provider: DynProvider,
    from: Address,
    url: String,
}

fn parse_url(rpc_url: &str) -> Result<Url, ContractsError> {
    let bad = |reason: String| ContractsError::RpcUrl {
        url: rpc_url.to_string(),
        reason,
    };
    let url: Url = rpc_url
        .parse()
        .map_err(|e| bad(format!("{e}; give e.g. http://127.0.0.1:8545")))?;
    match url.scheme() {
        "http" => Ok(url),
        "https" if cfg!(feature = "https") => Ok(url),
        "https" => Err(bad(
            "this zkfl was built without TLS; rebuild with `--features https` or use an \
             http:// endpoint"
                .into(),
        )),
        other => Err(bad(format!(
            "scheme '{other}' is not supported; use http:// (or https:// with the `https` feature)"
        ))),
    }
}

fn revert_data(err: &TransportError) -> Option<Bytes> {
    err.as_error_resp()?.as_revert_data()
}

/// Clients enrolled per transaction: about 25,000 gas each (a new storage slot and an event),
/// so a batch stays near 5M gas, well under the 2^24 transaction cap.
pub const ENROLL_BATCH: usize = 200;

impl Client {
    /// Connects to `rpc_url`, signing with `private_key` (hex). `key_origin` names where the
    /// key came from (an environment variable or file) for error messages; the key itself is
    /// never printed.
    ///
    /// # Errors
    /// [`ContractsError::RpcUrl`], [`ContractsError::PrivateKey`], or
    /// [`ContractsError::Runtime`] if no runtime can be started. Does not contact the node.
    pub fn connect(
        rpc_url: &str,
        private_key: &str,
        key_origin: &str,
    ) -> Result<Self, ContractsError> {
        let url = parse_url(rpc_url)?;
        let signer: PrivateKeySigner =
            private_key
                .trim()
                .parse()
                .map_err(|_| ContractsError::PrivateKey {
                    origin: key_origin.to_string(),
                })?;
        let from = signer.address();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(ContractsError::Runtime)?;
        let provider = {
            let _guard = rt.enter();
            ProviderBuilder::new()
                .wallet(signer)
                .connect_http(url)
                .erased()
        };
        Ok(Self {
            rt,
            provider,
            from,
            url: rpc_url.to_string(),
        })
    }

    /// The signer's address.
    pub fn address(&self) -> Address {
        self.from
    }

    fn rpc_err<E: std::error::Error + Send + Sync + 'static>(
        &self,
        what: &str,
    ) -> impl FnOnce(E) -> ContractsError {
        let (what, url) = (what.to_string(), self.url.clone());
        move |e| ContractsError::Rpc {
            what,
            url,
            source: Box::new(e),
        }
    }

    /// The node's chain id (also a connectivity check).
    ///
    /// # Errors
    /// [`ContractsError::Rpc`] if the node does not answer.
    pub fn chain_id(&self) -> Result<u64, ContractsError> {
        self.rt
            .block_on(async { self.provider.get_chain_id().await })
            .map_err(self.rpc_err("reading the chain id"))
    }

    /// `eth_call` from the signer; a revert becomes [`ContractsError::Reverted`].
    fn call(&self, tx: &TransactionRequest, what: &str) -> Result<Bytes, ContractsError> {
        self.rt
            .block_on(async { self.provider.call(tx.clone()).await })
            .map_err(|e| match revert_data(&e) {
                Some(data) => ContractsError::Reverted {
                    what: what.to_string(),
                    reason: Box::new(RevertReason::decode(&data)),
                },
                None => (self.rpc_err(what))(e),
            })
    }

    /// Simulates, then signs, sends and waits for the receipt of a successful transaction.
    fn transact(
        &self,
        tx: TransactionRequest,
        what: &str,
    ) -> Result<TransactionReceipt, ContractsError> {
        let tx = tx.with_from(self.from);
        self.call(&tx, what)?;
        let receipt = self.rt.block_on(async {
            let pending = self
                .provider
                .send_transaction(tx.clone())
                .await
                .map_err(self.rpc_err(&format!("sending {what}")))?;
            let hash = *pending.tx_hash();
            pending
                .with_timeout(Some(RECEIPT_TIMEOUT))
                .get_receipt()
                .await
                .map_err(self.rpc_err(&format!("waiting for the receipt of {what} (tx {hash})")))
        })?;
        if !receipt.status() {
            // Mined but reverted: the state changed after the simulation (another round
            // landed first). Replaying on the new state usually names the reason.
            let what = format!(
                "{what} (tx {}, mined in a failed state)",
                receipt.transaction_hash
            );
            self.call(&tx, &what)?;
            return Err(ContractsError::RevertedWhenMined { what });
        }
        Ok(receipt)
    }

    /// Deploys `ZkflRoundRegistry` from its creation code (see
    /// [`crate::export::compile_registry`]) with `params` as constructor arguments.
    ///
    /// # Errors
    /// [`ContractsError::Reverted`] (e.g. `InvalidShape`), [`ContractsError::Rpc`].
    pub fn deploy_registry(
        &self,
        creation_code: &[u8],
        params: &RegistryParams,
    ) -> Result<Deployed, ContractsError> {
        let tx = TransactionRequest::default().with_deploy_code(params.initcode(creation_code));
        let receipt = self.transact(tx, "deploying ZkflRoundRegistry")?;
        let address =
            receipt
                .contract_address
                .ok_or_else(|| ContractsError::NoContractAddress {
                    what: format!("deployment tx {}", receipt.transaction_hash),
                })?;
        Ok(Deployed {
            address,
            tx_hash: receipt.transaction_hash,
            gas_used: receipt.gas_used,
        })
    }

    /// The address this signer's next deployment gets: CREATE from the signer at its
    /// pending nonce. A task can name its registry before it exists, as long as the signer
    /// sends nothing else first.
    ///
    /// # Errors
    /// [`ContractsError::Rpc`].
    pub fn next_deployment_address(&self) -> Result<Address, ContractsError> {
        let nonce = self
            .rt
            .block_on(async {
                self.provider
                    .get_transaction_count(self.from)
                    .pending()
                    .await
            })
            .map_err(self.rpc_err("reading the signer's nonce"))?;
        Ok(self.from.create(nonce))
    }

    /// Enrolls `clients` in the registry (owner only), [`ENROLL_BATCH`] per transaction.
    /// Returns the gas of each transaction.
    ///
    /// # Errors
    /// [`ContractsError::Reverted`] (`NotOwner`, `AlreadyEnrolled`, `ZeroAddress`),
    /// [`ContractsError::Rpc`]. Batches sent before the error stay enrolled.
    pub fn enroll(
        &self,
        registry: Address,
        clients: &[Address],
    ) -> Result<Vec<u64>, ContractsError> {
        self.require_code(registry)?;
        clients
            .chunks(ENROLL_BATCH)
            .enumerate()
            .map(|(i, batch)| {
                let what = format!(
                    "enrollMany({} clients from #{}) on {registry}",
                    batch.len(),
                    i * ENROLL_BATCH
                );
                let tx = TransactionRequest::default()
                    .with_to(registry)
                    .with_input(enroll_calldata(batch));
                Ok(self.transact(tx, &what)?.gas_used)
            })
            .collect()
    }

    fn require_code(&self, registry: Address) -> Result<(), ContractsError> {
        let code = self
            .rt
            .block_on(async { self.provider.get_code_at(registry).await })
            .map_err(self.rpc_err(&format!("reading the code at {registry}")))?;
        if code.is_empty() {
            return Err(ContractsError::NoContract {
                address: registry,
                url: self.url.clone(),
            });
        }
        Ok(())
    }

    /// Submits a round and returns its `RoundAccepted` event.
    ///
    /// # Errors
    /// [`ContractsError::Reverted`] with the registry's custom error (e.g. `UnexpectedRound`
    /// for a replayed round), [`ContractsError::NoContract`] if `registry` holds no contract,
    /// [`ContractsError::NoRoundAccepted`] if it emitted no `RoundAccepted`, [`ContractsError::Rpc`].
    pub fn submit_round(
        &self,
        registry: Address,
        call: &RoundCall,
    ) -> Result<Submitted, ContractsError> {
        self.require_code(registry)?;
        let what = format!("submitRound(round {}) to {registry}", call.round);
        let tx = TransactionRequest::default()
            .with_to(registry)
            .with_input(call.calldata());
        let receipt = self.transact(tx, &what)?;
        let slots = call.weights.len();
        let accepted = receipt
            .logs()
            .iter()
            .filter(|log| log.address() == registry)
            .find_map(|log| RoundAccepted::decode(slots, log.topics(), &log.data().data))
            .ok_or_else(|| ContractsError::NoRoundAccepted {
                what: what.clone(),
                tx: receipt.transaction_hash,
                slots,
                registry,
            })?;
        Ok(Submitted {
            tx_hash: receipt.transaction_hash,
            gas_used: receipt.gas_used,
            block: receipt.block_number,
            accepted,
        })
    }

    fn view_word(&self, registry: Address, getter: &str) -> Result<[u8; 32], ContractsError> {
        let tx = TransactionRequest::default()
            .with_from(self.from)
            .with_to(registry)
            .with_input(function_calldata(getter, vec![]));
        let out = self.call(&tx, &format!("{getter} on {registry}"))?;
        out.as_ref()
            .try_into()
            .map_err(|_| ContractsError::NotARegistry {
                registry,
                getter: getter.to_string(),
                len: out.len(),
            })
    }

    /// Reads the registry's `roster()`, in its order: what [`crate::bundle::round_call`]
    /// needs to encode a round for this registry.
    ///
    /// # Errors
    /// [`ContractsError::NoContract`] if `registry` holds no contract,
    /// [`ContractsError::NotARegistry`] if it does not answer with an address list,
    /// [`ContractsError::Rpc`].
    pub fn roster(&self, registry: Address) -> Result<Vec<Address>, ContractsError> {
        self.require_code(registry)?;
        let tx = TransactionRequest::default()
            .with_from(self.from)
            .with_to(registry)
            .with_input(roster_calldata());
        let out = self.call(&tx, &format!("roster() on {registry}"))?;
        decode_roster(&out).ok_or_else(|| ContractsError::NotARegistry {
            registry,
            getter: "roster()".to_string(),
            len: out.len(),
        })
    }

    /// Reads `modelCommitment()`, `lastRound()` and `coordinator()`.
    ///
    /// # Errors
    /// [`ContractsError::NoContract`] if `registry` holds no contract,
    /// [`ContractsError::NotARegistry`] if it does not answer like a registry,
    /// [`ContractsError::Rpc`].
    pub fn registry_state(&self, registry: Address) -> Result<RegistryState, ContractsError> {
        self.require_code(registry)?;
        let coordinator = self.view_word(registry, "coordinator()")?;
        Ok(RegistryState {
            model_commitment: self.view_word(registry, "modelCommitment()")?,
            last_round: U256::from_be_bytes(self.view_word(registry, "lastRound()")?),
            coordinator: Address::from_slice(&coordinator[12..]),
        })
    }
}
