//! The hostile-round corpus of issue 11 (feature `testing`): one honest signed round 1, then
//! round-2 bundles that are each honest except for one attack on the client signatures.
//! `zkfl-verify` and the registry (revm) must give the same verdict on every case, so both
//! test suites build their cases here and only differ in how they prove and submit.
//!
//! Every bundle's proofs are valid (the caller proves them): the attacks that change what
//! was proven (a substituted update, a replayed update, a changed weight, a missing client)
//! are proven rounds, not edited bundles, so only the signatures can catch them.
//!
//! Client keys are Anvil's / Hardhat's well-known test accounts 1..=5 (public knowledge:
//! tests only); account 0 is left to deploy the registry and coordinate.

use alloy_primitives::{Address, U256};
use alloy_signer_local::PrivateKeySigner;
use zkfl_circuits::{
    bundle::RoundBundle, testing::RandomRound, ClientSlot, Round, RoundInput, Shape,
};

use crate::{Fault, Roster, SignedUpdate, SlotSignature, Task, TaskError};

/// Anvil's test accounts 1..=5.
const KEYS: [&str; 5] = [
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
];

/// secp256k1's group order n, for the high-s twin.
const SECP256K1_N: U256 = alloy_primitives::uint!(
    0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141_U256
);

/// Anvil's test account `i` (0..=9 are public knowledge; this module knows 1..=5).
///
/// # Panics
/// For another `i`: test code only.
pub fn anvil_key(i: usize) -> PrivateKeySigner {
    KEYS[i - 1].parse().expect("a valid test key")
}

/// The verdict a case must get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// The round is valid.
    Valid,
    /// The round is refused for this fault.
    Invalid(Fault),
}

/// One round-2 bundle of the corpus.
#[derive(Clone, Debug)]
pub struct Case {
    /// What the case is, for test output.
    pub name: &'static str,
    /// The round-2 bundle (valid proofs; signatures as the attack left them).
    pub bundle: RoundBundle,
    /// Its verdict.
    pub expected: Expected,
}

/// The corpus: a task, its roster, an honest round 1 and the round-2 cases.
pub struct Corpus {
    /// The task (quorum 2) every signature is checked under.
    pub task: Task,
    /// The current roster: the three enrolled clients.
    pub roster: Roster,
    /// The enrolled clients' keys, by ascending address.
    pub clients: Vec<PrivateKeySigner>,
    /// A client that was enrolled and then revoked: the registry must `enroll` it with the
    /// roster and `revoke` it before round 2; it is not in [`Corpus::roster`].
    pub revoked: Address,
    /// A key that was never enrolled.
    pub outsider: Address,
    /// Round 1: honest, signed, genesis (deploy the registry on its `model_commitment`).
    pub round1: RoundBundle,
    /// Round-2 cases, each to be checked after `round1`.
    pub cases: Vec<Case>,
}

/// Proves a round: `prove(round, t, genesis)` returns the bundle of round index `t` with
/// valid proofs under the caller's key (unsigned; the corpus adds the signatures).
pub type Prover<'a> = dyn FnMut(&Round, u64, bool) -> RoundBundle + 'a;

/// Active client slots per round (the rest are canonical empty slots).
const ACTIVE: usize = 2;

impl Corpus {
    /// Builds the corpus for a registry at `registry` on chain `chain_id` (sign before you
    /// deploy: predict the address, e.g. `deployer.create(nonce)`), for rounds of `d`
    /// parameters under `shape` (at least 3 slots), proving with `prove`.
    ///
    /// # Errors
    /// [`TaskError`] if signing fails.
    ///
    /// # Panics
    /// If `shape` has fewer than 3 slots or cannot hold the random rounds: test code only.
    pub fn build(
        shape: Shape,
        d: usize,
        chain_id: u64,
        registry: Address,
        prove: &mut Prover<'_>,
    ) -> Result<Self, TaskError> {
        assert!(shape.slots > ACTIVE, "the corpus needs an empty slot");
        let mut clients: Vec<_> = (1..=3).map(anvil_key).collect();
        clients.sort_by_key(|k| k.address());
        let (revoked_key, outsider_key) = (anvil_key(4), anvil_key(5));
        let roster = Roster::new(clients.iter().map(|k| k.address()).collect())?;
        let task = Task::new("hostile corpus", chain_id, registry, &roster, ACTIVE as u32);
        let spec = |seed| RandomRound {
            seed,
            ..RandomRound::new(shape, d).empty_last(shape.slots - ACTIVE)
        };

        // Round 1, honest, from a random genesis model.
        let r1 = Round::build(spec(7).input()).expect("honest round 1");
        let signed1 = sign_slots(&task, &clients, &r1, 1)?;
        let round1 = attach(prove(&r1, 1, true), &signed1);

        let from_r1 =
            |seed| spec(seed).input_from(r1.new_model.clone(), r1.input.new_model_salts.clone());
        let honest_input = from_r1(8);
        let honest = Round::build(honest_input.clone()).expect("honest round 2");
        let signed = sign_slots(&task, &clients, &honest, 2)?;
        let honest_bundle = attach(prove(&honest, 2, false), &signed);
        let mut reproved = |input: RoundInput, sigs: &[Option<SlotSignature>]| {
            let round = Round::build(input).expect("a provable round 2");
            attach(prove(&round, 2, false), sigs)
        };
        let with_slot0 = |slot: ClientSlot| {
            let mut input = honest_input.clone();
            input.slots[0] = slot;
            input
        };
        let edited = |slot: usize, sig: SlotSignature| {
            let mut sigs = signed.clone();
            sigs[slot] = Some(sig);
            attach(honest_bundle.clone(), &sigs)
        };
        let resign = |key: &PrivateKeySigner, task: &Task, slot: usize| {
            SignedUpdate::sign(
                task,
                key,
                2,
                honest.model_commitment,
                honest.update_commitments[slot],
                honest.input.slots[slot].weight,
            )
            .map(|r| r.slot)
        };
        // An outsider must not also break the ascending-signer rule, so that each case
        // breaks exactly one rule: it takes slot 1 if it sorts after slot 0's client.
        let intruder_slot = |a: Address| usize::from(a > clients[0].address());

        let mut cases = vec![Case {
            name: "honest round",
            bundle: honest_bundle.clone(),
            expected: Expected::Valid,
        }];
        let substitute = from_r1(9).slots[0].clone();
        cases.push(Case {
            name: "substituted update (slot 0's signature is for another commitment)",
            bundle: reproved(with_slot0(substitute), &signed),
            expected: Expected::Invalid(Fault::BadSignature),
        });
        let mut replay_sigs = signed.clone();
        replay_sigs[0] = signed1[0].clone();
        cases.push(Case {
            name: "signature replayed from round 1 (slot 0 re-submits its round-1 update)",
            bundle: reproved(with_slot0(r1.input.slots[0].clone()), &replay_sigs),
            expected: Expected::Invalid(Fault::BadSignature),
        });
        let other_registry = Task {
            registry: {
                let mut b = registry.0 .0;
                b[19] ^= 1;
                Address::from(b)
            },
            ..task.clone()
        };
        cases.push(Case {
            name: "signature for another registry",
            bundle: edited(0, resign(&clients[0], &other_registry, 0)?),
            expected: Expected::Invalid(Fault::BadSignature),
        });
        let other_chain = Task {
            chain_id: chain_id.wrapping_add(1),
            ..task.clone()
        };
        cases.push(Case {
            name: "signature for another chain id",
            bundle: edited(0, resign(&clients[0], &other_chain, 0)?),
            expected: Expected::Invalid(Fault::BadSignature),
        });
        let slot = intruder_slot(outsider_key.address());
        cases.push(Case {
            name: "unenrolled signer",
            bundle: edited(slot, resign(&outsider_key, &task, slot)?),
            expected: Expected::Invalid(Fault::NotEnrolled),
        });
        let slot = intruder_slot(revoked_key.address());
        cases.push(Case {
            name: "revoked signer",
            bundle: edited(slot, resign(&revoked_key, &task, slot)?),
            expected: Expected::Invalid(Fault::NotEnrolled),
        });
        cases.push(Case {
            name: "the same client in two slots",
            bundle: edited(1, resign(&clients[0], &task, 1)?),
            expected: Expected::Invalid(Fault::DuplicateClient),
        });
        let mut heavier = honest_input.slots[0].clone();
        heavier.weight += 1;
        cases.push(Case {
            name: "weight changed after signing (slot 0 proven with weight + 1)",
            bundle: reproved(with_slot0(heavier), &signed),
            expected: Expected::Invalid(Fault::BadSignature),
        });
        let twin = signed[0]
            .as_ref()
            .map(high_s_twin)
            .expect("slot 0 is signed");
        cases.push(Case {
            name: "high-s twin of a valid signature",
            bundle: edited(0, twin),
            expected: Expected::Invalid(Fault::HighS),
        });
        let mut alone = honest_input.clone();
        alone.slots[1] = ClientSlot::empty(&shape, d);
        let mut alone_sigs = signed.clone();
        alone_sigs[1] = None;
        cases.push(Case {
            name: "below quorum (one signed client, quorum 2)",
            bundle: reproved(alone, &alone_sigs),
            expected: Expected::Invalid(Fault::Quorum),
        });
        cases.push(Case {
            name: "unsigned round (zkfl-round/1)",
            bundle: RoundBundle {
                format: zkfl_circuits::bundle::ROUND_FORMAT.into(),
                clients: None,
                ..honest_bundle.clone()
            },
            expected: Expected::Invalid(Fault::UnsignedRound),
        });
        Ok(Self {
            task,
            roster,
            clients,
            revoked: revoked_key.address(),
            outsider: outsider_key.address(),
            round1,
            cases,
        })
    }
}

/// Each active slot of `round` signed by the next client (clients ascend by address, so the
/// slots do too); empty slots unsigned.
fn sign_slots(
    task: &Task,
    clients: &[PrivateKeySigner],
    round: &Round,
    t: u64,
) -> Result<Vec<Option<SlotSignature>>, TaskError> {
    let mut keys = clients.iter();
    round
        .input
        .slots
        .iter()
        .zip(&round.update_commitments)
        .map(|(slot, &commitment)| {
            if slot.is_empty() {
                return Ok(None);
            }
            let key = keys.next().expect("more clients than active slots");
            SignedUpdate::sign(
                task,
                key,
                t,
                round.model_commitment,
                commitment,
                slot.weight,
            )
            .map(|r| Some(r.slot))
        })
        .collect()
}

fn attach(bundle: RoundBundle, sigs: &[Option<SlotSignature>]) -> RoundBundle {
    bundle.signed(
        sigs.iter()
            .map(|s| s.as_ref().map(SlotSignature::to_bundle))
            .collect(),
    )
}

/// (r, n − s, v flipped): the same signer's signature of the same hash, with a high s.
pub fn high_s_twin(sig: &SlotSignature) -> SlotSignature {
    let parsed = sig.decode(0).expect("a valid low-s signature");
    let mut bytes = [0u8; 65];
    bytes[..32].copy_from_slice(&parsed.r().to_be_bytes::<32>());
    bytes[32..64].copy_from_slice(&(SECP256K1_N - parsed.s()).to_be_bytes::<32>());
    bytes[64] = if parsed.v() { 27 } else { 28 };
    SlotSignature {
        signer: sig.signer,
        signature: format!("0x{}", hex::encode(bytes)),
    }
}
