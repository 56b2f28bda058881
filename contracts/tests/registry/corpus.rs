//! Issue 11's hostile-round corpus (`zkfl_task::testing::Corpus`, the same bundles
//! verifier/tests/signed.rs gives `zkfl-verify`): each case goes, after the corpus' honest
//! round 1, to `zkfl-verify` (`verify_history_for_task`) and to the registry in revm (the
//! calldata `zkfl submit` sends, on a registry with the corpus' roster enrolled, its
//! revoked client enrolled and then revoked, and its quorum). Both must give the case's
//! verdict, and the registry must name the same fault.

use zkfl_contracts::bundle::round_call;
use zkfl_contracts::evm::Evm;
use zkfl_contracts::round::RegistryParams;
use zkfl_contracts::ContractsError;
use zkfl_task::testing::{Corpus, Expected};
use zkfl_task::Fault;
use zkfl_verifier::{verify_history_for_task, TaskRoster, VerifyError};

use crate::common::{addr, enroll};
use crate::fixture::*;

/// The registry's custom error for each off-chain fault.
fn revert_name(fault: Fault) -> &'static str {
    match fault {
        Fault::BadSignature => "BadSignature",
        Fault::HighS => "HighS",
        Fault::NotEnrolled => "NotEnrolled",
        Fault::DuplicateClient => "DuplicateClient",
        Fault::Quorum => "BelowQuorum",
        other => panic!("no corpus case expects {other:?}"),
    }
}

fn deploy_for(corpus: &Corpus) -> Chain {
    let f = fixture();
    let params = RegistryParams {
        min_clients: corpus.task.quorum.into(),
        ..params_for(&shape(), corpus.round1.model_commitment.0)
    };
    let mut initcode = f.compiled.registry.bytecode.clone();
    initcode.extend(params.constructor_args());
    let mut evm = Evm::new();
    let owner = addr(OWNER);
    let registry = evm
        .deploy(owner, initcode, "deploy registry")
        .expect("deploy registry");
    assert_eq!(
        registry,
        registry_address(),
        "the corpus signed for this address"
    );
    let mut enrolled = corpus.roster.clients.clone();
    enrolled.push(corpus.revoked);
    enroll(&mut evm, registry, owner, &enrolled);
    let revoke = zkfl_contracts::encode::function_calldata(
        "revoke(address)",
        vec![alloy_dyn_abi::DynSolValue::Address(corpus.revoked)],
    );
    evm.call(owner, registry, revoke, "revoke").expect("revoke");
    Chain { evm, registry }
}

#[test]
fn the_hostile_corpus_gets_one_verdict_from_zkfl_verify_and_the_registry() {
    let f = fixture();
    let mut seed = 9000;
    let corpus = Corpus::build(
        shape(),
        D,
        CHAIN_ID,
        registry_address(),
        &mut |round, t, _genesis| {
            seed += 10;
            prove_round_signed(
                &f.pk,
                &f.pvk,
                t,
                round,
                seed,
                vec![None; round.input.slots.len()],
            )
            .1
        },
    )
    .expect("corpus");
    let task = Some(TaskRoster {
        task: &corpus.task,
        roster: &corpus.roster,
    });
    assert!(corpus.cases.len() >= 11, "{} cases", corpus.cases.len());
    let mut failures = Vec::new();
    for case in &corpus.cases {
        let bundles = [corpus.round1.clone(), case.bundle.clone()];
        let off_chain = match verify_history_for_task(&f.vk, &f.header, &bundles, task) {
            Ok(_) => Expected::Valid,
            Err(VerifyError::Clients { fault, .. }) => Expected::Invalid(fault),
            Err(e) => panic!("{}: zkfl-verify failed for another reason: {e}", case.name),
        };

        let mut chain = deploy_for(&corpus);
        let on_roster = chain
            .evm
            .roster(addr(OWNER), chain.registry)
            .expect("roster()");
        let call1 = round_call(&corpus.round1, &on_roster).expect("round 1 encodes");
        submit(&mut chain, COORDINATOR, &call1).expect("honest round 1 accepted");
        let on_chain = match round_call(&case.bundle, &on_roster) {
            Err(e) => format!("encoder: {e}"),
            Ok(call) => match submit(&mut chain, COORDINATOR, &call) {
                Ok(_) => "accepted".to_string(),
                Err(ContractsError::Reverted { reason, .. }) => format!("contract: {reason}"),
                Err(e) => panic!("{}: {e}", case.name),
            },
        };
        println!(
            "{:<75} zkfl-verify {off_chain:?}, registry {on_chain}",
            case.name
        );
        let agree = match case.expected {
            Expected::Valid => off_chain == Expected::Valid && on_chain == "accepted",
            // An unsigned bundle carries no signatures to encode: refused before the chain
            // or by the contract, either way not accepted.
            Expected::Invalid(Fault::UnsignedRound) => {
                off_chain == case.expected && on_chain != "accepted"
            }
            Expected::Invalid(fault) => {
                off_chain == case.expected
                    && on_chain.starts_with(&format!("contract: {}", revert_name(fault)))
            }
        };
        if !agree {
            failures.push(format!(
                "{}: expected {:?}, zkfl-verify {off_chain:?}, registry {on_chain}",
                case.name, case.expected
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
