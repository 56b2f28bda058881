//! In-process EVM (revm, Osaka rules) for tests and gas measurement.
//!
//! Every transaction is committed, so state (the registry's stored commitment, nonces)
//! evolves exactly as on a node. EIP-170 (24,576-byte runtime code) is enforced by revm on
//! deployment, so a contract that deploys here is within the limit.

use std::collections::HashMap;

use alloy_primitives::{Address, Bytes, Log, TxKind};
use revm::context::result::ExecutionResult;
use revm::context::TxEnv;
use revm::context_interface::cfg::gas::calculate_initial_tx_gas;
use revm::context_interface::ContextTr;
use revm::database::{CacheDB, EmptyDB};
use revm::handler::{MainnetContext, MainnetEvm};
use revm::primitives::hardfork::SpecId;
use revm::{Context, ExecuteCommitEvm, MainBuilder, MainContext};

use crate::revert::RevertReason;
use crate::ContractsError;

/// Gas limit of every transaction: below the Osaka per-transaction cap (EIP-7825, 2^24).
pub const TX_GAS_LIMIT: u64 = 16_000_000;

/// Outcome of a successful call.
#[derive(Clone, Debug)]
pub struct CallOutcome {
    /// Return data.
    pub output: Vec<u8>,
    /// Gas as in the receipt (intrinsic + execution - refund, at least the EIP-7623 floor).
    pub tx_gas: u64,
    /// Execution gas: total spent minus the intrinsic cost (21,000 + calldata). This is what
    /// the contract code itself costs and what the precompile floors are compared with.
    pub exec_gas: u64,
    /// Emitted logs.
    pub logs: Vec<Log>,
}

/// A fresh chain with no accounts; callers need no balance because gas price is 0.
pub struct Evm {
    evm: MainnetEvm<MainnetContext<CacheDB<EmptyDB>>>,
    nonces: HashMap<Address, u64>,
}

impl Default for Evm {
    fn default() -> Self {
        Self::new()
    }
}

impl Evm {
    /// An empty chain with mainnet (Osaka) rules.
    pub fn new() -> Self {
        let evm = Context::mainnet()
            .with_db(CacheDB::<EmptyDB>::default())
            .build_mainnet();
        Self {
            evm,
            nonces: HashMap::new(),
        }
    }

    fn spec(&self) -> SpecId {
        self.evm.ctx.cfg.spec
    }

    fn transact(
        &mut self,
        from: Address,
        kind: TxKind,
        data: Vec<u8>,
        gas_limit: u64,
        what: &str,
    ) -> Result<(ExecutionResult, u64), ContractsError> {
        let intrinsic =
            calculate_initial_tx_gas(self.spec(), &data, kind.is_create(), 0, 0, 0, None)
                .initial_regular_gas;
        let nonce = self.nonces.entry(from).or_insert(0);
        let tx = TxEnv::builder()
            .caller(from)
            .kind(kind)
            .data(Bytes::from(data))
            .gas_limit(gas_limit)
            .gas_price(0)
            .nonce(*nonce)
            .chain_id(Some(self.evm.ctx.cfg.chain_id))
            .build_fill();
        let result = self
            .evm
            .transact_commit(tx)
            .map_err(|e| ContractsError::Evm {
                what: what.to_string(),
                source: Box::new(e),
            })?;
        *nonce += 1;
        Ok((result, intrinsic))
    }

    fn outcome(
        result: ExecutionResult,
        intrinsic: u64,
        what: &str,
    ) -> Result<CallOutcome, ContractsError> {
        let exec_gas = result.gas().total_gas_spent().saturating_sub(intrinsic);
        let tx_gas = result.tx_gas_used();
        match result {
            ExecutionResult::Success { output, logs, .. } => Ok(CallOutcome {
                output: output.into_data().to_vec(),
                tx_gas,
                exec_gas,
                logs,
            }),
            ExecutionResult::Revert { output, .. } => Err(ContractsError::Reverted {
                what: what.to_string(),
                reason: Box::new(RevertReason::decode(&output)),
            }),
            ExecutionResult::Halt { reason, .. } => Err(ContractsError::Halted {
                what: what.to_string(),
                reason: format!("{reason:?}"),
            }),
        }
    }

    /// Deploys `initcode` (creation bytecode with constructor arguments appended).
    ///
    /// # Errors
    /// [`ContractsError::Reverted`] / [`ContractsError::Halted`] if the constructor fails
    /// or the runtime code exceeds EIP-170.
    pub fn deploy(
        &mut self,
        from: Address,
        initcode: Vec<u8>,
        what: &str,
    ) -> Result<Address, ContractsError> {
        self.deploy_with_outcome(from, initcode, what)
            .map(|(address, _)| address)
    }

    /// As [`Evm::deploy`], also returning the constructor's logs and gas.
    ///
    /// # Errors
    /// As [`Evm::deploy`].
    pub fn deploy_with_outcome(
        &mut self,
        from: Address,
        initcode: Vec<u8>,
        what: &str,
    ) -> Result<(Address, CallOutcome), ContractsError> {
        let (result, _) = self.transact(from, TxKind::Create, initcode, TX_GAS_LIMIT, what)?;
        let address = result.created_address();
        let outcome = Self::outcome(result, 0, what)?;
        let address = address.ok_or_else(|| ContractsError::NoContractAddress {
            what: what.to_string(),
        })?;
        Ok((address, outcome))
    }

    /// The chain id `block.chainid` returns (revm's default is 1).
    pub fn chain_id(&self) -> u64 {
        self.evm.ctx.cfg.chain_id
    }

    /// Changes the chain id from the next transaction on, as a chain fork would: for testing
    /// what is bound to it (the registry's EIP-712 domain).
    pub fn set_chain_id(&mut self, chain_id: u64) {
        self.evm.ctx.cfg.chain_id = chain_id;
    }

    /// The same chain without the precompile at `address` (e.g. 0x08, the pairing): what a
    /// chain that lacks it does to a contract that calls it, for tests. A call to the missing
    /// precompile then succeeds with empty output, like a call to any account without code.
    pub fn without_precompile(mut self, address: Address) -> Self {
        let current = self.evm.precompiles.precompiles;
        let mut removed = revm::precompile::Precompiles::default();
        removed.extend(current.get(&address).cloned());
        // The provider holds a `&'static` set; one small leak per test chain.
        self.evm.precompiles.precompiles = Box::leak(Box::new(current.difference(&removed)));
        self
    }

    /// Sends a transaction calling `to` with `data`.
    ///
    /// # Errors
    /// [`ContractsError::Reverted`] with the decoded custom error, or [`ContractsError::Halted`].
    pub fn call(
        &mut self,
        from: Address,
        to: Address,
        data: Vec<u8>,
        what: &str,
    ) -> Result<CallOutcome, ContractsError> {
        self.call_with_gas_limit(from, to, data, TX_GAS_LIMIT, what)
    }

    /// As [`Evm::call`] with an explicit transaction gas limit, to check behaviour when
    /// gas runs short.
    ///
    /// # Errors
    /// As [`Evm::call`]; [`ContractsError::Evm`] if the limit is below the intrinsic cost.
    pub fn call_with_gas_limit(
        &mut self,
        from: Address,
        to: Address,
        data: Vec<u8>,
        gas_limit: u64,
        what: &str,
    ) -> Result<CallOutcome, ContractsError> {
        let (result, intrinsic) = self.transact(from, TxKind::Call(to), data, gas_limit, what)?;
        Self::outcome(result, intrinsic, what)
    }

    /// The registry's `roster()` at `registry`, called from `from`.
    ///
    /// # Errors
    /// As [`Evm::call`]; [`ContractsError::NotARegistry`] if the answer is not an address list.
    pub fn roster(
        &mut self,
        from: Address,
        registry: Address,
    ) -> Result<Vec<Address>, ContractsError> {
        let out = self.call(from, registry, crate::round::roster_calldata(), "roster()")?;
        crate::round::decode_roster(&out.output).ok_or_else(|| ContractsError::NotARegistry {
            registry,
            getter: "roster()".to_string(),
            len: out.output.len(),
        })
    }

    /// The runtime code stored at `address` (empty if none).
    pub fn code(&self, address: Address) -> Vec<u8> {
        let db = self.evm.ctx.db();
        db.cache
            .accounts
            .get(&address)
            .and_then(|a| db.cache.contracts.get(&a.info.code_hash))
            .map_or_else(Vec::new, |code| code.original_byte_slice().to_vec())
    }
}
