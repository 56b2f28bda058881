//! The signature rule for a whole round, as every verifier applies it (the registry in
//! Solidity, in the same order, with one custom error per case).

use alloy_primitives::Address;
use zkfl_circuits::Commitment;

use crate::{Roster, SlotSignature, Task, TaskError, UpdateCommitment};

/// What one slot of a round claims.
#[derive(Clone, Debug)]
pub struct SlotClaim<'a> {
    /// The slot's weight.
    pub weight: u64,
    /// The slot's update commitment.
    pub commitment: Commitment,
    /// Its client and signature, if any.
    pub signature: Option<&'a SlotSignature>,
}

/// The clients of a round whose signatures hold, by slot (`None` for empty slots).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundClients {
    /// One entry per slot.
    pub clients: Vec<Option<Address>>,
}

impl RoundClients {
    /// The signed clients, in slot order.
    pub fn signers(&self) -> Vec<Address> {
        self.clients.iter().flatten().copied().collect()
    }
}

/// Checks round `round` (turning the model committed by `prev_model` into the next one):
/// every slot of weight > 0 is signed, by an enrolled client, over exactly
/// `UpdateCommitment{round, prev_model, its commitment, its weight}` under the task's domain,
/// with a low-s signature; empty slots carry no signature; the signers appear in strictly
/// ascending address order (so no client signs twice, and the registry checks it in one
/// pass); and at least `task.quorum` clients signed.
///
/// # Errors
/// The first [`TaskError`] found, naming the slot.
pub fn check_round(
    task: &Task,
    roster: &Roster,
    round: u64,
    prev_model: &Commitment,
    slots: &[SlotClaim<'_>],
) -> Result<RoundClients, TaskError> {
    let mut clients = Vec::with_capacity(slots.len());
    let mut last: Option<(usize, Address)> = None;
    for (slot, s) in slots.iter().enumerate() {
        let sig = match (s.weight, s.signature) {
            (0, None) => {
                clients.push(None);
                continue;
            }
            (0, Some(_)) => return Err(TaskError::SignedEmptySlot { slot }),
            (weight, None) => return Err(TaskError::Unsigned { slot, weight }),
            (_, Some(sig)) => sig,
        };
        if !roster.contains(&sig.signer) {
            return Err(TaskError::NotEnrolled {
                slot,
                signer: sig.signer,
            });
        }
        sig.verify(
            slot,
            task,
            &UpdateCommitment::of(round, prev_model, &s.commitment, s.weight),
        )?;
        if let Some((first, prev)) = last {
            if sig.signer == prev {
                return Err(TaskError::DuplicateClient {
                    first,
                    second: slot,
                    signer: sig.signer,
                });
            }
            if sig.signer < prev {
                return Err(TaskError::SignerOrder {
                    first,
                    prev,
                    slot,
                    signer: sig.signer,
                });
            }
        }
        last = Some((slot, sig.signer));
        clients.push(Some(sig.signer));
    }
    let count = clients.iter().flatten().count();
    if (count as u64) < u64::from(task.quorum) {
        return Err(TaskError::Quorum {
            clients: count,
            quorum: task.quorum,
        });
    }
    Ok(RoundClients { clients })
}
