//! Signing and checking signed updates: the honest round passes, and each attack the issue
//! lists (substitution, replay, another registry or chain, unenrolled signer, duplicate
//! client, weight changed after signing, the high-s twin, below quorum) is refused with its
//! own error.

use alloy_primitives::{Address, U256};
use alloy_signer_local::PrivateKeySigner;
use zkfl_circuits::Commitment;
use zkfl_task::{check_round, Roster, SignedUpdate, SlotClaim, SlotSignature, Task, TaskError};

/// Anvil's / Foundry's well-known test keys 0..3 (public knowledge: tests only).
const KEYS: [&str; 4] = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
];

fn key(i: usize) -> PrivateKeySigner {
    KEYS[i].parse().expect("key")
}

fn c(b: u8) -> Commitment {
    Commitment([b; 32])
}

struct Setup {
    task: Task,
    roster: Roster,
    /// Clients 0..3 enrolled, sorted by address; client 3 is not enrolled.
    signers: Vec<PrivateKeySigner>,
}

fn setup(quorum: u32) -> Setup {
    let mut signers: Vec<_> = (0..3).map(key).collect();
    signers.sort_by_key(|k| k.address());
    let roster = Roster::new(signers.iter().map(|k| k.address()).collect()).unwrap();
    let registry: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
        .parse()
        .unwrap();
    Setup {
        task: Task::new("test", 31337, registry, &roster, quorum),
        roster,
        signers,
    }
}

fn sign(
    s: &Setup,
    k: &PrivateKeySigner,
    round: u64,
    prev: Commitment,
    upd: Commitment,
    w: u64,
) -> SignedUpdate {
    SignedUpdate::sign(&s.task, k, round, prev, upd, w).expect("sign")
}

fn claims<'a>(records: &[(u64, Commitment, Option<&'a SignedUpdate>)]) -> Vec<SlotClaim<'a>> {
    records
        .iter()
        .map(|(w, c, r)| SlotClaim {
            weight: *w,
            commitment: *c,
            signature: r.map(|r| &r.slot),
        })
        .collect()
}

#[test]
fn an_honest_round_passes_and_every_attack_has_its_error() {
    let s = setup(2);
    let prev = c(0xaa);
    let r0 = sign(&s, &s.signers[0], 5, prev, c(1), 120);
    let r1 = sign(&s, &s.signers[1], 5, prev, c(2), 80);
    let ok = check_round(
        &s.task,
        &s.roster,
        5,
        &prev,
        &claims(&[
            (120, c(1), Some(&r0)),
            (80, c(2), Some(&r1)),
            (0, Commitment::default(), None),
        ]),
    )
    .expect("honest round");
    assert_eq!(
        ok.signers(),
        vec![s.signers[0].address(), s.signers[1].address()]
    );

    let err = |slots: &[(u64, Commitment, Option<&SignedUpdate>)], round: u64| {
        check_round(&s.task, &s.roster, round, &prev, &claims(slots)).expect_err("refused")
    };
    // A substituted update: the signature is for another commitment.
    assert!(matches!(
        err(&[(120, c(9), Some(&r0)), (80, c(2), Some(&r1))], 5),
        TaskError::BadSignature { slot: 0, .. }
    ));
    // Replay of round 5's signatures in round 6.
    assert!(matches!(
        err(&[(120, c(1), Some(&r0)), (80, c(2), Some(&r1))], 6),
        TaskError::BadSignature { slot: 0, .. }
    ));
    // The weight changed after signing.
    assert!(matches!(
        err(&[(121, c(1), Some(&r0)), (80, c(2), Some(&r1))], 5),
        TaskError::BadSignature { slot: 0, .. }
    ));
    // The same client twice.
    let r0b = sign(&s, &s.signers[0], 5, prev, c(3), 10);
    assert!(matches!(
        err(&[(120, c(1), Some(&r0)), (10, c(3), Some(&r0b))], 5),
        TaskError::DuplicateClient {
            first: 0,
            second: 1,
            ..
        }
    ));
    // An unenrolled signer.
    let outsider = sign(&s, &key(3), 5, prev, c(4), 10);
    assert!(matches!(
        err(&[(120, c(1), Some(&r0)), (10, c(4), Some(&outsider))], 5),
        TaskError::NotEnrolled { slot: 1, .. }
    ));
    // Below quorum.
    assert!(matches!(
        err(
            &[(120, c(1), Some(&r0)), (0, Commitment::default(), None)],
            5
        ),
        TaskError::Quorum {
            clients: 1,
            quorum: 2
        }
    ));
    // A weighted slot without a signature, and an empty slot with one.
    assert!(matches!(
        err(&[(120, c(1), None), (80, c(2), Some(&r1))], 5),
        TaskError::Unsigned { slot: 0, .. }
    ));
    assert!(matches!(
        err(&[(0, c(1), Some(&r0)), (80, c(2), Some(&r1))], 5),
        TaskError::SignedEmptySlot { slot: 0 }
    ));
    // Signers out of address order.
    let e = err(&[(80, c(2), Some(&r1)), (120, c(1), Some(&r0))], 5);
    assert!(e.to_string().contains("ascending"), "{e}");

    // The high-s twin of a valid signature: same r, s' = n − s, flipped v.
    let sig = r0.slot.decode(0).unwrap();
    let n = alloy_primitives::uint!(
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141_U256
    );
    let twin = alloy_primitives::Signature::new(sig.r(), n - sig.s(), !sig.v());
    let mut high = r0.clone();
    high.slot = SlotSignature {
        signer: r0.slot.signer,
        signature: SlotSignature::encode(&twin),
    };
    // The twin does recover the same signer: only the low-s rule refuses it.
    let hash = zkfl_task::signing_hash(&s.task, &r0.message());
    assert_eq!(
        twin.recover_address_from_prehash(&hash).unwrap(),
        r0.slot.signer
    );
    assert!(matches!(
        err(&[(120, c(1), Some(&high)), (80, c(2), Some(&r1))], 5),
        TaskError::HighS { slot: 0 }
    ));
    assert!(twin.s() > U256::ZERO);
}

#[test]
fn signatures_are_bound_to_the_registry_and_the_chain() {
    let s = setup(1);
    let prev = c(0xaa);
    for other in [
        Task::new("test", 1, s.task.registry, &s.roster, 1),
        Task::new("test", 31337, Address::repeat_byte(0x11), &s.roster, 1),
    ] {
        let r = SignedUpdate::sign(&other, &s.signers[0], 5, prev, c(1), 7).unwrap();
        let e = check_round(
            &s.task,
            &s.roster,
            5,
            &prev,
            &claims(&[(7, c(1), Some(&r))]),
        )
        .expect_err("another domain");
        assert!(matches!(e, TaskError::BadSignature { slot: 0, .. }), "{e}");
    }
}

#[test]
fn encodings_are_strict() {
    let s = setup(1);
    let r = sign(&s, &s.signers[0], 1, c(0), c(1), 1);
    let mut bad = r.slot.clone();
    for (edit, what) in [
        (
            r.slot.signature.to_uppercase().replacen("0X", "0x", 1),
            "upper case",
        ),
        (
            r.slot.signature.trim_start_matches("0x").to_string(),
            "no prefix",
        ),
        (format!("{}00", r.slot.signature), "66 bytes"),
        (format!("{}01", &r.slot.signature[..130]), "v = 1"),
    ] {
        bad.signature = edit;
        assert!(bad.decode(0).is_err(), "{what}");
    }
    // Round trip through JSON.
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(serde_json::from_str::<SignedUpdate>(&json).unwrap(), r);
    assert!(serde_json::from_str::<SignedUpdate>(
        &json.replace("\"round\"", "\"extra\":1,\"round\"")
    )
    .is_err());
}

/// The EIP-712 digest and signature of PROTOCOL.md §10's test vector, which ethers and viem
/// reproduce (verifier/tests/eip712.js checks it with ethers).
#[test]
fn protocol_test_vector() {
    let s = setup(1);
    let r = SignedUpdate::sign(&s.task, &key(0), 1, c(0x11), c(0x22), 100).unwrap();
    let digest = zkfl_task::signing_hash(&s.task, &r.message());
    println!(
        "signer {}\ndigest {digest}\nsignature {}",
        r.slot.signer, r.slot.signature
    );
    assert_eq!(
        r.slot.signer,
        "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
            .parse::<Address>()
            .unwrap()
    );
    // RFC 6979 makes the signature deterministic: pinned so that a change shows.
    let vector: serde_json::Value =
        serde_json::from_str(include_str!("vectors/signed-update-v1.json")).expect("vector");
    assert_eq!(vector["digest"], format!("{digest}"));
    assert_eq!(vector["record"], serde_json::to_value(&r).unwrap());
}
