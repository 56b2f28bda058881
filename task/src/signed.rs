//! A client's signed update record (`zkfl-signed-update/1`) and the signature a bundle keeps
//! per slot.

use std::path::Path;

use alloy_primitives::{Address, Signature, U256};
use serde::{Deserialize, Serialize};
use zkfl_circuits::Commitment;

use crate::{files::read_json, typed::signing_hash, Task, TaskError, UpdateCommitment};

/// Format tag of a signed update record.
pub const SIGNED_UPDATE_FORMAT: &str = "zkfl-signed-update/1";

/// secp256k1's group order n.
const SECP256K1_N: U256 = alloy_primitives::uint!(
    0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141_U256
);

/// One slot's client and signature, as a round bundle keeps them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotSignature {
    /// The client's address.
    pub signer: Address,
    /// r ‖ s ‖ v, 65 bytes, 0x-prefixed lowercase hex; v ∈ {27, 28}, s ≤ n/2.
    pub signature: String,
}

/// A client's signed update: everything the signature covers, the signer and the signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedUpdate {
    /// [`SIGNED_UPDATE_FORMAT`].
    pub format: String,
    /// The task's chain id (EIP-712 domain).
    pub chain_id: u64,
    /// The task's registry (EIP-712 domain).
    pub registry: Address,
    /// The round the update is for.
    pub round: u64,
    /// Commitment of the model the client trained on (M_t of this round).
    pub prev_model: Commitment,
    /// The update's commitment.
    pub commitment: Commitment,
    /// The client's FedAvg weight.
    pub weight: u64,
    /// Client slot's signer and signature.
    #[serde(flatten)]
    pub slot: SlotSignature,
}

impl SlotSignature {
    /// Decodes the signature strictly: 65 bytes of 0x-prefixed lowercase hex, v ∈ {27, 28},
    /// 0 < r, s < n and s ≤ n/2 (the high-s twin of a valid signature is refused, so one
    /// signature has exactly one accepted encoding).
    ///
    /// # Errors
    /// [`TaskError::SignatureEncoding`] or [`TaskError::HighS`] for `slot`.
    pub fn decode(&self, slot: usize) -> Result<Signature, TaskError> {
        let bad = |reason: &str| TaskError::SignatureEncoding {
            slot,
            reason: reason.into(),
        };
        let digits = self
            .signature
            .strip_prefix("0x")
            .ok_or_else(|| bad("no 0x prefix"))?;
        if digits.len() != 130 || digits.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(bad("not 130 lowercase hex digits"));
        }
        let mut bytes = [0u8; 65];
        hex::decode_to_slice(digits, &mut bytes).map_err(|_| bad("not hex"))?;
        if !matches!(bytes[64], 27 | 28) {
            return Err(bad("v is not 27 or 28"));
        }
        let sig = Signature::from_raw_array(&bytes).map_err(|e| bad(&e.to_string()))?;
        if sig.r().is_zero()
            || sig.s().is_zero()
            || sig.r() >= SECP256K1_N
            || sig.s() >= SECP256K1_N
        {
            return Err(bad("r or s is 0 or not below n"));
        }
        if sig.s() > SECP256K1_N >> 1 {
            return Err(TaskError::HighS { slot });
        }
        Ok(sig)
    }

    /// The encoding of `sig` this crate writes (v as 27 or 28).
    pub fn encode(sig: &Signature) -> String {
        format!("0x{}", hex::encode(sig.as_bytes()))
    }

    /// Checks that this is `signer`'s low-s signature of `message` under `task`'s domain.
    ///
    /// # Errors
    /// [`TaskError`] naming `slot`.
    pub fn verify(
        &self,
        slot: usize,
        task: &Task,
        message: &UpdateCommitment,
    ) -> Result<(), TaskError> {
        let sig = self.decode(slot)?;
        let hash = signing_hash(task, message);
        match sig.recover_address_from_prehash(&hash) {
            Ok(a) if a == self.signer => Ok(()),
            _ => Err(TaskError::BadSignature {
                slot,
                signer: self.signer,
                what: format!(
                    "round {}, previous model 0x{}, update 0x{}, weight {}",
                    message.round,
                    hex::encode(message.prevModel),
                    hex::encode(message.commitment),
                    message.weight
                ),
            }),
        }
    }
}

impl SignedUpdate {
    /// The message this record signs.
    pub fn message(&self) -> UpdateCommitment {
        UpdateCommitment::of(self.round, &self.prev_model, &self.commitment, self.weight)
    }

    /// Signs `commitment` with weight `weight` for round `round` after `prev_model`.
    ///
    /// # Errors
    /// [`TaskError::Key`] if signing fails.
    #[cfg(feature = "sign")]
    pub fn sign(
        task: &Task,
        key: &alloy_signer_local::PrivateKeySigner,
        round: u64,
        prev_model: Commitment,
        commitment: Commitment,
        weight: u64,
    ) -> Result<Self, TaskError> {
        use alloy_signer::SignerSync;
        let message = UpdateCommitment::of(round, &prev_model, &commitment, weight);
        let sig = key
            .sign_hash_sync(&signing_hash(task, &message))
            .map_err(|e| TaskError::Key {
                origin: "the client key".into(),
                reason: e.to_string(),
            })?
            // k256 signs low-s already; normalising keeps that true whatever the backend.
            .normalized_s();
        Ok(Self {
            format: SIGNED_UPDATE_FORMAT.into(),
            chain_id: task.chain_id,
            registry: task.registry,
            round,
            prev_model,
            commitment,
            weight,
            slot: SlotSignature {
                signer: key.address(),
                signature: SlotSignature::encode(&sig),
            },
        })
    }

    /// Reads a signed record and checks that it is a valid signature under `task` by an
    /// enrolled client. What it signs (round, model, update, weight) is for the caller to
    /// compare with the round it is used in.
    ///
    /// # Errors
    /// [`TaskError`] naming the file.
    pub fn read(path: &Path, task: &Task, roster: &crate::Roster) -> Result<Self, TaskError> {
        let r: Self = read_json(path, "zkfl signed update (from `zkfl commit --task`)")?;
        let p = path.display().to_string();
        let named = |e: TaskError| TaskError::File {
            path: p.clone(),
            reason: e.to_string(),
        };
        if r.format != SIGNED_UPDATE_FORMAT {
            return Err(TaskError::File {
                path: p,
                reason: format!("format '{}', expected '{SIGNED_UPDATE_FORMAT}'", r.format),
            });
        }
        if r.chain_id != task.chain_id || r.registry != task.registry {
            return Err(TaskError::Mismatch {
                path: p,
                reason: format!(
                    "signed for registry {} on chain {}, but the task is registry {} on chain {}",
                    r.registry, r.chain_id, task.registry, task.chain_id
                ),
            });
        }
        r.slot.verify(0, task, &r.message()).map_err(named)?;
        if !roster.contains(&r.slot.signer) {
            return Err(TaskError::Mismatch {
                path: p,
                reason: format!(
                    "signer {} is not an enrolled client of this task",
                    r.slot.signer
                ),
            });
        }
        Ok(r)
    }
}
