//! One verdict everywhere (issues 11 and 12): one corpus of honest and hostile round bundles
//! goes to `zkfl-verify` (the library the binary runs: `verify_history` over the rounds
//! already accepted plus the candidate, and `zkfl_task::check_round` on the candidate's
//! signatures under the task and roster) and to the registry (the bundle encoded by
//! `round_call`, exactly what `zkfl submit` sends, then `submitRound` in revm after the same
//! accepted rounds, with the same roster enrolled and quorum set). Both must accept or both
//! must reject every bundle.
//!
//! Where the encoder refuses a bundle (its redundant copies disagree, or it holds what no
//! calldata can carry, such as x + r in a field element or floats that misstate the bounds),
//! nothing reaches the chain; the cases below say which side of the registry path rejects,
//! so that a regression that moves a rejection from the contract to the encoder (or drops
//! it) shows up. The contract's own handling of raw x + r calldata is tested in main.rs.

use alloy_dyn_abi::DynSolValue;
use alloy_primitives::{Address, U256};
use ark_ec::AffineRepr;
use zkfl_circuits::bundle::{proof_to_hex, ClientSignature, RoundBundle, ROUND_FORMAT};
use zkfl_contracts::bundle::round_call;
use zkfl_contracts::encode::function_calldata;
use zkfl_contracts::ContractsError;
use zkfl_task::{check_round, Roster, SlotClaim, SlotSignature, Task};

use crate::common::{addr, client_keys, client_signature, r, sign_slot, task_for, SLOTS};
use crate::fixture::*;

#[derive(Debug, PartialEq)]
enum Verdict {
    Accept,
    /// Rejected by zkfl-verify, by the encoder, or by the contract (with its error).
    Reject(String),
}

impl Verdict {
    fn accepted(&self) -> bool {
        *self == Verdict::Accept
    }
}

/// What the task and the registry hold besides the rounds: the quorum, and the clients
/// revoked since enrollment (off-chain: dropped from the roster; on-chain: `revoke`).
#[derive(Clone, Default)]
struct Setup {
    quorum: Option<u32>,
    revoked: Vec<Address>,
}

impl Setup {
    fn task_and_roster(&self) -> (Task, Roster) {
        let mut clients = roster().clients;
        clients.retain(|c| !self.revoked.contains(c));
        let roster = Roster::new(clients).expect("roster");
        let task = task_for(
            CHAIN_ID,
            registry_address(),
            &roster,
            self.quorum.unwrap_or(QUORUM),
        );
        (task, roster)
    }
}

/// The bundle's proofs as zkfl-verify on this branch reads them (`zkfl-round/1`): the
/// signatures are checked by `zkfl_task::check_round` below.
fn proof_part(b: &RoundBundle) -> RoundBundle {
    RoundBundle {
        format: ROUND_FORMAT.into(),
        clients: None,
        ..b.clone()
    }
}

/// `zkfl_task::check_round` on a signed bundle's slots.
fn signatures(setup: &Setup, b: &RoundBundle) -> Result<(), String> {
    let (task, roster) = setup.task_and_roster();
    let clients = b.clients.as_ref().ok_or("unsigned bundle")?;
    let sigs = clients
        .iter()
        .map(|c| {
            c.as_ref()
                .map(|ClientSignature { signer, signature }| {
                    Ok(SlotSignature {
                        signer: signer
                            .parse()
                            .map_err(|e| format!("signer {signer}: {e}"))?,
                        signature: signature.clone(),
                    })
                })
                .transpose()
        })
        .collect::<Result<Vec<_>, String>>()?;
    if sigs.len() != b.weights.len() || b.update_commitments.len() != b.weights.len() {
        return Err("client, weight and commitment counts differ".into());
    }
    let claims: Vec<SlotClaim<'_>> = (0..b.weights.len())
        .map(|i| SlotClaim {
            weight: b.weights[i],
            commitment: b.update_commitments[i],
            signature: sigs[i].as_ref(),
        })
        .collect();
    check_round(&task, &roster, b.round, &b.model_commitment, &claims)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn zkfl_verify(setup: &Setup, prefix: &[RoundBundle], b: &RoundBundle) -> Verdict {
    let f = fixture();
    let mut all: Vec<RoundBundle> = prefix.iter().map(proof_part).collect();
    all.push(proof_part(b));
    if let Err(e) = zkfl_verifier::verify_history(&f.vk, &f.header, &all) {
        return Verdict::Reject(format!("zkfl-verify: {e}"));
    }
    match signatures(setup, b) {
        Ok(()) => Verdict::Accept,
        Err(e) => Verdict::Reject(format!("zkfl-verify: {e}")),
    }
}

fn registry(setup: &Setup, prefix: &[RoundBundle], b: &RoundBundle, caller: u8) -> Verdict {
    let mut chain = deploy();
    let owner = addr(OWNER);
    for c in &setup.revoked {
        let data = function_calldata("revoke(address)", vec![DynSolValue::Address(*c)]);
        chain
            .evm
            .call(owner, chain.registry, data, "revoke")
            .expect("revoke");
    }
    if let Some(q) = setup.quorum {
        let data = function_calldata(
            "setMinClients(uint256)",
            vec![DynSolValue::Uint(U256::from(q), 256)],
        );
        chain
            .evm
            .call(owner, chain.registry, data, "setMinClients")
            .expect("setMinClients");
    }
    let on_roster = chain.evm.roster(owner, chain.registry).expect("roster()");
    for p in prefix {
        let call = round_call(p, &on_roster).expect("accepted prefix encodes");
        submit(&mut chain, COORDINATOR, &call).expect("accepted prefix");
    }
    let call = match round_call(b, &on_roster) {
        Ok(c) => c,
        Err(e) => return Verdict::Reject(format!("encoder: {e}")),
    };
    let before = stored_commitment(&mut chain);
    match submit(&mut chain, caller, &call) {
        Ok(_) => {
            assert_eq!(stored_commitment(&mut chain), b.new_model_commitment.0);
            Verdict::Accept
        }
        Err(ContractsError::Reverted { reason, .. }) => {
            assert_eq!(
                stored_commitment(&mut chain),
                before,
                "a revert changes nothing"
            );
            Verdict::Reject(format!("contract: {reason}"))
        }
        Err(e) => panic!("{e}"),
    }
}

/// `x + r` as a decimal string.
fn plus_r(x: &str) -> String {
    (U256::from_str_radix(x, 10).expect("decimal") + r()).to_string()
}

/// Slot `slot` of `b` signed by test client `key` over `(round, prev, update, weight)` under
/// `task` instead.
fn resign(
    b: &RoundBundle,
    slot: usize,
    key: usize,
    task: &Task,
    round: u64,
    update: zkfl_circuits::Commitment,
    weight: u64,
) -> RoundBundle {
    let mut x = b.clone();
    let c = sign_slot(
        task,
        &client_keys()[key],
        round,
        b.model_commitment,
        update,
        weight,
    );
    x.clients.as_mut().expect("signed bundle")[slot] = Some(client_signature(&c));
    x
}

/// The high-s twin of a 65-byte r ‖ s ‖ v hex signature: s' = n − s, v flipped.
fn high_s_twin(sig: &str) -> String {
    let n = U256::from_str_radix(
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        16,
    )
    .expect("n");
    let mut bytes = hex::decode(&sig[2..]).expect("hex");
    let s = U256::from_be_slice(&bytes[32..64]);
    bytes[32..64].copy_from_slice(&(n - s).to_be_bytes::<32>());
    bytes[64] = if bytes[64] == 27 { 28 } else { 27 };
    format!("0x{}", hex::encode(bytes))
}

/// (name, setup, accepted rounds, candidate, expected verdict, the registry's error)
type SignedCase = (
    &'static str,
    Setup,
    Vec<RoundBundle>,
    RoundBundle,
    bool,
    String,
);

/// The 10 hostile rounds of issue 11: each goes to zkfl-verify (proofs and
/// `zkfl_task::check_round`) and to the registry, which must give the same verdict, and
/// the registry must refuse each with the custom error of its case.
#[test]
fn signed_rounds_get_one_verdict() {
    let f = fixture();
    let b1 = f.bundles.round1.clone();
    let b2 = f.bundles.round2.clone();
    let task = task();
    let other_registry = task_for(CHAIN_ID, addr(0x77), &roster(), QUORUM);
    let other_chain = task_for(CHAIN_ID + 1, registry_address(), &roster(), QUORUM);
    let w = |b: &RoundBundle, i: usize| b.weights[i];
    let outsider = client_keys()[SLOTS].address();
    let revoked = client_keys()[2].address();
    let signer = |i: usize| format!("{}", client_keys()[i].address());
    let mut high_s = b1.clone();
    {
        let c = high_s.clients.as_mut().expect("signed")[1]
            .as_mut()
            .expect("slot 1 signed");
        c.signature = high_s_twin(&c.signature);
    }
    let none = Setup::default();
    // (name, setup, accepted rounds, candidate, expected verdict, the registry's error)
    let cases: Vec<SignedCase> = vec![
        (
            "honest round 1",
            none.clone(),
            vec![],
            b1.clone(),
            true,
            String::new(),
        ),
        (
            "honest round 2",
            none.clone(),
            vec![b1.clone()],
            b2.clone(),
            true,
            String::new(),
        ),
        (
            "substituted update (slot 0 signed another commitment)",
            none.clone(),
            vec![],
            resign(&b1, 0, 0, &task, 1, b2.update_commitments[0], w(&b1, 0)),
            false,
            format!("BadSignature(slot 0, {})", signer(0)),
        ),
        (
            "signature replayed from round 1 in round 2",
            none.clone(),
            vec![b1.clone()],
            {
                let mut x = b2.clone();
                x.clients.as_mut().expect("signed")[0] =
                    b1.clients.as_ref().expect("signed")[0].clone();
                x
            },
            false,
            format!("BadSignature(slot 0, {})", signer(0)),
        ),
        (
            "signed for another registry",
            none.clone(),
            vec![],
            resign(
                &b1,
                3,
                3,
                &other_registry,
                1,
                b1.update_commitments[3],
                w(&b1, 3),
            ),
            false,
            format!("BadSignature(slot 3, {})", signer(3)),
        ),
        (
            "signed for another chain id",
            none.clone(),
            vec![],
            resign(
                &b1,
                3,
                3,
                &other_chain,
                1,
                b1.update_commitments[3],
                w(&b1, 3),
            ),
            false,
            format!("BadSignature(slot 3, {})", signer(3)),
        ),
        (
            "unenrolled signer",
            none.clone(),
            vec![],
            resign(&b1, 4, SLOTS, &task, 1, b1.update_commitments[4], w(&b1, 4)),
            false,
            format!("NotEnrolled(slot 4, {outsider})"),
        ),
        (
            "revoked signer",
            Setup {
                revoked: vec![revoked],
                ..Setup::default()
            },
            vec![],
            b1.clone(),
            false,
            format!("NotEnrolled(slot 2, {revoked})"),
        ),
        (
            "same client in two slots",
            none.clone(),
            vec![],
            resign(&b1, 1, 0, &task, 1, b1.update_commitments[1], w(&b1, 1)),
            false,
            format!("DuplicateClient(slots 0 and 1, {})", signer(0)),
        ),
        (
            "weight changed after signing (proven with the new weight)",
            none.clone(),
            vec![],
            f.bundles.reweighted.clone(),
            false,
            format!("BadSignature(slot 0, {})", signer(0)),
        ),
        (
            "high-s twin of a valid signature",
            none.clone(),
            vec![],
            high_s,
            false,
            "HighS(slot 1)".into(),
        ),
        (
            "fewer clients than the quorum",
            Setup {
                quorum: Some(6),
                ..Setup::default()
            },
            vec![],
            b1.clone(),
            false,
            "BelowQuorum(5 signed clients, minClients 6)".into(),
        ),
    ];
    let mut failures = Vec::new();
    for (name, setup, prefix, candidate, expected, error) in &cases {
        let v = zkfl_verify(setup, prefix, candidate);
        let g = registry(setup, prefix, candidate, COORDINATOR);
        eprintln!(
            "{name:<58} zkfl-verify {:<6} registry {:<6} {}",
            word(&v),
            word(&g),
            detail(&v, &g)
        );
        if v.accepted() != *expected || g.accepted() != *expected {
            failures.push(format!("{name}: zkfl-verify {v:?}, registry {g:?}"));
        }
        if let Verdict::Reject(why) = &g {
            if !why.starts_with(&format!("contract: {error}")) {
                failures.push(format!(
                    "{name}: expected the contract's {error}, got {why}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn zkfl_verify_and_the_registry_give_one_verdict() {
    let f = fixture();
    let b = &f.bundles;
    let b1 = b.round1.clone();
    let edit = |change: &dyn Fn(&mut RoundBundle)| {
        let mut x = b1.clone();
        change(&mut x);
        x
    };
    let none = Setup::default();
    // (name, accepted rounds, candidate, expected verdict, the registry side that rejects)
    let cases: Vec<(&str, Vec<RoundBundle>, RoundBundle, bool, &str)> = vec![
        ("honest round 1", vec![], b1.clone(), true, ""),
        (
            "honest round 2",
            vec![b1.clone()],
            b.round2.clone(),
            true,
            "",
        ),
        (
            "x + r in a public input",
            vec![],
            edit(&|x| x.chunks[1].public_inputs[4 + 8] = plus_r(&x.chunks[1].public_inputs[4 + 8])),
            false,
            "encoder",
        ),
        (
            "flipped proof (A negated: a valid point, a false proof)",
            vec![],
            edit(&|x| {
                let mut p = x.chunks[0].proof(0).expect("proof");
                p.a = (-p.a.into_group()).into();
                x.chunks[0].proof = proof_to_hex(&p);
            }),
            false,
            "contract",
        ),
        (
            "swapped chunks",
            vec![],
            edit(&|x| x.chunks.swap(0, 1)),
            false,
            "encoder",
        ),
        (
            "swapped chunk proofs only",
            vec![],
            edit(&|x| {
                let p0 = x.chunks[0].proof.clone();
                x.chunks[0].proof = std::mem::replace(&mut x.chunks[1].proof, p0);
            }),
            false,
            "contract",
        ),
        (
            "weight-0 slot carrying a real update",
            vec![],
            b.zero_weight.clone(),
            false,
            "contract",
        ),
        (
            "edited float bounds",
            vec![],
            edit(&|x| x.bounds.linf_float *= 2.0),
            false,
            "encoder",
        ),
        // Its floats state B₂ = 2^32 units, which the encoder refuses as out of range; the
        // contract's own BoundOutOfRange for it is tested in main.rs.
        (
            "B₂² = 2^Nb with valid proofs",
            vec![],
            b.wide_norm.clone(),
            false,
            "encoder",
        ),
        (
            "weight raised after proving (field and every chunk's input)",
            vec![],
            edit(&|x| {
                x.weights[0] += 1;
                for c in &mut x.chunks {
                    c.public_inputs[3] = x.weights[0].to_string();
                }
            }),
            false,
            "contract",
        ),
        (
            "replayed round",
            vec![b1.clone()],
            b1.clone(),
            false,
            "contract",
        ),
    ];
    let mut failures = Vec::new();
    for (name, prefix, candidate, expected, side) in &cases {
        let v = zkfl_verify(&none, prefix, candidate);
        let g = registry(&none, prefix, candidate, COORDINATOR);
        eprintln!(
            "{name:<58} zkfl-verify {:<6} registry {:<6} {}",
            word(&v),
            word(&g),
            detail(&v, &g)
        );
        if v.accepted() != *expected || g.accepted() != *expected {
            failures.push(format!("{name}: zkfl-verify {v:?}, registry {g:?}"));
        }
        if let Verdict::Reject(why) = &g {
            if !why.starts_with(side) {
                failures.push(format!("{name}: expected the {side} to reject, got {why}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");

    // Who sends a bundle is not part of it: the registry refuses a submission by anyone but
    // the coordinator and changes nothing, then accepts the same bundle from the coordinator,
    // which is zkfl-verify's verdict on it.
    let stranger = registry(&none, &[], &b1, OWNER);
    assert!(
        matches!(&stranger, Verdict::Reject(why) if why.contains(&format!("NotCoordinator({})", addr(OWNER)))),
        "{stranger:?}"
    );
    assert!(
        zkfl_verify(&none, &[], &b1).accepted()
            && registry(&none, &[], &b1, COORDINATOR).accepted()
    );

    // An unsigned bundle never reaches the chain: the encoder refuses it.
    let unsigned = registry(&none, &[], &proof_part(&b1), COORDINATOR);
    assert!(
        matches!(&unsigned, Verdict::Reject(why) if why.starts_with("encoder") && why.contains("unsigned")),
        "{unsigned:?}"
    );
}

fn word(v: &Verdict) -> &'static str {
    if v.accepted() {
        "ACCEPT"
    } else {
        "reject"
    }
}

fn detail(a: &Verdict, b: &Verdict) -> String {
    match (a, b) {
        (Verdict::Reject(x), Verdict::Reject(y)) => format!("[{x}] [{y}]"),
        (Verdict::Reject(x), _) | (_, Verdict::Reject(x)) => format!("[{x}]"),
        _ => String::new(),
    }
}
