//! The registry's client rule (issue 11): owner-managed enrollment and quorum, and every
//! slot's EIP-712 signature, refused with one custom error per case in the order of
//! `zkfl_task::check_round`. The same rounds against the off-chain rule are in parity.rs.

use alloy_dyn_abi::DynSolValue;
use alloy_primitives::{Address, Signature, B256, U256};
use alloy_signer_local::PrivateKeySigner;
use ark_std::rand::Rng;
use zkfl_circuits::Commitment;
use zkfl_contracts::encode::function_calldata as call;
use zkfl_contracts::evm::{CallOutcome, Evm};
use zkfl_contracts::revert::RevertReason;
use zkfl_contracts::round::{RoundCall, SIGNATURE_BYTES};
use zkfl_contracts::ContractsError;
use zkfl_task::{domain, signing_hash, UpdateCommitment};

use crate::common::{addr, client_keys, rng, sign_slot, task_for, SLOTS};
use crate::fixture::*;

fn owner_tx(
    chain: &mut Chain,
    from: Address,
    sig: &str,
    arg: DynSolValue,
) -> Result<CallOutcome, ContractsError> {
    chain
        .evm
        .call(from, chain.registry, call(sig, vec![arg]), sig)
}

fn word(x: u64) -> DynSolValue {
    DynSolValue::Uint(U256::from(x), 256)
}

fn view_bytes32(evm: &mut Evm, at: Address, sig: &str, args: Vec<DynSolValue>) -> B256 {
    B256::from_slice(
        &evm.call(addr(1), at, call(sig, args), sig)
            .expect(sig)
            .output,
    )
}

fn update_digest(evm: &mut Evm, at: Address, m: &UpdateCommitment) -> B256 {
    view_bytes32(
        evm,
        at,
        "updateDigest(uint256,bytes32,bytes32,uint256)",
        vec![
            DynSolValue::Uint(m.round, 256),
            DynSolValue::FixedBytes(m.prevModel, 32),
            DynSolValue::FixedBytes(m.commitment, 32),
            DynSolValue::Uint(m.weight, 256),
        ],
    )
}

/// Slot `slot`'s 65 signature bytes in `c`.
fn sig(c: &mut RoundCall, slot: usize) -> &mut [u8] {
    &mut c.signatures[SIGNATURE_BYTES * slot..SIGNATURE_BYTES * (slot + 1)]
}

/// Slot `slot` of round 1 signed by test client `key` over slot `over`'s update and weight.
fn resign(c: &mut RoundCall, slot: usize, key: usize, over: usize) {
    let f = fixture();
    let s = sign_slot(
        &task(),
        &client_keys()[key],
        1,
        f.round1.model_commitment,
        f.round1.update_commitments[over],
        f.round1.input.slots[over].weight,
    );
    c.clients[slot] = s.signer;
    sig(c, slot).copy_from_slice(&s.signature);
}

/// The Solidity EIP-712 hash equals zkfl_task's: on the PROTOCOL.md §10 vector (the registry
/// deployed where anvil puts the first contract of test key 0), on random messages, and
/// after a chain fork changes block.chainid (the cached separator is then recomputed).
#[test]
fn update_digest_matches_the_vector_and_zkfl_task() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../task/tests/vectors/signed-update-v1.json"
    );
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).expect("vector")).expect("vector json");
    let key: PrivateKeySigner = v["key"].as_str().expect("key").parse().expect("key");
    let chain_id = v["domain"]["chainId"].as_u64().expect("chainId");
    let mut evm = Evm::new();
    evm.set_chain_id(chain_id);
    let at = evm
        .deploy(
            key.address(),
            params().initcode(&fixture().compiled.registry.bytecode),
            "deploy",
        )
        .expect("deploy");
    let expected: Address = v["domain"]["verifyingContract"]
        .as_str()
        .expect("verifyingContract")
        .parse()
        .expect("address");
    assert_eq!(at, expected, "anvil's first deployment address");
    let hex32 = |k: &str| -> B256 { v["message"][k].as_str().expect(k).parse().expect("bytes32") };
    let m = UpdateCommitment {
        round: U256::from(v["message"]["round"].as_u64().expect("round")),
        prevModel: hex32("prevModel"),
        commitment: hex32("commitment"),
        weight: U256::from(v["message"]["weight"].as_u64().expect("weight")),
    };
    let digest: B256 = v["digest"]
        .as_str()
        .expect("digest")
        .parse()
        .expect("digest");
    assert_eq!(update_digest(&mut evm, at, &m), digest);

    let task = task_for(chain_id, at, &roster(), 1);
    assert_eq!(
        view_bytes32(&mut evm, at, "domainSeparator()", vec![]),
        domain(&task).separator()
    );
    let mut r = rng(0xd16e);
    for _ in 0..16 {
        let m = UpdateCommitment::of(r.gen(), &Commitment(r.gen()), &Commitment(r.gen()), r.gen());
        assert_eq!(update_digest(&mut evm, at, &m), signing_hash(&task, &m));
    }
    // A fork to another chain id: the domain follows block.chainid.
    evm.set_chain_id(chain_id + 1);
    let forked = task_for(chain_id + 1, at, &roster(), 1);
    assert_eq!(update_digest(&mut evm, at, &m), signing_hash(&forked, &m));
    assert_ne!(update_digest(&mut evm, at, &m), digest);
}

#[test]
fn every_signature_case_has_its_error() {
    let (mut chain, call1) = round_one();
    let f = fixture();
    let w = |i: usize| U256::from(f.round1.input.slots[i].weight);
    let key = |i: usize| client_keys()[i].address();
    let slot = |i: usize| U256::from(i);
    let n_order = U256::from_str_radix(
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        16,
    )
    .expect("n");
    // An r that is the x of no curve point: ecrecover finds no key (address 0).
    let no_point = (1u64..)
        .map(U256::from)
        .find(|x| {
            Signature::new(*x, U256::from(1), false)
                .recover_address_from_prehash(&B256::ZERO)
                .is_err()
        })
        .expect("some x is not on the curve");

    let edit = |change: &dyn Fn(&mut RoundCall)| {
        let mut c = call1.clone();
        change(&mut c);
        c
    };
    let cases: Vec<(&str, RoundCall, RevertReason)> = vec![
        (
            "no client on a weighted slot",
            edit(&|c| {
                c.clients[1] = Address::ZERO;
                sig(c, 1).fill(0);
            }),
            RevertReason::Unsigned {
                slot: slot(1),
                weight: w(1),
            },
        ),
        (
            "a client on an empty slot",
            edit(&|c| c.clients[6] = key(6)),
            RevertReason::SignedEmptySlot { slot: slot(6) },
        ),
        (
            "signature bytes on an empty slot",
            edit(&|c| sig(c, 7)[64] = 27),
            RevertReason::SignedEmptySlot { slot: slot(7) },
        ),
        (
            "unenrolled signer",
            edit(&|c| resign(c, 4, SLOTS, 4)),
            RevertReason::NotEnrolled {
                slot: slot(4),
                client: key(SLOTS),
            },
        ),
        (
            "roster index naming another enrolled client",
            edit(&|c| {
                let mut at = c.roster_indices();
                at[0] = at[1];
                c.roster_index = Some(at);
            }),
            RevertReason::NotEnrolled {
                slot: slot(0),
                client: key(0),
            },
        ),
        (
            "roster index past the roster",
            edit(&|c| {
                let mut at = c.roster_indices();
                at[3] = U256::from(1000);
                c.roster_index = Some(at);
            }),
            RevertReason::NotEnrolled {
                slot: slot(3),
                client: key(3),
            },
        ),
        (
            "roster index on an empty slot",
            edit(&|c| {
                let mut at = c.roster_indices();
                at[6] = U256::from(1);
                c.roster_index = Some(at);
            }),
            RevertReason::SignedEmptySlot { slot: slot(6) },
        ),
        (
            "v = 29",
            edit(&|c| sig(c, 0)[64] = 29),
            RevertReason::MalformedSignature { slot: slot(0) },
        ),
        (
            "v = 0 (EIP-2098 parity, not accepted)",
            edit(&|c| sig(c, 0)[64] = 0),
            RevertReason::MalformedSignature { slot: slot(0) },
        ),
        (
            "r = 0",
            edit(&|c| sig(c, 0)[..32].fill(0)),
            RevertReason::MalformedSignature { slot: slot(0) },
        ),
        (
            "r = n",
            edit(&|c| sig(c, 0)[..32].copy_from_slice(&n_order.to_be_bytes::<32>())),
            RevertReason::MalformedSignature { slot: slot(0) },
        ),
        (
            "s = n",
            edit(&|c| sig(c, 0)[32..64].copy_from_slice(&n_order.to_be_bytes::<32>())),
            RevertReason::MalformedSignature { slot: slot(0) },
        ),
        (
            "high-s twin",
            edit(&|c| {
                let s = U256::from_be_slice(&sig(c, 2)[32..64]);
                sig(c, 2)[32..64].copy_from_slice(&(n_order - s).to_be_bytes::<32>());
                sig(c, 2)[64] ^= 27 ^ 28;
            }),
            RevertReason::HighS { slot: slot(2) },
        ),
        (
            "slot 1's signature under slot 0's client",
            edit(&|c| {
                let s1 = sig(c, 1).to_vec();
                sig(c, 0).copy_from_slice(&s1);
            }),
            RevertReason::BadSignature {
                slot: slot(0),
                client: key(0),
            },
        ),
        (
            "a signature that recovers no key",
            edit(&|c| sig(c, 3)[..32].copy_from_slice(&no_point.to_be_bytes::<32>())),
            RevertReason::BadSignature {
                slot: slot(3),
                client: key(3),
            },
        ),
        (
            "weight changed after signing (proven with the new weight)",
            f.reweighted.clone(),
            RevertReason::BadSignature {
                slot: slot(0),
                client: key(0),
            },
        ),
        (
            "one client in two slots",
            edit(&|c| resign(c, 1, 0, 1)),
            RevertReason::DuplicateClient {
                first: slot(0),
                second: slot(1),
                client: key(0),
            },
        ),
        (
            "clients out of order",
            edit(&|c| {
                resign(c, 0, 1, 0);
                resign(c, 1, 0, 1);
            }),
            RevertReason::ClientsOutOfOrder {
                slot: slot(1),
                client: key(0),
                previous: key(1),
            },
        ),
        (
            "signatures one byte short",
            edit(&|c| {
                c.signatures.pop();
            }),
            RevertReason::ArrayLengthMismatch {
                field: U256::from(5),
                expected: U256::from(SIGNATURE_BYTES * SLOTS),
                got: U256::from(SIGNATURE_BYTES * SLOTS - 1),
            },
        ),
    ];
    for (name, bad, expected) in &cases {
        assert_eq!(
            &reason(submit(&mut chain, COORDINATOR, bad)),
            expected,
            "{name}"
        );
    }
    // Five signed slots, quorum raised to six.
    owner_tx(&mut chain, addr(OWNER), "setMinClients(uint256)", word(6)).expect("quorum 6");
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &call1)),
        RevertReason::BelowQuorum {
            clients: U256::from(5),
            min_clients: U256::from(6)
        }
    );
    owner_tx(&mut chain, addr(OWNER), "setMinClients(uint256)", word(5)).expect("quorum 5");
    assert_eq!(stored_commitment(&mut chain), genesis());
    submit(&mut chain, COORDINATOR, &call1).expect("the honest round at quorum 5");
}

#[test]
fn only_the_owner_enrolls_revokes_and_sets_the_quorum() {
    let mut chain = deploy();
    let owner = addr(OWNER);
    let outsider = client_keys()[SLOTS].address();
    let member = client_keys()[0].address();
    let a = DynSolValue::Address;
    let enrolled = |chain: &mut Chain, who: Address| {
        let out = chain
            .evm
            .call(
                addr(1),
                chain.registry,
                call("enrolled(address)", vec![a(who)]),
                "enrolled",
            )
            .expect("enrolled");
        U256::from_be_slice(&out.output) == U256::from(1)
    };
    assert!(enrolled(&mut chain, member) && !enrolled(&mut chain, outsider));
    assert_eq!(
        U256::from_be_slice(&view(&mut chain, "minClients()")),
        U256::from(QUORUM)
    );

    let list = DynSolValue::Array(vec![a(outsider)]);
    for (sig, arg) in [
        ("enroll(address)", a(outsider)),
        ("enrollMany(address[])", list.clone()),
        ("revoke(address)", a(member)),
        ("revokeMany(address[])", DynSolValue::Array(vec![a(member)])),
        ("setMinClients(uint256)", word(1)),
    ] {
        assert_eq!(
            reason(owner_tx(&mut chain, addr(COORDINATOR), sig, arg)),
            RevertReason::NotOwner {
                caller: addr(COORDINATOR)
            },
            "{sig}"
        );
    }
    assert_eq!(
        reason(owner_tx(
            &mut chain,
            owner,
            "enroll(address)",
            a(Address::ZERO)
        )),
        RevertReason::ZeroAddress
    );
    assert_eq!(
        reason(owner_tx(&mut chain, owner, "enroll(address)", a(member))),
        RevertReason::AlreadyEnrolled { client: member }
    );
    assert_eq!(
        reason(owner_tx(&mut chain, owner, "revoke(address)", a(outsider))),
        RevertReason::NotAClient { client: outsider }
    );
    for bad in [0, SLOTS as u64 + 1] {
        assert_eq!(
            reason(owner_tx(
                &mut chain,
                owner,
                "setMinClients(uint256)",
                word(bad)
            )),
            RevertReason::InvalidMinClients {
                value: U256::from(bad)
            }
        );
    }

    let topic = |sig: &str, who: Address, out: &CallOutcome| {
        out.logs.iter().any(|l| {
            l.topics()
                == [
                    alloy_primitives::keccak256(sig),
                    B256::left_padding_from(who.as_slice()),
                ]
        })
    };
    let out = owner_tx(&mut chain, owner, "enrollMany(address[])", list).expect("enroll");
    assert!(topic("ClientEnrolled(address)", outsider, &out));
    assert!(enrolled(&mut chain, outsider));
    let out = owner_tx(&mut chain, owner, "revoke(address)", a(outsider)).expect("revoke");
    assert!(topic("ClientRevoked(address)", outsider, &out));
    assert!(!enrolled(&mut chain, outsider));

    // The constructor refuses a quorum of 0 as well.
    let mut p = params();
    p.min_clients = 0;
    let err = Evm::new()
        .deploy(
            owner,
            p.initcode(&fixture().compiled.registry.bytecode),
            "deploy",
        )
        .expect_err("minClients 0");
    assert!(
        matches!(&err, ContractsError::Reverted { reason, .. }
            if **reason == RevertReason::InvalidMinClients { value: U256::ZERO }),
        "{err}"
    );
}

/// Revocation takes effect from the next round; re-enrolling restores the client.
#[test]
fn a_revoked_client_s_next_round_is_refused() {
    let f = fixture();
    let mut chain = deploy();
    submit(&mut chain, COORDINATOR, &f.call1).expect("round 1");
    let revoked = client_keys()[2].address();
    owner_tx(
        &mut chain,
        addr(OWNER),
        "revoke(address)",
        DynSolValue::Address(revoked),
    )
    .expect("revoke");
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &f.call2)),
        RevertReason::NotEnrolled {
            slot: U256::from(2),
            client: revoked
        }
    );
    owner_tx(
        &mut chain,
        addr(OWNER),
        "enroll(address)",
        DynSolValue::Address(revoked),
    )
    .expect("enroll again");
    submit(&mut chain, COORDINATOR, &f.call2).expect("round 2");
}

/// Execution gas of rounds 1 and 2 (n = 8, K = 3) on the registry of main b94f354, which
/// checked no signatures: `cargo test -p zkfl-contracts --test registry valid_rounds --
/// --nocapture` there (same fixed-seed proofs and public arrays; round 2 printed from
/// `measure_round_gas`). Round 1 pays the zero-to-nonzero write of `lastRound` (20,000 gas)
/// there, which this registry packs into an already-written slot, so round 2, the steady
/// state, is the fair comparison.
const UNSIGNED_EXEC_GAS: [u64; 2] = [506_795, 489_695];

/// Execution gas per signed slot over the unsigned round: issue 11's goal is 6,000. The
/// floor is ecrecover (3,000 and its call); per slot the rest is the EIP-712 digest, the
/// checks and the roster lookup, and per round the `rosterHash` read, the roster hash and
/// the client words of RoundAccepted, spread over the signed slots (docs/BENCHMARKS.md).
/// Pinned with a small margin so that a regression shows.
#[test]
fn signed_slot_gas() {
    let f = fixture();
    let mut chain = deploy();
    let mut per_slot = Vec::new();
    for (i, call) in [&f.call1, &f.call2].into_iter().enumerate() {
        let out = submit(&mut chain, COORDINATOR, call).expect("honest round");
        let signed = call.clients.iter().filter(|c| !c.is_zero()).count() as u64;
        let unsigned = UNSIGNED_EXEC_GAS[i];
        let slot = (out.exec_gas as i64 - unsigned as i64) / signed as i64;
        eprintln!(
            "submitRound {} (n = {SLOTS}, K = {K}, {signed} signed slots): exec gas {} against {unsigned} unsigned: {slot} per signed slot",
            i + 1,
            out.exec_gas
        );
        per_slot.push(slot);
    }
    assert!(per_slot[1] <= 6_000, "{} gas per signed slot", per_slot[1]);
}

/// The registry's roster: `rosterHash` is keccak256 of `roster()` as 32-byte words; a round
/// carrying any other list (stale, reordered, padded) is refused with `RosterMismatch`
/// before any signature is checked; `revoke` moves the last client into the gap; the round's
/// model-file digest reaches `RoundAccepted`.
#[test]
fn the_round_carries_the_registry_s_roster() {
    let f = fixture();
    let mut chain = deploy();
    let words = |list: &[Address]| -> B256 {
        let mut bytes = Vec::new();
        for a in list {
            bytes.extend(B256::left_padding_from(a.as_slice()).0);
        }
        alloy_primitives::keccak256(bytes)
    };
    let enrolled = chain
        .evm
        .roster(addr(OWNER), chain.registry)
        .expect("roster()");
    assert_eq!(enrolled, roster().clients, "enrolment order");
    let stored = view_bytes32(&mut chain.evm, chain.registry, "rosterHash()", vec![]);
    assert_eq!(stored, words(&enrolled));

    let mut reordered = enrolled.clone();
    reordered.swap(0, 1);
    let mut extra = enrolled.clone();
    extra.push(client_keys()[SLOTS].address());
    for (name, list) in [
        ("one client short", enrolled[1..].to_vec()),
        ("reordered", reordered),
        ("one client more", extra),
        ("empty", vec![]),
    ] {
        let mut call = f.call1.clone();
        call.roster = list.clone();
        assert_eq!(
            reason(submit_as_built(&mut chain, COORDINATOR, &call)),
            RevertReason::RosterMismatch {
                stored: stored.0,
                sent: words(&list).0
            },
            "{name}"
        );
    }

    let mut call = f.call1.clone();
    call.model_file = [7; 32];
    let out = submit(&mut chain, COORDINATOR, &call).expect("round 1");
    let event = out
        .logs
        .iter()
        .find_map(|l| zkfl_contracts::round::RoundAccepted::decode(SLOTS, l.topics(), &l.data.data))
        .expect("RoundAccepted");
    assert_eq!(event.model_file, [7; 32]);

    // Revoking the first client moves the last into its place, and the hash follows.
    owner_tx(
        &mut chain,
        addr(OWNER),
        "revoke(address)",
        DynSolValue::Address(enrolled[0]),
    )
    .expect("revoke");
    let after = chain
        .evm
        .roster(addr(OWNER), chain.registry)
        .expect("roster()");
    assert_eq!(after.len(), enrolled.len() - 1);
    assert_eq!(after[0], *enrolled.last().expect("non-empty"));
    assert_eq!(&after[1..], &enrolled[1..enrolled.len() - 1]);
    assert_eq!(
        view_bytes32(&mut chain.evm, chain.registry, "rosterHash()", vec![]),
        words(&after)
    );
}
