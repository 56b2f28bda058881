//! The dependency trees behind the feature split (issue 17): an embedder of the prover
//! library gets no argument parser, no progress bars, no signer and no Ethereum network or
//! EVM stack, and the auditor's verifier library holds no prover code. Both keep
//! alloy-primitives and alloy-sol-types: checking a client's EIP-712 signature (issue 11) is
//! part of verifying a round, and those two crates are data types and hashing only. Asked of
//! cargo itself, so a new dependency that breaks the split fails here rather than in a
//! downstream build. The Python wheel links the prover library the same way.

use std::process::Command;

/// The normal (non-dev, non-build) dependencies of `package` built with `args`, by name.
fn normal_deps(package: &str, args: &[&str]) -> Vec<String> {
    tree(package, "{p}", args)
        .iter()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

/// `cargo tree` lines for `package`'s normal dependencies, formatted with `format`.
fn tree(package: &str, format: &str, args: &[&str]) -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--locked",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .args(["--format", format, "-p", package])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo tree -p {package} {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

fn assert_absent(deps: &[String], what: &str, banned: &[&str]) {
    let found: Vec<&String> = deps
        .iter()
        .filter(|d| {
            banned
                .iter()
                .any(|b| d.as_str() == *b || d.starts_with(&format!("{b}-")))
        })
        .collect();
    assert!(found.is_empty(), "{what} pulls in {found:?}");
}

/// What an embedder of the prover library must not get: an argument parser, progress bars, a
/// signer, an Ethereum network or EVM stack.
const NOT_IN_THE_PROVER_LIBRARY: &[&str] = &[
    "clap",
    "anyhow",
    "indicatif",
    "zkfl-contracts",
    "alloy-signer",
    "alloy-provider",
    "alloy-transport",
    "alloy-contract",
    "alloy-network",
    "alloy-rpc-client",
    "revm",
    "tokio",
    "reqwest",
    "hyper",
];

#[test]
fn prover_library_builds_without_cli_or_chain() {
    let deps = normal_deps("zkfl-prover", &["--no-default-features"]);
    assert!(
        deps.iter().any(|d| d == "ark-groth16"),
        "the tree was read: {deps:?}"
    );
    assert_absent(
        &deps,
        "zkfl-prover without default features",
        NOT_IN_THE_PROVER_LIBRARY,
    );
}

#[test]
fn verifier_library_holds_no_prover_code() {
    let deps = normal_deps("zkfl-verifier", &["--no-default-features"]);
    assert!(
        deps.iter().any(|d| d == "zkfl-circuits"),
        "the tree was read: {deps:?}"
    );
    assert_absent(
        &deps,
        "zkfl-verifier without default features",
        &[
            "zkfl-prover",
            "zkfl-msm",
            "zkfl-contracts",
            "zkfl-ceremony",
            "clap",
            "anyhow",
        ],
    );
}

/// `zkfl_circuits::testing` (seeded rounds, R1CS inspection) is for tests, benchmarks and
/// fuzzing only: `package`'s normal build must not enable it.
fn assert_no_test_fixtures(package: &str) {
    let lines = tree(package, "{p} [{f}]", &[]);
    let circuits: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("zkfl-circuits "))
        .collect();
    assert!(!circuits.is_empty(), "the tree was read: {lines:?}");
    assert!(
        circuits.iter().all(|l| !l.contains("testing")),
        "zkfl-circuits is built with its testing feature for {package}: {circuits:?}"
    );
}

#[test]
fn test_fixtures_stay_out_of_the_verifier() {
    assert_no_test_fixtures("zkfl-verifier");
}

#[test]
fn python_wheel_links_the_prover_library_only() {
    let deps = normal_deps("zkfl-python", &[]);
    assert!(
        deps.iter().any(|d| d == "zkfl-prover"),
        "the tree was read: {deps:?}"
    );
    // Clients sign their updates from Python (`commit_signed`), so the wheel has a local
    // signer (alloy-signer, alloy-signer-local, which brings alloy-network's transaction
    // types), but no provider, transport, RPC client or EVM: nothing that talks to a node.
    assert!(
        deps.iter().any(|d| d == "alloy-signer-local"),
        "the tree was read: {deps:?}"
    );
    let banned: Vec<&str> = NOT_IN_THE_PROVER_LIBRARY
        .iter()
        .copied()
        .filter(|b| !["alloy-signer", "alloy-network"].contains(b))
        .collect();
    assert_absent(&deps, "the zkfl wheel", &banned);
    assert_no_test_fixtures("zkfl-python");
}
