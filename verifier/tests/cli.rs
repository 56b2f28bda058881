//! The `zkfl-verify` binary: exit codes 0 / 1 / 2, messages naming the file, JSON output,
//! and snarkjs interop on an exported chunk.

mod common;

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use common::{fixture, model_layout, write_bundle, write_key, write_model};

fn zkfl_verify(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkfl-verify"))
        .args(args)
        .output()
        .expect("run zkfl-verify")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// A temp dir with vk.bin and rounds/{c,a,b}/round.json (directory order ≠ round order).
fn layout() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let vk = write_key(dir.path(), &f.key);
    let rounds = dir.path().join("rounds");
    for (name, b) in ["c", "a", "b"].iter().zip(&f.bundles) {
        write_bundle(&rounds.join(name), b);
    }
    (dir, vk, rounds)
}

#[test]
fn round_and_history_exit_codes() {
    let (_d, vk, rounds) = layout();
    let r1 = rounds.join("c");
    let o = zkfl_verify(&["round", "--allow-insecure-keys", "--vk", s(&vk), s(&r1)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("VALID: round 1"), "{}", text(&o));
    assert!(
        text(&o).contains("WARNING"),
        "fixed-seed key must be flagged"
    );

    let o = zkfl_verify(&[
        "--json",
        "round",
        "--allow-insecure-keys",
        "--vk",
        s(&vk),
        s(&r1),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    assert_eq!(v["valid"], true);
    assert_eq!(v["insecure_key"], true);
    // 0x and 64 lowercase hex digits, the canonical digest spelling (PROTOCOL.md §6).
    assert_eq!(v["vk_digest"].as_str().map(str::len), Some(66));

    // Without --allow-insecure-keys a seeded key is refused, saying why and what to do.
    for cmd in ["round", "history"] {
        let target = if cmd == "round" { &r1 } else { &rounds };
        let o = zkfl_verify(&[cmd, "--vk", s(&vk), s(target)]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(
            text(&o).contains("fixed seed") && text(&o).contains("--allow-insecure-keys"),
            "{}",
            text(&o)
        );
    }
    assert_eq!(v["report"]["chunks"], 3);

    let o = zkfl_verify(&[
        "history",
        "--allow-insecure-keys",
        "--vk",
        s(&vk),
        s(&rounds),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("rounds 1..=3"), "{}", text(&o));

    // Tampered round: readable but invalid → 1, naming round, chunk and field.
    let mut b = fixture().bundles[0].clone();
    b.chunks[1].public_inputs[1] = "7".into();
    write_bundle(&r1, &b);
    let o = zkfl_verify(&["round", "--allow-insecure-keys", "--vk", s(&vk), s(&r1)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("round 1, chunk 1, public input #1 (B∞ (linf))"),
        "{}",
        text(&o)
    );
    let o = zkfl_verify(&[
        "--json",
        "history",
        "--allow-insecure-keys",
        "--vk",
        s(&vk),
        s(&rounds),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    assert_eq!(v["valid"], false);

    // Skipped round in a directory.
    write_bundle(&r1, &fixture().bundles[0]);
    std::fs::remove_dir_all(rounds.join("a")).unwrap();
    let o = zkfl_verify(&[
        "history",
        "--allow-insecure-keys",
        "--vk",
        s(&vk),
        s(&rounds),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("expected round 2, found round 3"),
        "{}",
        text(&o)
    );
}

#[test]
fn unreadable_inputs_exit_2_naming_the_file() {
    let (_d, vk, rounds) = layout();
    let r1 = rounds.join("c");
    let bundle = r1.join("round.json");
    let good = std::fs::read(&bundle).unwrap();

    std::fs::write(&bundle, &good[..good.len() / 2]).unwrap();
    let o = zkfl_verify(&["round", "--allow-insecure-keys", "--vk", s(&vk), s(&r1)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("round.json") && text(&o).contains("not a valid"),
        "{}",
        text(&o)
    );

    std::fs::write(&bundle, b"this is not json").unwrap();
    let o = zkfl_verify(&[
        "--json",
        "round",
        "--allow-insecure-keys",
        "--vk",
        s(&vk),
        s(&r1),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json error");
    assert_eq!(v["unreadable"], true);

    // A truncated bundle inside a history directory.
    let o = zkfl_verify(&[
        "history",
        "--allow-insecure-keys",
        "--vk",
        s(&vk),
        s(&rounds),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("round.json"), "{}", text(&o));

    std::fs::remove_file(&bundle).unwrap();
    let o = zkfl_verify(&["round", "--allow-insecure-keys", "--vk", s(&vk), s(&r1)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("round.json"), "{}", text(&o));

    let key = std::fs::read(&vk).unwrap();
    std::fs::write(&vk, &key[..key.len() - 10]).unwrap();
    let o = zkfl_verify(&[
        "round",
        "--allow-insecure-keys",
        "--vk",
        s(&vk),
        s(&rounds.join("a")),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("vk.bin"), "{}", text(&o));

    let o = zkfl_verify(&[
        "round",
        "--allow-insecure-keys",
        "--vk",
        "/nonexistent/vk.bin",
        s(&r1),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("/nonexistent/vk.bin"), "{}", text(&o));

    let o = zkfl_verify(&["round"]);
    assert_eq!(o.status.code(), Some(2), "usage error: {}", text(&o));
    let o = zkfl_verify(&[
        "model",
        "--commitment",
        "0x12",
        "m.safetensors",
        "--opening",
        "o.json",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--commitment"), "{}", text(&o));
}

fn snarkjs() -> PathBuf {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/.bin/snarkjs");
    assert!(
        bin.exists(),
        "{} is missing: run `npm ci --prefix verifier` (pins snarkjs from verifier/package-lock.json)",
        bin.display()
    );
    bin
}

#[test]
fn snarkjs_accepts_an_exported_chunk_and_rejects_a_tampered_one() {
    let snarkjs = snarkjs();
    let (d, vk, rounds) = layout();
    let out = d.path().join("snarkjs");
    let o = zkfl_verify(&[
        "export-snarkjs",
        "--vk",
        s(&vk),
        s(&rounds.join("a")),
        "--chunk",
        "1",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let run = || {
        Command::new("node")
            .arg(&snarkjs)
            .args(["groth16", "verify"])
            .arg(out.join("verification_key.json"))
            .arg(out.join("public.json"))
            .arg(out.join("proof.json"))
            .output()
            .expect("run node (is Node.js installed?)")
    };
    let o = run();
    assert!(
        o.status.success() && text(&o).contains("OK!"),
        "snarkjs: {}",
        text(&o)
    );

    let public = out.join("public.json");
    let mut inputs: Vec<String> = serde_json::from_slice(&std::fs::read(&public).unwrap()).unwrap();
    let x: u64 = inputs[0].parse().unwrap();
    inputs[0] = (x + 1).to_string();
    std::fs::write(&public, serde_json::to_vec(&inputs).unwrap()).unwrap();
    let o = run();
    assert!(
        !o.status.success(),
        "snarkjs accepted a tampered public.json: {}",
        text(&o)
    );
    assert!(text(&o).contains("Invalid proof"), "{}", text(&o));

    let o = zkfl_verify(&[
        "export-snarkjs",
        "--vk",
        s(&vk),
        s(&rounds.join("a")),
        "--chunk",
        "9",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("no chunk 9"), "{}", text(&o));
}

#[test]
fn model_exit_codes() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let vk = write_key(dir.path(), &f.key);
    let round = &f.rounds[2];
    let (model, opening) = write_model(dir.path(), round, &model_layout());
    let commitment = round.new_model_commitment.to_string();
    let args = |c: &str| {
        zkfl_verify(&[
            "model",
            "--vk",
            s(&vk),
            "--allow-insecure-keys",
            "--commitment",
            c,
            s(&model),
            "--opening",
            s(&opening),
        ])
    };
    let o = args(&commitment);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("is the model committed to by"),
        "{}",
        text(&o)
    );
    // The commitment taken from a verified round instead of a flag.
    let rdir = dir.path().join("round-3");
    write_bundle(&rdir, &f.bundles[2]);
    let by_round = |r: &Path| {
        zkfl_verify(&[
            "model",
            "--vk",
            s(&vk),
            "--allow-insecure-keys",
            "--round",
            s(r),
            s(&model),
            "--opening",
            s(&opening),
        ])
    };
    let o = by_round(&rdir);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let wrong = dir.path().join("round-2");
    write_bundle(&wrong, &f.bundles[1]);
    assert_eq!(by_round(&wrong).status.code(), Some(1));

    let o = args(&f.rounds[1].new_model_commitment.to_string());
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    std::fs::write(&model, b"not safetensors").unwrap();
    let o = args(&commitment);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("model.safetensors"), "{}", text(&o));
}
