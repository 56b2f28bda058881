//! Shared test fixtures: a toy Groth16 circuit with the chunk circuit's public-input count,
//! compiled contracts, and helpers.
//!
//! The toy circuit stands in for zkfl-circuits' ChunkCircuit where only the verifier's
//! behaviour matters: it has l = 2n + 7 public inputs and binds every one of them
//! (x_i * x_i = y_i, and the y_i are summed into one more witness), so a proof for one
//! input vector does not verify for another. Its keys come from a FIXED SEED: test-only,
//! never ship such a key (gamma/delta are then public knowledge).
#![allow(dead_code)]

use std::sync::OnceLock;

use alloy_primitives::{Address, U256};
use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, Proof, ProvingKey, VerifyingKey};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError,
};
use ark_snark::SNARK;
use ark_std::rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkfl_contracts::render::render_sources;
use zkfl_contracts::solc::{Artifact, Solc};
use zkfl_contracts::ContractsError;

/// Slots used by the tests: n = 8 is the shape whose bytecode size must stay under EIP-170.
pub const SLOTS: usize = 8;
pub const L: usize = 2 * SLOTS + 7;

/// The shape the contracts are rendered for: the toy key has the chunk circuit's input
/// count for n = [`SLOTS`]; m only sets the empty-slot constant, which the registry tests
/// (real chunk circuits, their own shape) exercise.
pub fn toy_shape() -> zkfl_circuits::Shape {
    zkfl_circuits::Shape::new(SLOTS, 4)
}

#[derive(Clone)]
pub struct ToyCircuit {
    pub inputs: Vec<Fr>,
}

impl ConstraintSynthesizer<Fr> for ToyCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let mut sum_lc = LinearCombination::zero();
        let mut sum = Fr::from(0u64);
        for x in self.inputs {
            let xv = cs.new_input_variable(|| Ok(x))?;
            let y = x * x;
            let yv = cs.new_witness_variable(|| Ok(y))?;
            cs.enforce_r1cs_constraint(|| xv.into(), || xv.into(), || yv.into())?;
            sum_lc = sum_lc + yv;
            sum += y;
        }
        let sv = cs.new_witness_variable(|| Ok(sum))?;
        cs.enforce_r1cs_constraint(
            || sum_lc,
            || LinearCombination::from(ark_relations::gr1cs::Variable::One),
            || sv.into(),
        )?;
        Ok(())
    }
}

pub struct Toy {
    pub pk: ProvingKey<Bn254>,
    pub vk: VerifyingKey<Bn254>,
}

impl Toy {
    pub fn prove(&self, inputs: &[Fr], seed: u64) -> Proof<Bn254> {
        assert_eq!(inputs.len(), L);
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let proof = Groth16::<Bn254>::prove(
            &self.pk,
            ToyCircuit {
                inputs: inputs.to_vec(),
            },
            &mut rng,
        )
        .expect("toy proof");
        // Cross-check with arkworks so an EVM rejection can only come from the contract.
        assert!(Groth16::<Bn254>::verify(&self.vk, inputs, &proof).expect("verify"));
        proof
    }
}

pub fn toy() -> &'static Toy {
    static TOY: OnceLock<Toy> = OnceLock::new();
    TOY.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(0x7a6b_666c);
        let circuit = ToyCircuit {
            inputs: vec![Fr::from(0u64); L],
        };
        let (pk, vk) = Groth16::<Bn254>::circuit_specific_setup(circuit, &mut rng).expect("setup");
        assert_eq!(vk.gamma_abc_g1.len(), toy_shape().num_public_inputs() + 1);
        Toy { pk, vk }
    })
}

pub fn solc() -> Solc {
    match Solc::locate() {
        Ok(s) => s,
        Err(e @ ContractsError::SolcMissing { .. }) => panic!("{e}"),
        Err(e) => panic!("locating solc: {e}"),
    }
}

pub struct Compiled {
    pub verifier: Artifact,
    pub registry: Artifact,
}

/// Renders and compiles both contracts for `vk` (solc-js takes seconds: call once per key).
pub fn compile(vk: &VerifyingKey<Bn254>) -> Compiled {
    let sources = render_sources(vk, &toy_shape()).expect("render");
    let mut a = solc().compile(&sources).expect("compile");
    Compiled {
        verifier: a.remove("ZkflVerifier").expect("ZkflVerifier artifact"),
        registry: a
            .remove("ZkflRoundRegistry")
            .expect("ZkflRoundRegistry artifact"),
    }
}

/// The toy key's contracts, compiled once per test binary.
pub fn compiled() -> &'static Compiled {
    static C: OnceLock<Compiled> = OnceLock::new();
    C.get_or_init(|| compile(&toy().vk))
}

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

pub fn addr(b: u8) -> Address {
    Address::repeat_byte(b)
}

pub fn r() -> U256 {
    zkfl_contracts::encode::fr_modulus()
}

/// Signing keys of the test clients, sorted by address (slot i of a test round is signed by
/// key i, so that signed slots ascend). FIXED keys: test only.
pub fn client_keys() -> &'static [alloy_signer_local::PrivateKeySigner] {
    static KEYS: OnceLock<Vec<alloy_signer_local::PrivateKeySigner>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys: Vec<_> = (1..=9u8)
            .map(|i| {
                alloy_signer_local::PrivateKeySigner::from_bytes(
                    &alloy_primitives::B256::repeat_byte(i),
                )
                .expect("a valid secp256k1 key")
            })
            .collect();
        keys.sort_by_key(|k| k.address());
        keys
    })
}

/// A task for the registry at `registry` on `chain_id`, whose roster is `roster`.
pub fn task_for(
    chain_id: u64,
    registry: Address,
    roster: &zkfl_task::Roster,
    quorum: u32,
) -> zkfl_task::Task {
    zkfl_task::Task::new("zkfl-contracts tests", chain_id, registry, roster, quorum)
}

/// `key`'s signature of `UpdateCommitment{round, prev_model, update, weight}` under `task`,
/// as a bundle slot and as calldata.
pub fn sign_slot(
    task: &zkfl_task::Task,
    key: &alloy_signer_local::PrivateKeySigner,
    round: u64,
    prev_model: zkfl_circuits::Commitment,
    update: zkfl_circuits::Commitment,
    weight: u64,
) -> zkfl_contracts::round::SlotClient {
    let signed =
        zkfl_task::SignedUpdate::sign(task, key, round, prev_model, update, weight).expect("sign");
    let mut signature = [0u8; 65];
    hex::decode_to_slice(&signed.slot.signature[2..], &mut signature).expect("65-byte hex");
    zkfl_contracts::round::SlotClient {
        signer: signed.slot.signer,
        signature,
    }
}

/// The bundle form of a slot's client.
pub fn client_signature(
    c: &zkfl_contracts::round::SlotClient,
) -> zkfl_circuits::bundle::ClientSignature {
    zkfl_circuits::bundle::ClientSignature {
        signer: format!("0x{}", hex::encode(c.signer)),
        signature: format!("0x{}", hex::encode(c.signature)),
    }
}

/// `owner` enrolls `clients` in the registry at `registry` (one `enrollMany`).
pub fn enroll(
    evm: &mut zkfl_contracts::evm::Evm,
    registry: Address,
    owner: Address,
    clients: &[Address],
) {
    evm.call(
        owner,
        registry,
        zkfl_contracts::round::enroll_calldata(clients),
        "enrollMany",
    )
    .expect("enrollMany");
}
