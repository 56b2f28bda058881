//! One verdict everywhere (issue 12): one corpus of honest and hostile round bundles goes to
//! `zkfl-verify` (the library the binary runs: `verify_history` over the rounds already
//! accepted plus the candidate) and to the registry (the bundle encoded by `round_call`,
//! exactly what `zkfl submit` sends, then `submitRound` in revm after the same accepted
//! rounds). Both must accept or both must reject every bundle.
//!
//! Where the encoder refuses a bundle (its redundant copies disagree, or it holds what no
//! calldata can carry, such as x + r in a field element or floats that misstate the bounds),
//! nothing reaches the chain; the cases below say which side of the registry path rejects,
//! so that a regression that moves a rejection from the contract to the encoder (or drops
//! it) shows up. The contract's own handling of raw x + r calldata is tested in main.rs.

use alloy_primitives::U256;
use ark_ec::AffineRepr;
use zkfl_circuits::bundle::{proof_to_hex, RoundBundle};
use zkfl_contracts::bundle::round_call;
use zkfl_contracts::ContractsError;

use crate::common::{addr, r};
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

fn zkfl_verify(prefix: &[RoundBundle], b: &RoundBundle) -> Verdict {
    let f = fixture();
    let mut all = prefix.to_vec();
    all.push(b.clone());
    match zkfl_verifier::verify_history(&f.vk, &f.header, &all) {
        Ok(_) => Verdict::Accept,
        Err(e) => Verdict::Reject(format!("zkfl-verify: {e}")),
    }
}

fn registry(prefix: &[RoundBundle], b: &RoundBundle, caller: u8) -> Verdict {
    let mut chain = deploy();
    for p in prefix {
        let call = round_call(p).expect("accepted prefix encodes");
        submit(&mut chain, COORDINATOR, &call).expect("accepted prefix");
    }
    let call = match round_call(b) {
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
        let v = zkfl_verify(prefix, candidate);
        let g = registry(prefix, candidate, COORDINATOR);
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
    let stranger = registry(&[], &b1, OWNER);
    assert!(
        matches!(&stranger, Verdict::Reject(why) if why.contains(&format!("NotCoordinator({})", addr(OWNER)))),
        "{stranger:?}"
    );
    assert!(zkfl_verify(&[], &b1).accepted() && registry(&[], &b1, COORDINATOR).accepted());
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
