//! The dependency trees behind the feature split (issue 17): an embedder of the prover
//! library gets no argument parser, no progress bars and no Ethereum stack, and the auditor's
//! verifier library holds no prover code. Asked of cargo itself, so a new dependency that
//! breaks the split fails here rather than in a downstream build.

use std::process::Command;

/// The normal (non-dev, non-build) dependencies of `package` built with `args`, by name.
fn normal_deps(package: &str, args: &[&str]) -> Vec<String> {
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
        .args(["--format", "{p}", "-p", package])
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
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
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
        &[
            "clap",
            "anyhow",
            "indicatif",
            "alloy",
            "revm",
            "tokio",
            "zkfl-contracts",
        ],
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

#[test]
fn python_wheel_links_the_prover_library_only() {
    let deps = normal_deps("zkfl-python", &[]);
    assert!(
        deps.iter().any(|d| d == "zkfl-prover"),
        "the tree was read: {deps:?}"
    );
    assert_absent(
        &deps,
        "the zkfl wheel",
        &[
            "clap",
            "anyhow",
            "indicatif",
            "alloy",
            "revm",
            "tokio",
            "zkfl-contracts",
        ],
    );
}
