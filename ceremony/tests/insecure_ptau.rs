//! The INSECURE test ptau has the layout and Lagrange sections snarkjs's
//! `powersoftau prepare phase2` computes from its monomial sections.

mod common;

#[test]
fn insecure_ptau_equals_snarkjs_prepare_phase2() {
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("ours.ptau");
    zkfl_ceremony::testing::write_insecure_ptau(&ours, 5, 7).unwrap();
    let theirs = dir.path().join("theirs.ptau");
    common::run_snarkjs(&[
        "powersoftau",
        "prepare",
        "phase2",
        ours.to_str().unwrap(),
        theirs.to_str().unwrap(),
    ]);
    let (a, b) = (common::sections(&ours), common::sections(&theirs));
    assert_eq!(a.len(), b.len());
    for ((ia, xa), (ib, xb)) in a.iter().zip(&b) {
        assert_eq!(ia, ib, "section order");
        assert!(xa == xb, "section {ia} differs from snarkjs's");
    }
    zkfl_ceremony::ptau::Ptau::open(&ours).unwrap();
}
