//! End to end through the `zkfl` binary: a real round, and every way a round must be
//! refused with a clear message and nothing written.

use std::{path::PathBuf, process::Command};

use zkfl_circuits::{
    bundle::RoundBundle,
    keys,
    tensors::{self, Layout, TensorSpec},
};

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

fn zkfl(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zkfl"))
        .args(args)
        .output()
        .expect("run zkfl");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn layout() -> Layout {
    Layout {
        tensors: vec![TensorSpec::f32("b", &[8]), TensorSpec::f32("w", &[4, 8])],
    }
}

fn wave(seed: f64, amp: f64) -> Vec<f64> {
    (0..D)
        .map(|i| (i as f64 * 0.7 + seed).sin() * amp)
        .collect()
}

/// Keys for 4 slots × 16 params (3 chunks for d = 40), 3 committed clients.
fn setup_env() -> Env {
    setup_env_with(&[]).0
}

/// [`setup_env`] with more `zkfl setup` flags; also returns setup's stdout.
fn setup_env_with(flags: &[&str]) -> (Env, String) {
    let tmp = tempfile::tempdir().unwrap();
    let env = Env {
        dir: tmp.path().to_path_buf(),
        _tmp: tmp,
    };
    let keys = env.s("keys");
    let mut args = vec![
        "setup", "--slots", "4", "--chunk", "16", "--seed", "7", "--out", &keys,
    ];
    args.extend(flags);
    let (ok, setup_out, err) = zkfl(&args);
    assert!(ok, "{err}");
    assert!(err.contains("INSECURE"), "seeded setup must warn: {err}");
    tensors::write(&env.p("model.safetensors"), &layout(), &wave(0.0, 0.8)).unwrap();
    for i in 0..3 {
        let f = format!("c{i}.safetensors");
        tensors::write(&env.p(&f), &layout(), &wave(i as f64 + 1.0, 0.02)).unwrap();
        let (ok, _, err) = recommit(&env, i);
        assert!(ok, "{err}");
    }
    (env, setup_out)
}

/// `zkfl commit` of client i's update `c{i}.safetensors`, replacing its record and opening.
fn recommit(env: &Env, i: usize) -> (bool, String, String) {
    commit(
        env,
        &format!("c{i}.safetensors"),
        &format!("c{i}.commit.json"),
        &["--force"],
    )
}

/// `zkfl commit` of `update` with the keys' params.json, the record written to `out`.
fn commit(env: &Env, update: &str, out: &str, flags: &[&str]) -> (bool, String, String) {
    let (update, params, out) = (env.s(update), env.s("keys/params.json"), env.s(out));
    let mut args = vec![
        "commit", "--update", &update, "--params", &params, "--out", &out,
    ];
    args.extend(flags);
    zkfl(&args)
}

fn prove_args(env: &Env, out: &str, weights: [&str; 3]) -> Vec<String> {
    let mut a: Vec<String> = [
        "prove",
        "--keys",
        &env.s("keys"),
        "--round",
        "1",
        "--model",
        &env.s("model.safetensors"),
        "--linf",
        "0.025",
        "--l2",
        "0.5",
        "--out",
        &env.s(out),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (i, w) in weights.iter().enumerate() {
        a.extend([
            "--update".into(),
            env.s(&format!("c{i}.safetensors")),
            "--opening".into(),
            env.s(&format!("c{i}.opening.json")),
            "--weight".into(),
            w.to_string(),
        ]);
    }
    a
}

/// `prove` arguments turned into round 2, starting from round-1/'s model and opening.
fn after_round_one(env: &Env, mut args: Vec<String>) -> Vec<String> {
    args[4] = "2".into();
    args[6] = env.s("round-1/model.safetensors");
    args.extend([
        "--model-opening".into(),
        env.s("round-1/model.opening.json"),
    ]);
    args
}

fn run(args: &[String]) -> (bool, String, String) {
    zkfl(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn verify_natively(env: &Env, bundle: &RoundBundle) {
    use ark_groth16::Groth16;
    use ark_snark::SNARK;
    let (_, vk) = keys::read_vk(&env.p("keys/vk.bin")).unwrap();
    let pvk = Groth16::<ark_bn254::Bn254>::process_vk(&vk).unwrap();
    for (c, rec) in bundle.chunks.iter().enumerate() {
        let ok = Groth16::<ark_bn254::Bn254>::verify_with_processed_vk(
            &pvk,
            &rec.inputs(c).unwrap(),
            &rec.proof(c).unwrap(),
        )
        .unwrap();
        assert!(ok, "chunk {c}");
    }
}

#[test]
fn proves_a_multi_chunk_round_with_an_empty_slot() {
    let env = setup_env();
    let (ok, out, err) = run(&prove_args(&env, "round-1", ["120", "80", "200"]));
    assert!(ok, "{err}");
    assert!(out.contains("round 1 proven"), "{out}");
    let bundle: RoundBundle =
        serde_json::from_str(&std::fs::read_to_string(env.p("round-1/round.json")).unwrap())
            .unwrap();
    assert_eq!(bundle.chunks.len(), 3);
    assert_eq!(bundle.weights, vec![120, 80, 200, 0]);
    assert!(bundle.genesis);
    verify_natively(&env, &bundle);
    assert_fedavg(&env, "round-1", [120.0, 80.0, 200.0]);

    // A second round chains from the first one's opening.
    let (ok, _, err) = run(&after_round_one(
        &env,
        prove_args(&env, "round-2", ["1", "1", "1"]),
    ));
    assert!(ok, "{err}");
    let b2: RoundBundle =
        serde_json::from_str(&std::fs::read_to_string(env.p("round-2/round.json")).unwrap())
            .unwrap();
    assert!(!b2.genesis);
    assert_eq!(b2.model_commitment, bundle.new_model_commitment);
    verify_natively(&env, &b2);

    // Openings hold the salts: readable by their owner only (issue 12, item 11).
    #[cfg(unix)]
    for f in [
        "c0.opening.json",
        "round-1/model.opening.json",
        "round-1/previous-model.opening.json",
    ] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.p(f)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{f}: mode {mode:o}");
    }
}

/// Issue 12, item 11: a taken --out is refused before the proving key is even read (hours
/// of proving were lost when it was checked at the end), and commit never overwrites an
/// opening unless asked to.
#[test]
fn refuses_taken_outputs_before_any_work() {
    let env = setup_env();
    std::fs::create_dir(env.p("taken")).unwrap();
    let mut args = prove_args(&env, "taken", ["1", "1", "1"]);
    args[2] = env.s("no-such-keys");
    let (ok, _, err) = run(&args);
    assert!(!ok);
    assert!(
        err.contains("taken") && err.contains("already exists") && !err.contains("pk.bin"),
        "{err}"
    );

    let commit = |force: bool| {
        let (u, p, o) = (
            env.s("c0.safetensors"),
            env.s("keys/params.json"),
            env.s("c0.commit.json"),
        );
        let mut a = vec!["commit", "--update", &u, "--params", &p, "--out", &o];
        if force {
            a.push("--force");
        }
        zkfl(&a)
    };
    let before = std::fs::read(env.p("c0.opening.json")).unwrap();
    let (ok, _, err) = commit(false);
    assert!(
        !ok && err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read(env.p("c0.opening.json")).unwrap(), before);
    let (ok, _, err) = commit(true);
    assert!(ok, "{err}");
    assert_ne!(std::fs::read(env.p("c0.opening.json")).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(&env.dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Issue 12, item 8: an F32 model at |x| ≥ 256 needs more than f32's 24-bit significand
/// for its last fixed-point unit. The new model must still be exactly the proven one: it
/// verifies against its commitment, and the next round opens it.
#[test]
fn f32_models_keep_their_last_fixed_point_unit() {
    let env = setup_env();
    tensors::write(&env.p("model.safetensors"), &layout(), &vec![300.0; D]).unwrap();
    let unit = 1.0 / 65536.0;
    tensors::write(&env.p("c0.safetensors"), &layout(), &vec![unit; D]).unwrap();
    let (ok, _, err) = recommit(&env, 0);
    assert!(ok, "{err}");
    let one_client = |args: Vec<String>| -> Vec<String> {
        let cut = args.iter().position(|a| a == "--update").unwrap();
        args[..cut + 6].to_vec()
    };
    let (ok, _, err) = run(&one_client(prove_args(&env, "round-1", ["1", "1", "1"])));
    assert!(ok, "{err}");
    assert!(err.contains("written as F64"), "{err}");
    let model = tensors::read(&env.p("round-1/model.safetensors")).unwrap();
    assert!(model.values.iter().all(|&v| v == 300.0 + unit));
    let (header, _) = keys::read_vk(&env.p("keys/vk.bin")).unwrap();
    let bundle: RoundBundle =
        serde_json::from_str(&std::fs::read_to_string(env.p("round-1/round.json")).unwrap())
            .unwrap();
    zkfl_verifier::verify_model(
        &header.shape,
        &bundle.new_model_commitment,
        &env.p("round-1/model.safetensors"),
        &env.p("round-1/model.opening.json"),
    )
    .expect("the written model is the committed one");
    let (ok, _, err) = run(&after_round_one(
        &env,
        one_client(prove_args(&env, "round-2", ["1", "1", "1"])),
    ));
    assert!(ok, "{err}");
}

/// Issue 12, item 14: an installed `zkfl` finds solc without the checkout it was built
/// in: here a solcjs on PATH, run from another directory with no zkfl variables set.
#[test]
fn export_solidity_finds_solc_outside_the_checkout() {
    let env = setup_env();
    let node = Command::new("sh")
        .args(["-c", "command -v node"])
        .output()
        .expect("sh");
    let node_dir = PathBuf::from(String::from_utf8_lossy(&node.stdout).trim())
        .parent()
        .expect("node's directory")
        .to_path_buf();
    let solcjs = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../contracts/node_modules/.bin/solcjs")
        .canonicalize()
        .expect("contracts/node_modules/.bin/solcjs: run `npm ci --prefix contracts`");
    let bin = env.p("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(&solcjs, bin.join("solcjs")).unwrap();
    let elsewhere = env.p("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let export = |path: String| {
        Command::new(env!("CARGO_BIN_EXE_zkfl"))
            .args(["export-solidity", "--keys", &env.s("keys"), "--out", "sol"])
            .current_dir(&elsewhere)
            .env("PATH", path)
            .env_remove("ZKFL_SOLC")
            .env_remove("ZKFL_CONTRACTS_DIR")
            .output()
            .expect("run zkfl")
    };
    let o = export(format!("{}:{}", bin.display(), node_dir.display()));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    for f in ["ZkflRoundRegistry.bin", "ZkflVerifier.abi.json"] {
        assert!(elsewhere.join("sol").join(f).is_file(), "{f}: {err}");
    }
    // Without any compiler the sources are written, and the warning says how to get one.
    let o = export(node_dir.display().to_string());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("npm install -g solc") && err.contains("--solc"),
        "{err}"
    );
}

/// The written model is an independent float FedAvg of the inputs: within half a
/// fixed-point unit of FedAvg over the quantised inputs (only the division rounds), and
/// within 1.5 units of FedAvg over the raw floats (quantising M_t and the updates adds
/// at most half a unit each).
fn assert_fedavg(env: &Env, round_dir: &str, w: [f64; 3]) {
    let model = tensors::read(&env.p(&format!("{round_dir}/model.safetensors"))).unwrap();
    assert_eq!(model.layout, layout());
    let unit = 1.0 / 65536.0;
    let q = |x: f64| (x as f32 as f64 / unit).round() * unit;
    let base = wave(0.0, 0.8);
    let ups: Vec<Vec<f64>> = (0..3).map(|i| wave(i as f64 + 1.0, 0.02)).collect();
    let total: f64 = w.iter().sum();
    for j in 0..D {
        let got = model.values[j];
        let on_grid: f64 = q(base[j]) + (0..3).map(|i| w[i] * q(ups[i][j])).sum::<f64>() / total;
        assert!(
            (got - on_grid).abs() <= 0.5 * unit + 1e-12,
            "j = {j}: {got} vs {on_grid}"
        );
        let raw: f64 = base[j] as f32 as f64
            + (0..3)
                .map(|i| w[i] * (ups[i][j] as f32 as f64))
                .sum::<f64>()
                / total;
        assert!(
            (got - raw).abs() <= 1.5 * unit + 1e-12,
            "j = {j}: {got} vs {raw}"
        );
    }
}

#[test]
fn fixed_linf_keys_prove_only_under_their_bound() {
    // 2^11 units = 0.03125 at f = 16; the clients' updates reach ±0.02.
    let (env, setup_out) = setup_env_with(&["--linf-bits", "11"]);
    assert!(setup_out.contains("--linf 0.03125"), "{setup_out}");
    let params = zkfl_prover::setup::read_params(&env.p("keys/params.json")).unwrap();
    assert_eq!(params.shape.linf_bits, Some(11));

    let with_linf = |out: &str, linf: &str| {
        let mut args = prove_args(&env, out, ["120", "80", "200"]);
        let i = args.iter().position(|a| a == "--linf").unwrap();
        args[i + 1] = linf.into();
        args
    };
    assert_refused(
        &env,
        &with_linf("r", "0.025"),
        &[
            "--linf 0.025",
            "2^11 = 2048",
            "the L∞ bound must be 0.03125",
        ],
    );
    let (ok, _, err) = run(&with_linf("round-1", "0.03125"));
    assert!(ok, "{err}");
    let bundle: RoundBundle =
        serde_json::from_str(&std::fs::read_to_string(env.p("round-1/round.json")).unwrap())
            .unwrap();
    assert_eq!(bundle.shape.linf_bits, Some(11));
    assert_eq!(bundle.bounds.linf, 2048);
    verify_natively(&env, &bundle);
    assert_fedavg(&env, "round-1", [120.0, 80.0, 200.0]);
    let (ok, out, err) = zkfl(&[
        "verify",
        "round",
        "--vk",
        &env.s("keys/vk.bin"),
        "--allow-insecure-keys",
        &env.s("round-1"),
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("-2048 ≤ Δ ≤ 2047 (L∞ bound 2^11 fixed by the key)"),
        "{out}"
    );

    // An update over the fixed bound: the client cannot commit it, and the coordinator,
    // handed it with the old opening, refuses it naming client, tensor, element and bound.
    let mut big = wave(1.0, 0.02);
    big[35] = 0.04; // 2621 units; tensor "w", element 27
    write_update(&env, "c0.safetensors", &big, &layout());
    let (ok, _, err) = commit(&env, "c0.safetensors", "c0-big.commit.json", &[]);
    assert!(!ok);
    assert!(
        err.contains("tensor 'w' element 27") && err.contains("[-2048, 2047]"),
        "{err}"
    );
    assert_refused(
        &env,
        &with_linf("r", "0.03125"),
        &[
            "c0.safetensors",
            "client 0",
            "tensor 'w' element 27",
            "L∞",
            "[-2048, 2047]",
        ],
    );
}

fn assert_refused(env: &Env, args: &[String], needles: &[&str]) {
    let out = args
        .iter()
        .position(|a| a == "--out")
        .map(|i| PathBuf::from(&args[i + 1]))
        .unwrap();
    let (ok, _, err) = run(args);
    assert!(!ok, "must fail: {args:?}");
    for n in needles {
        assert!(err.contains(n), "message lacks '{n}': {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists(), "nothing may be written");
    let leftovers: Vec<_> = std::fs::read_dir(&env.dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}

fn write_update(env: &Env, name: &str, values: &[f64], layout: &Layout) {
    tensors::write(&env.p(name), layout, values).unwrap();
}

#[test]
fn refuses_bad_rounds_with_clear_messages_and_writes_nothing() {
    let env = setup_env();

    // Over-bound update: committed honestly by the client, refused by the coordinator.
    let mut big = wave(1.0, 0.02);
    big[35] = 0.03; // tensor "w" (sorted after "b"), element 27
    write_update(&env, "c0.safetensors", &big, &layout());
    recommit(&env, 0);
    assert_refused(
        &env,
        &prove_args(&env, "r", ["1", "1", "1"]),
        &["c0.safetensors", "client 0", "tensor 'w' element 27", "L∞"],
    );

    // The update changed after commit: opening mismatch.
    write_update(&env, "c0.safetensors", &wave(9.0, 0.02), &layout());
    assert_refused(
        &env,
        &prove_args(&env, "r", ["1", "1", "1"]),
        &["c0.opening.json", "does not open"],
    );

    // NaN in an update.
    let mut nan = wave(1.0, 0.02);
    nan[3] = f64::NAN;
    write_update(&env, "c0.safetensors", &nan, &layout());
    assert_refused(
        &env,
        &prove_args(&env, "r", ["1", "1", "1"]),
        &[
            "c0.safetensors",
            "tensor 'b' element 3",
            "not a finite number",
        ],
    );

    // Tensor shape mismatch.
    let other = Layout {
        tensors: vec![TensorSpec::f32("b", &[8]), TensorSpec::f32("w", &[8, 4])],
    };
    write_update(&env, "c0.safetensors", &wave(1.0, 0.02), &other);
    assert_refused(
        &env,
        &prove_args(&env, "r", ["1", "1", "1"]),
        &["c0.safetensors", "shape [8, 4]"],
    );

    // Restore client 0.
    write_update(&env, "c0.safetensors", &wave(1.0, 0.02), &layout());
    recommit(&env, 0);

    // A client with an update and weight 0 (issue 12, item 1): every verifier refuses a
    // weight-0 slot that is not the canonical empty slot, so prove refuses it first.
    assert_refused(
        &env,
        &prove_args(&env, "r", ["120", "0", "200"]),
        &["client 1", "c1.safetensors", "--weight 0"],
    );

    // Keys of another shape: the clients committed for 4×16, the coordinator uses 4×8 keys.
    let (ok, _, _) = zkfl(&[
        "setup",
        "--slots",
        "4",
        "--chunk",
        "8",
        "--seed",
        "8",
        "--out",
        &env.s("keys8"),
    ]);
    assert!(ok);
    let mut args = prove_args(&env, "r", ["1", "1", "1"]);
    args[2] = env.s("keys8");
    assert_refused(&env, &args, &["c0.opening.json", "another circuit shape"]);

    // Truncated proving key.
    let pk = std::fs::read(env.p("keys/pk.bin")).unwrap();
    std::fs::write(env.p("keys/pk.bin"), &pk[..pk.len() / 2]).unwrap();
    assert_refused(
        &env,
        &prove_args(&env, "r", ["1", "1", "1"]),
        &["pk.bin", "zkfl setup"],
    );
    std::fs::write(env.p("keys/pk.bin"), &pk).unwrap();

    // Missing file.
    let mut args = prove_args(&env, "r", ["1", "1", "1"]);
    args[6] = env.s("nope.safetensors");
    assert_refused(&env, &args, &["nope.safetensors"]);

    // Sanity: the restored inputs do prove.
    let (ok, _, err) = run(&prove_args(&env, "r", ["1", "1", "1"]));
    assert!(ok, "{err}");
}

#[test]
fn help_is_complete() {
    for sub in [
        "setup",
        "ceremony",
        "task",
        "commit",
        "prove",
        "assemble",
        "demo",
        "export-solidity",
        "deploy",
        "submit",
        "verify",
    ] {
        let (ok, out, _) = zkfl(&[sub, "--help"]);
        assert!(ok && out.contains("Usage"), "{sub}: {out}");
    }
    let (ok, out, _) = zkfl(&["--help"]);
    assert!(ok && out.contains("setup") && out.contains("prove"));
}

#[test]
fn setup_takes_every_shape_width() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("keys");
    let out = out.to_str().unwrap();
    let base = [
        "setup",
        "--slots",
        "2",
        "--chunk",
        "4",
        "--update-bits",
        "32",
        "--seed",
        "1",
        "--out",
        out,
    ];
    // 32-bit updates: one chunk's Σ Δ² reaches 4·2^62 = 2^64, too wide for the default
    // Nb = 64, and the refusal says which flag to change.
    let (ok, _, err) = zkfl(&base);
    assert!(!ok);
    assert!(err.contains("norm bits"), "{err}");
    let mut wide = base.to_vec();
    wide.extend([
        "--norm-bits",
        "80",
        "--weight-bits",
        "12",
        "--frac-bits",
        "20",
    ]);
    let (ok, _, err) = zkfl(&wide);
    assert!(ok, "{err}");
    let params = zkfl_prover::setup::read_params(&tmp.path().join("keys/params.json")).unwrap();
    let s = params.shape;
    assert_eq!(
        (
            s.slots,
            s.chunk,
            s.update_bits,
            s.norm_bits,
            s.weight_bits,
            s.frac_bits
        ),
        (2, 4, 32, 80, 12, 20)
    );
}
