//! The EIP-712 typed data a client signs (docs/PROTOCOL.md §10):
//!
//! ```text
//! EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)
//!   name "zkfl", version "1", chainId = task.chain_id, verifyingContract = task.registry
//! UpdateCommitment(uint256 round,bytes32 prevModel,bytes32 commitment,uint256 weight)
//! ```
//!
//! The round and the previous model commitment are in the message because EIP-712 itself
//! has no replay protection: a signature binds one update to one round of one model chain.

use alloy_primitives::{B256, U256};
use alloy_sol_types::{eip712_domain, sol, Eip712Domain, SolStruct};
use zkfl_circuits::Commitment;

use crate::Task;

sol! {
    /// What a client signs: its update's commitment and weight, for round `round`, trained
    /// on the model committed to by `prevModel`.
    #[derive(Debug, PartialEq, Eq)]
    struct UpdateCommitment {
        uint256 round;
        bytes32 prevModel;
        bytes32 commitment;
        uint256 weight;
    }
}

impl UpdateCommitment {
    /// The message for one slot of round `round`.
    pub fn of(round: u64, prev_model: &Commitment, commitment: &Commitment, weight: u64) -> Self {
        Self {
            round: U256::from(round),
            prevModel: B256::from(prev_model.0),
            commitment: B256::from(commitment.0),
            weight: U256::from(weight),
        }
    }
}

/// The task's EIP-712 domain.
pub fn domain(task: &Task) -> Eip712Domain {
    eip712_domain! {
        name: "zkfl",
        version: "1",
        chain_id: task.chain_id,
        verifying_contract: task.registry,
    }
}

/// keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message)): the hash that is signed.
pub fn signing_hash(task: &Task, message: &UpdateCommitment) -> B256 {
    message.eip712_signing_hash(&domain(task))
}
