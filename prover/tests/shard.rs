//! Sharded proving through the `zkfl` binary (issue 14): a round prepared once, proven by
//! 1, 2 and 4 independent tasks, and assembled, verifies exactly like a round proven in one
//! run; resubmitted tasks resume; `zkfl assemble` names every missing, duplicate, foreign
//! and invalid chunk.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use serde_json::Value;
use zkfl_circuits::tensors::{self, Layout, TensorSpec};

/// 5 chunks of 8 at d = 40.
const D: usize = 40;

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

fn zkfl(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zkfl"))
        .args(args)
        // A task's defaults must not come from the machine running the tests.
        .env_remove("SLURM_CPUS_PER_TASK")
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .output()
        .expect("run zkfl");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn ok(args: &[&str]) -> String {
    let (code, out, err) = zkfl(args);
    assert_eq!(code, 0, "zkfl {args:?}: {err}");
    out
}

fn wave(seed: f64, amp: f64) -> Vec<f64> {
    (0..D)
        .map(|i| (i as f64 * 0.7 + seed).sin() * amp)
        .collect()
}

/// Keys for 2 slots × 8 params, a genesis commitment (so M_t's commitment is fixed and a
/// single run and a sharded run of the round can be compared), and 2 committed clients.
fn setup_env() -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let env = Env {
        dir: tmp.path().to_path_buf(),
        _tmp: tmp,
    };
    ok(&[
        "setup",
        "--slots",
        "2",
        "--chunk",
        "8",
        "--seed",
        "7",
        "--out",
        &env.s("keys"),
    ]);
    let layout = Layout {
        tensors: vec![TensorSpec::f32("b", &[8]), TensorSpec::f32("w", &[4, 8])],
    };
    tensors::write(&env.p("model.safetensors"), &layout, &wave(0.0, 0.8)).unwrap();
    ok(&[
        "commit",
        "--model",
        &env.s("model.safetensors"),
        "--params",
        &env.s("keys/params.json"),
        "--out",
        &format!("{}/", env.s("genesis")),
    ]);
    for i in 0..2 {
        let f = format!("c{i}.safetensors");
        tensors::write(&env.p(&f), &layout, &wave(i as f64 + 1.0, 0.02)).unwrap();
        ok(&[
            "commit",
            "--update",
            &env.s(&f),
            "--params",
            &env.s("keys/params.json"),
            "--out",
            &env.s(&format!("c{i}.commit.json")),
        ]);
    }
    env
}

/// `zkfl prove` of round 1 into `out`, plus `extra` flags.
fn prove(env: &Env, out: &str, extra: &[&str]) -> String {
    let mut a = vec![
        "prove".to_string(),
        "--keys".into(),
        env.s("keys"),
        "--round".into(),
        "1".into(),
        "--model".into(),
        env.s("model.safetensors"),
        "--genesis-opening".into(),
        env.s("genesis/model.opening.json"),
        "--linf".into(),
        "0.025".into(),
        "--l2".into(),
        "0.5".into(),
        "--out".into(),
        env.s(out),
    ];
    for (i, w) in ["3", "1"].iter().enumerate() {
        a.extend([
            "--update".into(),
            env.s(&format!("c{i}.safetensors")),
            "--opening".into(),
            env.s(&format!("c{i}.opening.json")),
            "--weight".into(),
            w.to_string(),
        ]);
    }
    a.extend(extra.iter().map(|s| s.to_string()));
    ok(&a.iter().map(String::as_str).collect::<Vec<_>>())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn task(env: &Env, plan: &str, sel: &[&str]) -> Value {
    let keys = env.s("keys");
    let plan = env.s(plan);
    let mut a = vec!["prove", "--keys", &keys];
    a.extend(["--plan", &plan, "--threads", "1", "--json"]);
    a.extend(sel);
    serde_json::from_str(&ok(&a)).unwrap()
}

fn assemble(env: &Env, plan: &str, out: &str) -> (i32, String, String) {
    zkfl(&[
        "assemble",
        &env.s(plan),
        "--keys",
        &env.s("keys"),
        "--out",
        &env.s(out),
    ])
}

/// `zkfl verify round --json`'s report, which must say valid.
fn verify(env: &Env, round: &str) -> Value {
    let (code, out, err) = zkfl(&[
        "verify",
        "--json",
        "round",
        "--vk",
        &env.s("keys/vk.bin"),
        "--allow-insecure-keys",
        &env.s(round),
    ]);
    assert_eq!(code, 0, "{round}: {out} {err}");
    let mut v: Value = serde_json::from_str(&out).unwrap();
    // The model file beside round.json was checked; where it lives differs per directory.
    let file = v["report"]["model_file"]["file"].take();
    assert!(
        file.as_str().unwrap().ends_with("/model.safetensors"),
        "{round}: {out}"
    );
    v
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A round.json with what differs between two provings of one statement (the proofs, which
/// are randomised) blanked; with `salts`, also what the fresh new-model and accumulator
/// salts of another preparation change.
fn statement_of(bundle: &Value, salts: bool) -> Value {
    let mut b = bundle.clone();
    let chunks = b["chunks"].as_array_mut().unwrap();
    for c in chunks {
        c["proof"] = Value::Null;
        if salts {
            c["public_inputs"] = Value::Null;
        }
    }
    if salts {
        b["new_model_commitment"] = Value::Null;
    }
    b
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn rounds_from_one_two_and_four_shards_verify_like_a_single_run() {
    let env = setup_env();
    prove(&env, "single", &[]);
    let out = prove(&env, "plan", &["--prepare"]);
    assert!(out.contains("round 1 prepared: 5 chunks"), "{out}");
    assert!(files_in(&env.p("plan/chunks")).is_empty());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.p("plan/input.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the plan's input holds the updates and salts"
        );
    }

    let single = verify(&env, "single");
    let mut reports = Vec::new();
    for n in [1usize, 2, 4] {
        let plan = format!("plan-{n}");
        copy_dir(&env.p("plan"), &env.p(&plan));
        let mut proven = 0;
        for i in 0..n {
            let shard = format!("{i}/{n}");
            let s = task(&env, &plan, &["--shard", &shard]);
            assert_eq!(s["skipped"], 0);
            proven += s["proven"].as_u64().unwrap();
        }
        assert_eq!(proven, 5, "{n} shards prove every chunk once");
        let round = format!("round-{n}");
        let (code, out, err) = assemble(&env, &plan, &round);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("assembled from 5 chunk proofs"), "{out}");
        assert_eq!(files_in(&env.p(&round)), files_in(&env.p("single")));
        reports.push((round, verify(&env, &format!("round-{n}"))));
    }

    // One statement, whatever the number of shards: only the (randomised) proofs differ.
    let b1 = json(&env.p("round-1/round.json"));
    for (round, report) in &reports {
        let b = json(&env.p(&format!("{round}/round.json")));
        assert_eq!(statement_of(&b, false), statement_of(&b1, false), "{round}");
        for f in ["model.safetensors", "model.opening.json"] {
            assert_eq!(
                std::fs::read(env.p(&format!("{round}/{f}"))).unwrap(),
                std::fs::read(env.p(&format!("round-1/{f}"))).unwrap(),
                "{round}/{f}"
            );
        }
        assert_eq!(report, &reports[0].1, "{round}");
    }
    // And the single run proves the same round: the same model file, the same bundle up to
    // the fresh salts of M_{t+1} and the accumulators, the same verdict.
    assert_eq!(
        std::fs::read(env.p("round-1/model.safetensors")).unwrap(),
        std::fs::read(env.p("single/model.safetensors")).unwrap()
    );
    let bs = json(&env.p("single/round.json"));
    assert_eq!(statement_of(&b1, true), statement_of(&bs, true));
    let mut a = reports[0].1.clone();
    let mut b = single.clone();
    a["report"]["new_model_commitment"] = Value::Null;
    b["report"]["new_model_commitment"] = Value::Null;
    assert_eq!(a, b);
    assert_eq!(a["valid"], true, "{a}");

    // round.json records the model file's SHA-256 and raw CID (PROTOCOL.md §6.2), and
    // `zkfl verify round` refuses a model file that is not the recorded one.
    use sha2::Digest;
    let b4 = json(&env.p("round-4/round.json"));
    let bytes = std::fs::read(env.p("round-4/model.safetensors")).unwrap();
    let sha = format!("0x{}", hex::encode(sha2::Sha256::digest(&bytes)));
    assert_eq!(b4["model_file"]["sha256"], sha.as_str());
    assert_eq!(b4["model_file"]["bytes"], bytes.len());
    let cid = b4["model_file"]["raw_cid"].as_str().unwrap();
    assert!(cid.starts_with("bafkrei"), "{cid}");
    assert_eq!(
        reports[2].1["report"]["model_file"]["unixfs_v1_2025_cid"],
        cid
    );
    let mut tampered = bytes.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    std::fs::write(env.p("round-4/model.safetensors"), tampered).unwrap();
    let (code, out, _) = zkfl(&[
        "verify",
        "round",
        "--vk",
        &env.s("keys/vk.bin"),
        "--allow-insecure-keys",
        &env.s("round-4"),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("model.safetensors: its SHA-256 is"), "{out}");

    // The next round chains from an assembled round like from a single run's.
    let (code, _, err) = zkfl(&[
        "prove",
        "--keys",
        &env.s("keys"),
        "--round",
        "2",
        "--model",
        &env.s("round-2/model.safetensors"),
        "--model-opening",
        &env.s("round-2/model.opening.json"),
        "--update",
        &env.s("c0.safetensors"),
        "--opening",
        &env.s("c0.opening.json"),
        "--weight",
        "1",
        "--linf",
        "0.025",
        "--l2",
        "0.5",
        "--prepare",
        "--out",
        &env.s("plan-round-2"),
    ]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_resubmitted_task_resumes_and_assemble_names_every_bad_chunk() {
    let env = setup_env();
    prove(&env, "plan", &["--prepare"]);
    prove(&env, "other-plan", &["--prepare"]);

    // Nothing proven yet: every chunk is missing.
    let (code, _, err) = assemble(&env, "plan", "round");
    assert_eq!(code, 1);
    assert!(err.contains("missing chunks 0..=4"), "{err}");

    // A task that stopped after two chunks, then its resubmission: only the rest is proven.
    let s = task(&env, "plan", &["--chunks", "0..2"]);
    assert_eq!(
        (s["proven"].as_u64(), s["skipped"].as_u64()),
        (Some(2), Some(0))
    );
    let s = task(&env, "plan", &["--chunks", "0..=3"]);
    assert_eq!(
        (s["proven"].as_u64(), s["skipped"].as_u64()),
        (Some(2), Some(2))
    );
    let (_, _, err) = assemble(&env, "plan", "round");
    assert!(err.contains("missing chunk 4: prove it"), "{err}");
    assert!(!env.p("round").exists());

    // A chunk of another preparation of the same round is foreign.
    task(&env, "other-plan", &["--chunks", "4"]);
    std::fs::copy(
        env.p("other-plan/chunks/chunk-000004.json"),
        env.p("plan/chunks/chunk-000004.json"),
    )
    .unwrap();
    let (_, _, err) = assemble(&env, "plan", "round");
    assert!(err.contains("foreign chunk"), "{err}");
    assert!(err.contains("chunk-000004.json"), "{err}");
    assert!(err.contains("missing chunk 4"), "{err}");
    // A task replaces a foreign file at its chunk's path.
    let s = task(&env, "plan", &["--shard", "0/1"]);
    assert_eq!(
        (s["proven"].as_u64(), s["skipped"].as_u64()),
        (Some(1), Some(4))
    );

    // A duplicate: the same chunk under a second name.
    std::fs::copy(
        env.p("plan/chunks/chunk-000002.json"),
        env.p("plan/chunks/copy-of-2.json"),
    )
    .unwrap();
    // An invalid proof: chunk 1's proof in chunk 3's file (well-formed, does not verify).
    let mut c3 = json(&env.p("plan/chunks/chunk-000003.json"));
    let c1 = json(&env.p("plan/chunks/chunk-000001.json"));
    c3["record"]["proof"] = c1["record"]["proof"].clone();
    std::fs::write(
        env.p("plan/chunks/chunk-000003.json"),
        serde_json::to_vec(&c3).unwrap(),
    )
    .unwrap();
    // An unreadable file.
    std::fs::write(env.p("plan/chunks/chunk-000009.json"), b"{").unwrap();
    let (code, _, err) = assemble(&env, "plan", "round");
    assert_eq!(code, 1);
    assert!(err.contains("duplicate chunk 2"), "{err}");
    assert!(err.contains("copy-of-2.json"), "{err}");
    assert!(err.contains("invalid chunk 3"), "{err}");
    assert!(err.contains("the proof does not verify"), "{err}");
    assert!(err.contains("chunk-000009.json"), "{err}");
    assert!(!err.contains("missing"), "{err}");
    assert!(!env.p("round").exists());

    // A resubmitted task re-proves the invalid chunk; clean up the strays and it assembles.
    let s = task(&env, "plan", &["--chunks", "3"]);
    assert_eq!(s["proven"].as_u64(), Some(1));
    std::fs::remove_file(env.p("plan/chunks/copy-of-2.json")).unwrap();
    std::fs::remove_file(env.p("plan/chunks/chunk-000009.json")).unwrap();
    let (code, _, err) = assemble(&env, "plan", "round");
    assert_eq!(code, 0, "{err}");
    verify(&env, "round");
}

#[test]
fn tasks_refuse_what_is_not_theirs() {
    let env = setup_env();
    prove(&env, "plan", &["--prepare"]);
    let k = env.s("keys");
    let plan = env.s("plan");
    let refused = |args: &[&str], needle: &str| {
        let mut a = vec!["prove", "--keys", &k, "--plan", &plan];
        a.extend(args);
        let (code, _, err) = zkfl(&a);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    };
    refused(&["--chunks", "3..9"], "the plan has 5 chunks");
    refused(&["--shard", "4/4"], "out of range");
    refused(&["--shard", "auto"], "SLURM_ARRAY_TASK_ID");
    refused(&[], "--chunks A..B or --shard i/N");

    // An edited input no longer gives the plan's statement.
    let mut input = json(&env.p("plan/input.json"));
    input["slots"][0]["weight"] = 2.into();
    std::fs::write(
        env.p("plan/input.json"),
        serde_json::to_vec(&input).unwrap(),
    )
    .unwrap();
    refused(&["--chunks", "0"], "the input was edited");
    // Keys of another shape.
    ok(&[
        "setup",
        "--slots",
        "2",
        "--chunk",
        "4",
        "--seed",
        "7",
        "--out",
        &env.s("keys4"),
    ]);
    prove(&env, "plan2", &["--prepare"]);
    let (code, _, err) = zkfl(&[
        "prove",
        "--keys",
        &env.s("keys4"),
        "--plan",
        &env.s("plan2"),
        "--chunks",
        "0",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("the plan was prepared for"), "{err}");
}
