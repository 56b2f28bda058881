//! The auditor's trust base: the verifier's dependency tree holds no prover code.

use std::process::Command;

#[test]
fn dependency_tree_has_no_prover_crate() {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let out = Command::new(env!("CARGO"))
        .args(["tree", "--prefix", "none", "--manifest-path", manifest])
        .args(["-p", "zkfl-verifier"])
        .output()
        .expect("run cargo tree");
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The tree must be the real one (it names the verifier and its zkfl-circuits dependency)...
    assert!(
        tree.contains("zkfl-verifier") && tree.contains("zkfl-circuits"),
        "{tree}"
    );
    // The binary checks ceremonies with zkfl-ceremony (file formats and checks only)...
    assert!(tree.contains("zkfl-ceremony"), "{tree}");
    // ...and holds no prover crate.
    assert!(
        !tree.contains("zkfl-prover"),
        "prover code in the verifier's tree:\n{tree}"
    );
}
