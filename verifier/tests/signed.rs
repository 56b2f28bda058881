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

/// The seeded key and the corpus proven under it, built once per test binary.
fn corpus() -> &'static (common::Key, Corpus) {
    static C: std::sync::OnceLock<(common::Key, Corpus)> = std::sync::OnceLock::new();
    C.get_or_init(|| {
        let key = common::setup(common::shape(), common::KEY_SEED);
        let registry: Address = REGISTRY.parse().expect("address");
        let corpus = Corpus::build(
            common::shape(),
            common::D,
            CHAIN_ID,
            registry,
            &mut |round, t, genesis| common::prove(&key, round, t, genesis),
        )
        .expect("corpus");
        (key, corpus)
    })
}

#[test]
fn every_hostile_round_gets_its_verdict_and_unsigned_rounds_say_so() {
    let (key, c) = corpus();
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
    let (key, c) = corpus();
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

#[test]
fn zkfl_verify_lists_the_clients_under_a_task_and_refuses_an_unsigned_round() {
    let (key, c) = corpus();
    let dir = tempfile::tempdir().expect("tempdir");
    let vk = common::write_key(dir.path(), key);
    let file = |name: &str, json: Vec<u8>| {
        let p = dir.path().join(name);
        std::fs::write(&p, json).expect("write");
        p.display().to_string()
    };
    let task = file("task.json", serde_json::to_vec(&c.task).expect("json"));
    let roster = file("roster.json", serde_json::to_vec(&c.roster).expect("json"));
    let rounds = dir.path().join("rounds");
    common::write_bundle(&rounds.join("1"), &c.round1);
    let honest = &c.cases[0];
    assert_eq!(honest.expected, Expected::Valid);
    common::write_bundle(&rounds.join("2"), &honest.bundle);
    let unsigned = dir.path().join("unsigned");
    let mut v1 = c.round1.clone();
    v1.format = zkfl_circuits::bundle::ROUND_FORMAT.into();
    v1.clients = None;
    common::write_bundle(&unsigned, &v1);

    let run = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_zkfl-verify"))
            .args(args)
            .output()
            .expect("run zkfl-verify");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        (
            o.status.code(),
            text,
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    let vk = vk.display().to_string();
    let r1 = rounds.join("1").display().to_string();
    let base = ["--allow-insecure-keys", "--vk", &vk];
    let signed = ["--task", &task, "--roster", &roster];

    let (code, out, _) = run(&[&["round"][..], &base, &signed, &[&r1]].concat());
    assert_eq!(code, Some(0), "{out}");
    for k in &c.clients[..2] {
        assert!(out.contains(&k.address().to_string()), "{out}");
    }
    assert!(out.contains("signatures checked"), "{out}");
    let (code, out, stdout) = run(&[&["--json", "round"][..], &base, &signed, &[&r1]].concat());
    assert_eq!(code, Some(0), "{out}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json on stdout");
    assert_eq!(json["report"]["signatures"], "checked");
    assert_eq!(json["report"]["clients"].as_array().map(Vec::len), Some(3));
    // Without a task: the proofs verify, and the output says the signatures were not checked.
    let (code, out, _) = run(&[&["round"][..], &base, &[&r1]].concat());
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("NOT checked"), "{out}");
    // An unsigned round under the task is invalid.
    let (code, out, _) = run(&[
        &["round"][..],
        &base,
        &signed,
        &[unsigned.to_str().expect("utf-8")],
    ]
    .concat());
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("INVALID") && out.contains("unsigned round"),
        "{out}"
    );
    // The history, signatures checked round by round.
    let (code, out, _) = run(&[
        &["history"][..],
        &base,
        &signed,
        &[rounds.to_str().expect("utf-8")],
    ]
    .concat());
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(out.matches("signatures checked").count(), 2, "{out}");
    // --task without --roster is a usage error.
    let (code, _, _) = run(&[&["round"][..], &base, &["--task", &task, &r1]].concat());
    assert_eq!(code, Some(2));
}
