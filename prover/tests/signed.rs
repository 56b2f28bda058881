//! A signed round through the `zkfl` binary (issue 11): the genesis model committed up
//! front, each client signing its update with `zkfl commit --task`, `zkfl prove --signed`
//! writing a `zkfl-round/2` bundle the verifier accepts under the task, and every bad
//! record refused before proving, naming its file.

use std::{path::PathBuf, process::Command};

use zkfl_circuits::{
    bundle::{RoundBundle, SIGNED_ROUND_FORMAT},
    keys,
    tensors::{self, Layout, TensorSpec},
};
use zkfl_task::{testing::anvil_key, Address, Roster, SignedUpdate, Task};
use zkfl_verifier::{verify_history_for_task, Signatures, TaskRoster};

const D: usize = 40;
const WEIGHTS: [u64; 3] = [30, 50, 20];

struct Env {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Env {
    fn p(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
    fn s(&self, name: &str) -> String {
        self.p(name).display().to_string()
    }
}

fn zkfl(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zkfl"))
        .args(args)
        .env_remove("ZKFL_CLIENT_KEY")
        .envs(env.iter().copied())
        .output()
        .expect("run zkfl");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn wave(seed: f64, amp: f64) -> Vec<f64> {
    (0..D)
        .map(|i| (i as f64 * 0.7 + seed).sin() * amp)
        .collect()
}

/// Keys (4 slots × 16 params), the genesis model committed, three client updates and keys
/// (Anvil accounts 1..=3, enrolled) plus an outsider's key (account 4), a task of quorum 2.
fn setup_env() -> (Env, Task, Roster) {
    let tmp = tempfile::tempdir().unwrap();
    let env = Env {
        dir: tmp.path().to_path_buf(),
        _tmp: tmp,
    };
    let run = |args: &[&str]| {
        let (ok, out, err) = zkfl(args, &[]);
        assert!(ok, "{args:?}: {err}");
        out
    };
    run(&[
        "setup",
        "--slots",
        "4",
        "--chunk",
        "16",
        "--seed",
        "7",
        "--out",
        &env.s("keys"),
    ]);
    let layout = Layout {
        tensors: vec![TensorSpec::f32("b", &[8]), TensorSpec::f32("w", &[4, 8])],
    };
    tensors::write(&env.p("model.safetensors"), &layout, &wave(0.0, 0.8)).unwrap();
    let out = run(&[
        "commit",
        "--model",
        &env.s("model.safetensors"),
        "--params",
        &env.s("keys/params.json"),
        "--out",
        &format!("{}/", env.s("genesis")),
    ]);
    assert!(out.contains("--genesis-opening"), "{out}");
    for i in 0..4 {
        let key = anvil_key(i + 1);
        std::fs::write(
            env.p(&format!("k{i}.key")),
            format!("0x{}\n", hex::encode(key.to_bytes())),
        )
        .unwrap();
        tensors::write(
            &env.p(&format!("c{i}.safetensors")),
            &layout,
            &wave(i as f64 + 1.0, 0.02),
        )
        .unwrap();
    }
    let roster = Roster::new((1..=3).map(|i| anvil_key(i).address()).collect()).unwrap();
    let registry: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
        .parse()
        .unwrap();
    let task = Task::new("cli", 31337, registry, &roster, 2);
    std::fs::write(env.p("task.json"), serde_json::to_vec(&task).unwrap()).unwrap();
    std::fs::write(env.p("roster.json"), serde_json::to_vec(&roster).unwrap()).unwrap();
    (env, task, roster)
}

/// `zkfl commit --task` of client `i`'s update as `out`, signed with key file `key`.
fn commit_signed(
    env: &Env,
    i: usize,
    out: &str,
    round: &str,
    prev: &str,
    extra: &[&str],
) -> (bool, String, String) {
    let mut args = vec![
        "commit".to_string(),
        "--update".into(),
        env.s(&format!("c{i}.safetensors")),
        "--params".into(),
        env.s("keys/params.json"),
        "--out".into(),
        env.s(out),
        "--task".into(),
        env.s("task.json"),
        "--round".into(),
        round.into(),
        "--prev-model".into(),
        prev.into(),
        "--weight".into(),
        WEIGHTS[i].to_string(),
        "--client-key-file".into(),
        env.s(&format!("k{i}.key")),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    zkfl(&args.iter().map(String::as_str).collect::<Vec<_>>(), &[])
}

/// `zkfl prove --task` of round 1 from the given (update, signed record) pairs.
fn prove(
    env: &Env,
    out: &str,
    clients: &[(usize, &str)],
    extra: &[&str],
) -> (bool, String, String) {
    let mut args: Vec<String> = [
        "prove",
        "--keys",
        &env.s("keys"),
        "--round",
        "1",
        "--model",
        &env.s("model.safetensors"),
        "--genesis-opening",
        &env.s("genesis/model.opening.json"),
        "--linf",
        "0.025",
        "--l2",
        "0.5",
        "--task",
        &env.s("task.json"),
        "--roster",
        &env.s("roster.json"),
        "--out",
        &env.s(out),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (i, record) in clients {
        args.extend([
            "--update".into(),
            env.s(&format!("c{i}.safetensors")),
            "--opening".into(),
            env.s(&format!("c{i}.opening.json")),
            "--signed".into(),
            env.s(record),
        ]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    zkfl(&args.iter().map(String::as_str).collect::<Vec<_>>(), &[])
}

#[test]
fn clients_sign_the_coordinator_proves_a_signed_round_and_bad_records_are_refused() {
    let (env, task, roster) = setup_env();
    for i in 0..3 {
        let (ok, out, err) = commit_signed(
            &env,
            i,
            &format!("c{i}.commit.json"),
            "1",
            &env.s("genesis"),
            &["--roster", &env.s("roster.json")],
        );
        assert!(ok, "{err}");
        assert!(
            out.contains("signed by") && out.contains(&format!("c{i}.signed.json")),
            "{out}"
        );
    }
    // The key may come from the environment instead; an outsider's key is refused when the
    // roster is given, and signs without it (the coordinator must then refuse the record).
    let key3 = std::fs::read_to_string(env.p("k3.key")).unwrap();
    let base = [
        "commit",
        "--update",
        &env.s("c0.safetensors"),
        "--params",
        &env.s("keys/params.json"),
        "--task",
        &env.s("task.json"),
        "--round",
        "1",
        "--prev-model",
        &env.s("genesis"),
        "--weight",
        "30",
    ];
    fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        [base, extra].concat()
    }
    let (ok, _, err) = zkfl(
        &with(
            &base,
            &[
                "--out",
                &env.s("o1.commit.json"),
                "--roster",
                &env.s("roster.json"),
            ],
        ),
        &[("ZKFL_CLIENT_KEY", key3.trim())],
    );
    assert!(!ok && err.contains("not enrolled"), "{err}");
    let (ok, _, err) = zkfl(
        &with(&base, &["--out", &env.s("o2.commit.json")]),
        &[("ZKFL_CLIENT_KEY", key3.trim())],
    );
    assert!(ok, "{err}");
    let (ok, _, err) = zkfl(&with(&base, &["--out", &env.s("o3.commit.json")]), &[]);
    assert!(!ok && err.contains("ZKFL_CLIENT_KEY"), "{err}");
    // Unsigned commits stay possible, and say so.
    let (ok, out, err) = zkfl(
        &[
            "commit",
            "--update",
            &env.s("c0.safetensors"),
            "--params",
            &env.s("keys/params.json"),
            "--out",
            &env.s("u.commit.json"),
        ],
        &[],
    );
    assert!(ok && out.contains("unsigned: for local runs"), "{out}{err}");

    // Bad records, each refused before proving, naming the file.
    let (ok, _, err) = commit_signed(&env, 1, "r2.commit.json", "2", &env.s("genesis"), &[]);
    assert!(ok, "{err}");
    let (ok, _, err) = commit_signed(
        &env,
        1,
        "pm.commit.json",
        "1",
        &format!("0x{}", "11".repeat(32)),
        &[],
    );
    assert!(ok, "{err}");
    let tampered = env.p("tampered.signed.json");
    let mut rec: SignedUpdate =
        serde_json::from_slice(&std::fs::read(env.p("c1.signed.json")).unwrap()).unwrap();
    rec.weight += 1;
    std::fs::write(&tampered, serde_json::to_vec(&rec).unwrap()).unwrap();
    /// (update, signed record) pairs, extra flags, the file to be named, why.
    type BadCase<'a> = (&'a [(usize, &'a str)], &'a [&'a str], &'a str, &'a str);
    let bad: [BadCase<'_>; 6] = [
        (
            &[(0, "c0.signed.json"), (1, "r2.signed.json")],
            &[],
            "r2.signed.json",
            "round 2",
        ),
        (
            &[(0, "c0.signed.json"), (1, "pm.signed.json")],
            &[],
            "pm.signed.json",
            "signed after model",
        ),
        (
            &[(0, "c0.signed.json"), (1, "tampered.signed.json")],
            &[],
            "tampered.signed.json",
            "does not sign",
        ),
        (
            &[(0, "c1.signed.json"), (1, "c0.signed.json")],
            &[],
            "c1.signed.json",
            "opening",
        ),
        (
            &[(0, "o2.signed.json"), (1, "c1.signed.json")],
            &[],
            "o2.signed.json",
            "not an enrolled client",
        ),
        (
            &[(0, "c0.signed.json"), (1, "c1.signed.json")],
            &["--weight", "30", "--weight", "51"],
            "c1.signed.json",
            "--weight says 51",
        ),
    ];
    for (clients, extra, file, why) in bad {
        let (ok, _, err) = prove(&env, "bad", clients, extra);
        assert!(!ok, "{file}: proved");
        assert!(err.contains(file) && err.contains(why), "{file}: {err}");
        assert!(!env.p("bad").exists());
    }
    // Below quorum: one client only (the rule every verifier applies, before proving).
    let (ok, _, err) = prove(&env, "bad", &[(0, "c0.signed.json")], &[]);
    assert!(!ok && err.contains("quorum"), "{err}");

    // The honest round, clients given out of address order: slots follow the signers.
    let (ok, out, err) = prove(
        &env,
        "round-1",
        &[
            (2, "c2.signed.json"),
            (0, "c0.signed.json"),
            (1, "c1.signed.json"),
        ],
        &["--json"],
    );
    assert!(ok, "{err}");
    assert!(out.contains(SIGNED_ROUND_FORMAT), "{out}");
    let bundle: RoundBundle =
        serde_json::from_slice(&std::fs::read(env.p("round-1/round.json")).unwrap()).unwrap();
    assert_eq!(bundle.format, SIGNED_ROUND_FORMAT);
    assert!(
        bundle.genesis,
        "round 1 from the genesis opening is the genesis round"
    );
    let (_, genesis) = std::fs::read_to_string(env.p("genesis/model.commit.json"))
        .map(|s| ((), serde_json::from_str::<serde_json::Value>(&s).unwrap()))
        .unwrap();
    assert_eq!(
        genesis["commitment"],
        serde_json::json!(bundle.model_commitment.to_string())
    );
    let (header, vk) = keys::read_vk(&env.p("keys/vk.bin")).unwrap();
    let report = verify_history_for_task(
        &vk,
        &header,
        std::slice::from_ref(&bundle),
        Some(TaskRoster {
            task: &task,
            roster: &roster,
        }),
    )
    .expect("the signed round verifies");
    let mut signers: Vec<_> = (1..=3).map(|i| anvil_key(i).address()).collect();
    signers.sort();
    let r = &report.rounds[0];
    assert_eq!(r.signatures, Signatures::Checked);
    assert_eq!(
        r.clients,
        Some(vec![
            Some(signers[0]),
            Some(signers[1]),
            Some(signers[2]),
            None
        ])
    );
    // Each slot's weight is the one its client signed.
    for (slot, signer) in signers.iter().enumerate() {
        let i = (1..=3)
            .position(|k| anvil_key(k).address() == *signer)
            .unwrap();
        assert_eq!(bundle.weights[slot], WEIGHTS[i]);
    }
}
