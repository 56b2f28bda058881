//! Client signatures (issue 11): the hostile-round corpus that the registry's tests also
//! run (zkfl_task::testing::Corpus), each case after an honest round 1, under
//! `verify_history_for_task`; and signed rounds without a task.

mod common;

use zkfl_task::{
    testing::{Corpus, Expected},
    Address, Fault,
};
use zkfl_verifier::{verify_history_for_task, Signatures, TaskRoster, VerifyError};

const CHAIN_ID: u64 = 31337;
/// Where Anvil's account 0 deploys its first contract.
const REGISTRY: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

fn corpus(key: &common::Key) -> Corpus {
    let registry: Address = REGISTRY.parse().expect("address");
    Corpus::build(
        common::shape(),
        common::D,
        CHAIN_ID,
        registry,
        &mut |round, t, genesis| common::prove(key, round, t, genesis),
    )
    .expect("corpus")
}

#[test]
fn every_hostile_round_gets_its_verdict_and_unsigned_rounds_say_so() {
    let key = common::setup(common::shape(), common::KEY_SEED);
    let c = corpus(&key);
    let task = Some(TaskRoster {
        task: &c.task,
        roster: &c.roster,
    });
    // Round 1 alone is valid, and its report lists the clients by slot.
    let r1 = verify_history_for_task(&key.vk, &key.header, std::slice::from_ref(&c.round1), task)
        .expect("honest round 1");
    assert_eq!(r1.rounds[0].signatures, Signatures::Checked);
    let addrs: Vec<_> = c.clients.iter().map(|k| k.address()).collect();
    assert_eq!(
        r1.rounds[0].clients,
        Some(vec![Some(addrs[0]), Some(addrs[1]), None])
    );

    assert!(c.cases.len() >= 11, "{} cases", c.cases.len());
    for case in &c.cases {
        let bundles = [c.round1.clone(), case.bundle.clone()];
        let got = verify_history_for_task(&key.vk, &key.header, &bundles, task);
        match (case.expected, got) {
            (Expected::Valid, Ok(report)) => {
                assert_eq!(report.rounds[1].signatures, Signatures::Checked);
            }
            (
                Expected::Invalid(fault),
                Err(VerifyError::Clients {
                    round: 2,
                    fault: got,
                    reason,
                }),
            ) => {
                assert_eq!(got, fault, "{}: {reason}", case.name);
                assert!(
                    reason.contains("slot")
                        || reason.contains("quorum")
                        || reason.contains("unsigned"),
                    "{}: {reason}",
                    case.name
                );
            }
            (want, got) => panic!("{}: expected {want:?}, got {got:?}", case.name),
        }
        // Without a task the proofs of every case hold: only the signatures tell.
        let plain = verify_history_for_task(&key.vk, &key.header, &bundles, None)
            .unwrap_or_else(|e| panic!("{}: proofs must verify: {e}", case.name));
        let expected = if case.bundle.clients.is_some() {
            Signatures::NotChecked
        } else {
            Signatures::Unsigned
        };
        assert_eq!(plain.rounds[1].signatures, expected, "{}", case.name);
        assert_eq!(plain.rounds[1].clients, None);
    }
}

#[test]
fn a_signed_bundle_must_have_one_readable_client_entry_per_slot() {
    let key = common::setup(common::shape(), common::KEY_SEED);
    let c = corpus(&key);
    let task = Some(TaskRoster {
        task: &c.task,
        roster: &c.roster,
    });
    let check = |b: &zkfl_verifier::RoundBundle, with_task| {
        verify_history_for_task(
            &key.vk,
            &key.header,
            std::slice::from_ref(b),
            if with_task { task } else { None },
        )
        .expect_err("refused")
    };
    // A missing entry is refused even without a task.
    let mut short = c.round1.clone();
    short.clients.as_mut().expect("signed").pop();
    assert!(matches!(check(&short, false), VerifyError::Length { .. }));
    // A /2 bundle without clients, and a /1 bundle with them.
    let mut none = c.round1.clone();
    none.clients = None;
    assert!(matches!(
        check(&none, false),
        VerifyError::Clients {
            fault: Fault::BundleClients,
            ..
        }
    ));
    let mut v1 = c.round1.clone();
    v1.format = zkfl_circuits::bundle::ROUND_FORMAT.into();
    assert!(matches!(
        check(&v1, false),
        VerifyError::Clients {
            fault: Fault::BundleClients,
            ..
        }
    ));
    // A checksummed (mixed-case) signer is another spelling of the same client: refused.
    let mut mixed = c.round1.clone();
    let entry = mixed.clients.as_mut().expect("signed")[0]
        .as_mut()
        .expect("slot 0 signed");
    entry.signer = c.clients[0].address().to_checksum(None);
    assert_ne!(entry.signer, entry.signer.to_lowercase());
    assert!(matches!(
        check(&mixed, true),
        VerifyError::Clients {
            fault: Fault::Encoding,
            ..
        }
    ));
}
