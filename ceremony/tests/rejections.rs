//! `verify` rejects every way the issue lists of breaking a ceremony, and names the
//! contribution (or the file and what differs).

mod common;

use std::path::{Path, PathBuf};

use ark_bn254::{G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use zkfl_ceremony::{
    binfile::BinReader,
    contribute::{beacon, contribute},
    encoding::{g1_from_lem, g1_lem, g2_from_lem, g2_lem},
    init::InitialKey,
    ptau::Ptau,
    r1cs::R1cs,
    verify::verify,
    zkey::{self, section},
    CeremonyError,
};

struct Chain {
    root: PathBuf,
    init: InitialKey,
}

/// One chain shared by every test here (building the initial key is the slow part).
fn chain() -> &'static Chain {
    static CHAIN: std::sync::OnceLock<Chain> = std::sync::OnceLock::new();
    CHAIN.get_or_init(Chain::new)
}

impl Chain {
    /// c0 (init) → c1 alice → c2 bob → c3 beacon, in cargo's scratch directory for tests.
    fn new() -> Self {
        // One directory per process: nextest runs each test in its own.
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("ceremony-rejections-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let r1cs = R1cs::for_shape(&common::small_shape()).unwrap();
        let init = InitialKey::build(&r1cs, &mut Ptau::open(&common::ptau12()).unwrap()).unwrap();
        init.write(&root.join("c0.zkey")).unwrap();
        let p = |f: &str| root.join(f);
        contribute(&p("c0.zkey"), &p("c1.zkey"), Some("alice"), None).unwrap();
        contribute(&p("c1.zkey"), &p("c2.zkey"), Some("bob"), None).unwrap();
        beacon(
            &p("c2.zkey"),
            &p("c3.zkey"),
            Some("beacon"),
            b"block hash",
            10,
        )
        .unwrap();
        Self { root, init }
    }

    fn p(&self, f: &str) -> PathBuf {
        self.root.join(f)
    }

    fn verify(&self, f: &str) -> Result<(), CeremonyError> {
        verify(&self.p(f), &self.init.reference).map(|_| ())
    }
}

fn mpc_of(path: &Path) -> zkey::MpcParams {
    zkey::read_mpc(&mut BinReader::open(path, zkey::MAGIC, ".zkey").unwrap()).unwrap()
}

fn expect_contribution(err: CeremonyError, index: usize, name: &str, words: &str) {
    match &err {
        CeremonyError::Contribution {
            index: i,
            name: n,
            reason,
        } => {
            assert_eq!((*i, n.as_str()), (index, name), "{err}");
            assert!(reason.contains(words), "{err}");
        }
        other => panic!("expected a failure of contribution #{index}, got: {other}"),
    }
}

#[test]
fn every_broken_ceremony_is_rejected_with_the_contribution_named() {
    let c = chain();
    let report = verify(&c.p("c3.zkey"), &c.init.reference).unwrap();
    assert_eq!(report.contributions.len(), 3);

    // A key no one contributed to: γ = δ, forgeable.
    let err = c.verify("c0.zkey").unwrap_err();
    assert!(err.to_string().contains("no contributions"), "{err}");

    // Proof of knowledge swapped with another contribution's.
    common::edit_section(&c.p("c3.zkey"), &c.p("swapped.zkey"), section::MPC, |b| {
        let mut m = mpc_of(&c.p("c3.zkey"));
        let (s, sx) = (m.contributions[1].g1_s, m.contributions[1].g1_sx);
        m.contributions[1].g1_s = m.contributions[0].g1_s;
        m.contributions[1].g1_sx = m.contributions[0].g1_sx;
        m.contributions[0].g1_s = s;
        m.contributions[0].g1_sx = sx;
        *b = zkey::mpc_bytes(&m);
    });
    expect_contribution(
        c.verify("swapped.zkey").unwrap_err(),
        1,
        "alice",
        "transcript",
    );

    // The last contributor recomputes from the initial key, keeping the earlier records.
    common::edit_section(&c.p("c0.zkey"), &c.p("franken.zkey"), section::MPC, |b| {
        *b = zkey::mpc_bytes(&mpc_of(&c.p("c2.zkey")));
    });
    contribute(
        &c.p("franken.zkey"),
        &c.p("erased.zkey"),
        Some("eraser"),
        None,
    )
    .unwrap();
    expect_contribution(
        c.verify("erased.zkey").unwrap_err(),
        3,
        "eraser",
        "does not follow",
    );

    // One tampered L point, one tampered H point.
    for (id, what) in [(section::L, "(L)"), (section::H, "(H)")] {
        let out = c.p("tampered.zkey");
        common::edit_section(&c.p("c3.zkey"), &out, id, |b| {
            let p: G1Affine = g1_from_lem(&b[..64]).unwrap();
            b[..64].copy_from_slice(&g1_lem(&(p + p).into_affine()));
        });
        expect_contribution(c.verify("tampered.zkey").unwrap_err(), 3, "beacon", what);
    }
    // A, B1, B2 and IC are checked against the circuit (A, B1, B2 by a random linear
    // combination): one point moved to another valid point, in each, is refused.
    for (id, what) in [
        (section::IC, "(IC)"),
        (section::A, "(A)"),
        (section::B1, "(B1)"),
    ] {
        let out = c.p("moved.zkey");
        common::edit_section(&c.p("c3.zkey"), &out, id, |b| {
            // The last wire's point (IC: the last input's), plus the generator.
            let at = b.len() - 64;
            let p: G1Affine = g1_from_lem(&b[at..]).unwrap();
            b[at..].copy_from_slice(&g1_lem(&(p + G1Affine::generator()).into_affine()));
        });
        let err = c.verify("moved.zkey").unwrap_err();
        assert!(
            err.to_string().contains(what) && err.to_string().contains("not this circuit's"),
            "{what}: {err}"
        );
    }
    // A truncated A section is an error naming it, not a panic.
    common::edit_section(&c.p("c3.zkey"), &c.p("short.zkey"), section::A, |b| {
        b.pop();
    });
    let err = c.verify("short.zkey").unwrap_err();
    assert!(err.to_string().contains("(A)"), "{err}");
    let b2_moved = c.p("b2.zkey");
    common::edit_section(&c.p("c3.zkey"), &b2_moved, section::B2, |b| {
        let at = b.len() - 128;
        let q: G2Affine = g2_from_lem(&b[at..]).unwrap();
        b[at..].copy_from_slice(&g2_lem(&(q + G2Affine::generator()).into_affine()));
    });
    let err = c.verify("b2.zkey").unwrap_err();
    assert!(err.to_string().contains("(B2)"), "{err}");
    // A B2 point moved off the prime-order subgroup (by a point of the curve outside it,
    // which a linear combination could miss): refused when the section is decoded.
    common::edit_section(&c.p("c3.zkey"), &b2_moved, section::B2, |b| {
        let at = b.len() - 128;
        let q: G2Affine = g2_from_lem(&b[at..]).unwrap();
        let moved = (q + zkfl_ceremony::testing::g2_outside_subgroup()).into_affine();
        assert!(moved.is_on_curve() && !moved.is_in_correct_subgroup_assuming_on_curve());
        b[at..].copy_from_slice(&g2_lem(&moved));
    });
    let err = c.verify("b2.zkey").unwrap_err();
    assert!(err.to_string().contains("prime-order subgroup"), "{err}");

    // A point that is not on the curve is refused outright.
    common::edit_section(&c.p("c3.zkey"), &c.p("offcurve.zkey"), section::L, |b| {
        b[0] ^= 1
    });
    assert!(c
        .verify("offcurve.zkey")
        .unwrap_err()
        .to_string()
        .contains("not a valid G1 point"));

    // δ2 replaced by another point.
    common::edit_section(&c.p("c3.zkey"), &c.p("delta.zkey"), section::HEADER, |b| {
        let g2 = zkfl_ceremony::encoding::g2_lem(
            &(ark_bn254::G2Affine::generator() * ark_bn254::Fr::from(5u64)).into_affine(),
        );
        b[532..660].copy_from_slice(&g2);
    });
    expect_contribution(c.verify("delta.zkey").unwrap_err(), 3, "beacon", "δ2");

    // A beacon that is not last (made by hand: zkfl refuses to contribute after a beacon).
    let err = contribute(&c.p("c3.zkey"), &c.p("after.zkey"), Some("late"), None).unwrap_err();
    assert!(err.to_string().contains("closes the ceremony"), "{err}");
    common::edit_section(&c.p("c3.zkey"), &c.p("early.zkey"), section::MPC, |b| {
        let mut m = mpc_of(&c.p("c3.zkey"));
        m.contributions.swap(1, 2);
        *b = zkey::mpc_bytes(&m);
    });
    let err = c.verify("early.zkey").unwrap_err();
    assert!(
        matches!(err, CeremonyError::Contribution { index: 2, .. }),
        "{err}"
    );
}

#[test]
fn snarkjs_contribution_after_the_beacon_is_rejected() {
    let c = chain();
    common::run_snarkjs(&[
        "zkey",
        "contribute",
        c.p("c3.zkey").to_str().unwrap(),
        c.p("late.zkey").to_str().unwrap(),
        "--name=late",
        "-e=late entropy",
    ]);
    expect_contribution(
        c.verify("late.zkey").unwrap_err(),
        3,
        "beacon",
        "not the last",
    );
}

#[test]
fn a_key_for_another_shape_or_ptau_is_rejected() {
    let c = chain();
    let other_shape = R1cs::for_shape(&zkfl_circuits::Shape::new(2, 4)).unwrap();
    let init =
        InitialKey::build(&other_shape, &mut Ptau::open(&common::ptau12()).unwrap()).unwrap();
    let err = verify(&c.p("c3.zkey"), &init.reference).unwrap_err();
    assert!(err.to_string().contains("a key for another shape"), "{err}");

    let wrong = c.p("wrong.ptau");
    zkfl_ceremony::testing::write_insecure_ptau(&wrong, 12, 99).unwrap();
    let r1cs = R1cs::for_shape(&common::small_shape()).unwrap();
    let init = InitialKey::build(&r1cs, &mut Ptau::open(&wrong).unwrap()).unwrap();
    let err = verify(&c.p("c3.zkey"), &init.reference).unwrap_err();
    assert!(err.to_string().contains("another phase-1 file"), "{err}");

    // And a ptau too small for the shape names the power it needs.
    let small = c.p("small.ptau");
    zkfl_ceremony::testing::write_insecure_ptau(&small, 11, 1).unwrap();
    let err = InitialKey::build(&r1cs, &mut Ptau::open(&small).unwrap()).unwrap_err();
    assert!(err.to_string().contains("needs a domain of 2^12"), "{err}");
}
