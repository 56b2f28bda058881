//! The registry tests' fixture: real zkfl-circuits rounds, proven once per test binary,
//! and a freshly deployed registry per test.
//!
//! The keys come from a FIXED SEED: test-only, never ship such a key.

use std::sync::OnceLock;

use alloy_primitives::{Address, U256};
use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, PreparedVerifyingKey, ProvingKey, VerifyingKey};
use ark_snark::SNARK;
use ark_std::rand::Rng;
use zkfl_circuits::{
    bundle::RoundBundle,
    commit::random_salts as salts,
    keys::{vk_digest_hex, KeyHeader},
    testing::RandomRound,
    ChunkCircuit, Kind, Round, RoundInput, Shape,
};
use zkfl_contracts::encode::{fr_to_word, function_calldata as call, proof_to_words, ProofWords};
use zkfl_contracts::evm::{CallOutcome, Evm};
use zkfl_contracts::revert::RevertReason;
use zkfl_contracts::round::{RegistryParams, RoundCall, RoundPublic, SlotClient};
use zkfl_contracts::ContractsError;
use zkfl_task::{Roster, Task};

use crate::common::{
    addr, client_keys, client_signature, compile, enroll, rng, sign_slot, task_for, Compiled, SLOTS,
};

pub const M: usize = 4;
pub const D: usize = 10; // K = ceil(10 / 4) = 3 chunks, the last one zero-padded
pub const K: usize = 3;

pub const OWNER: u8 = 0xa0;
pub const COORDINATOR: u8 = 0xc0;
/// The task's quorum and the registry's minClients.
pub const QUORUM: u32 = 3;
/// revm's chain id.
pub const CHAIN_ID: u64 = 1;

/// Where [`deploy`] puts the registry (the owner's first creation), known before deployment
/// so that the task, and the clients' signatures, can name it.
pub fn registry_address() -> Address {
    addr(OWNER).create(0)
}

/// The enrolled clients: the first eight test keys (the ninth is never enrolled).
pub fn roster() -> Roster {
    Roster::new(client_keys()[..SLOTS].iter().map(|k| k.address()).collect()).expect("roster")
}

/// The task of the test registry.
pub fn task() -> Task {
    task_for(CHAIN_ID, registry_address(), &roster(), QUORUM)
}

/// Slot i of `round` (round index `index`) signed by client key i, for every slot of
/// weight > 0, under `task`.
pub fn sign_round(task: &Task, index: u64, round: &Round) -> Vec<Option<SlotClient>> {
    round
        .input
        .slots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (s.weight > 0).then(|| {
                sign_slot(
                    task,
                    &client_keys()[i],
                    index,
                    round.model_commitment,
                    round.update_commitments[i],
                    s.weight,
                )
            })
        })
        .collect()
}

pub fn shape() -> Shape {
    Shape::new(SLOTS, M)
}

/// Everything proven once per test binary (proving dominates the run time).
pub struct Fixture {
    /// The seeded proving key and its prepared verifying key, for tests that prove more.
    pub pk: ProvingKey<Bn254>,
    pub pvk: PreparedVerifyingKey<Bn254>,
    pub compiled: Compiled,
    /// The verifying key and the header zkfl-verify reads with it.
    pub vk: VerifyingKey<Bn254>,
    pub header: KeyHeader,
    /// The rounds below as `zkfl prove` writes them (round.json), for the parity test.
    pub bundles: Bundles,
    /// The honest round 1 (M_0 -> M_1) and its calldata.
    pub round1: Round,
    pub call1: RoundCall,
    /// The honest round 2 (M_1 -> M_2).
    pub round2: Round,
    pub call2: RoundCall,
    /// Round 1 rebuilt with other accumulator salts: same hashes, other accumulators.
    /// Chunk 1's proof of it starts from an accumulator chunk 0 of `call1` does not end in.
    pub alt_acc: (Vec<U256>, ProofWords),
    /// Round 1 with slot 4 at weight 0 but carrying a real update: the circuit proves it
    /// (the update does not move the model), only the empty-slot rule refuses it.
    pub zero_weight: RoundCall,
    /// Round 1 with all eight slots active and B₂² = 2^Nb: the circuit proves it (every
    /// B₂² − S_i < 2^Nb because every S_i > 0), only the bound check refuses it.
    pub wide_norm: RoundCall,
    /// Round 1 proven with slot 0's weight raised by one, carrying round 1's honest
    /// signatures (slot 0's signs the old weight): only the signature check refuses it.
    pub reweighted: RoundCall,
}

/// Five clients with random weights and updates within B_inf, three empty slots.
pub fn spec(seed: u64) -> RandomRound {
    RandomRound {
        linf: 500,
        max_weight: 100,
        empty: (5..SLOTS).collect(),
        seed,
        ..RandomRound::new(shape(), D)
    }
}

/// [`spec`]'s round starting from `model`.
pub fn round_input(model: Vec<i64>, model_salts: Vec<Fr>, seed: u64) -> RoundInput {
    spec(seed).input_from(model, model_salts)
}

/// The registry's view of a native round. Cross-checks the contracts crate's public-input
/// layout and commitments against zkfl-circuits' own.
pub fn round_public(round: &Round) -> RoundPublic {
    let b = round.input.bounds;
    let public = RoundPublic {
        b_inf: Fr::from(b.linf),
        b2_sq: Fr::from(b.l2_sq),
        weights: round
            .input
            .slots
            .iter()
            .map(|s| Fr::from(s.weight))
            .collect(),
        old_model_hashes: round.model_hashes.clone(),
        new_model_hashes: round.new_model_hashes.clone(),
        update_hashes: round.update_hashes.clone(),
        accumulators: round.accs.clone(),
    };
    for c in 0..K {
        assert_eq!(
            public.chunk_inputs(c),
            round.public(c).to_vec(),
            "chunk {c} layout"
        );
    }
    assert_eq!(
        zkfl_circuits::commit::commitment(Kind::Model, D as u64, &round.model_hashes).0,
        round.model_commitment.0
    );
    assert_eq!(
        zkfl_circuits::commit::commitment(Kind::Update, D as u64, &round.update_hashes[0]).0,
        round.update_commitments[0].0
    );
    public
}

pub fn prove_chunk(
    pk: &ProvingKey<Bn254>,
    pvk: &PreparedVerifyingKey<Bn254>,
    round: &Round,
    c: usize,
    seed: u64,
) -> ark_groth16::Proof<Bn254> {
    let circuit = ChunkCircuit {
        shape: shape(),
        witness: round.witness(c),
    };
    let proof = Groth16::<Bn254>::prove(pk, circuit, &mut rng(seed)).expect("prove chunk");
    // arkworks must accept it, so that an EVM rejection can only come from the contract.
    assert!(
        Groth16::<Bn254>::verify_with_processed_vk(pvk, &round.public(c).to_vec(), &proof)
            .expect("verify")
    );
    proof
}

/// The fixture's rounds as bundles (round.json).
pub struct Bundles {
    pub round1: RoundBundle,
    pub round2: RoundBundle,
    pub zero_weight: RoundBundle,
    pub wide_norm: RoundBundle,
    pub reweighted: RoundBundle,
}

/// Proves `round` and signs it as its clients do.
pub fn prove_round(
    pk: &ProvingKey<Bn254>,
    pvk: &PreparedVerifyingKey<Bn254>,
    index: u64,
    round: &Round,
    seed: u64,
) -> (RoundCall, RoundBundle) {
    prove_round_signed(
        pk,
        pvk,
        index,
        round,
        seed,
        sign_round(&task(), index, round),
    )
}

/// Proves `round` and attaches `clients` as its slots' signatures.
pub fn prove_round_signed(
    pk: &ProvingKey<Bn254>,
    pvk: &PreparedVerifyingKey<Bn254>,
    index: u64,
    round: &Round,
    seed: u64,
    clients: Vec<Option<SlotClient>>,
) -> (RoundCall, RoundBundle) {
    let proofs: Vec<_> = (0..K)
        .map(|c| prove_chunk(pk, pvk, round, c, seed + c as u64))
        .collect();
    let call = RoundCall::new(
        index,
        &round_public(round),
        &proofs,
        &clients,
        &roster().clients,
    )
    .expect("round shape");
    let floats = round
        .input
        .bounds
        .to_floats(&shape())
        .expect("perfect-square B₂²");
    let digest = vk_digest_hex(&pvk.vk);
    let bundle = RoundBundle::from_round(round, index, index == 1, &digest, floats, &proofs)
        .signed(
            clients
                .iter()
                .map(|c| c.as_ref().map(client_signature))
                .collect(),
        );
    (call, bundle)
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let (pk, vk) =
            Groth16::<Bn254>::circuit_specific_setup(ChunkCircuit::blank(shape()), &mut rng(0x5e7))
                .expect("setup");
        let pvk = Groth16::<Bn254>::process_vk(&vk).expect("process vk");
        let compiled = compile(&vk);

        let mut r = rng(1);
        let model: Vec<i64> = (0..D)
            .map(|_| r.gen_range(-(1i64 << 20)..(1i64 << 20)))
            .collect();
        let input1 = round_input(model, salts(&mut r, K), 10);
        let round1 = Round::build(input1.clone()).expect("round 1");
        let (call1, bundle1) = prove_round(&pk, &pvk, 1, &round1, 100);

        let mut reweighted = input1.clone();
        reweighted.slots[0].weight += 1;
        let reweighted = Round::build(reweighted).expect("round 1, slot 0 reweighted");
        assert_eq!(reweighted.update_commitments, round1.update_commitments);
        let (reweighted, reweighted_bundle) = prove_round_signed(
            &pk,
            &pvk,
            1,
            &reweighted,
            600,
            sign_round(&task(), 1, &round1),
        );

        let input2 = round_input(round1.new_model.clone(), input1.new_model_salts.clone(), 20);
        let round2 = Round::build(input2).expect("round 2");
        let (call2, bundle2) = prove_round(&pk, &pvk, 2, &round2, 200);

        let mut alt_input = input1;
        alt_input.acc_salts = salts(&mut r, K + 1);
        let alt = Round::build(alt_input).expect("alt round");
        assert_eq!(alt.new_model_hashes, round1.new_model_hashes);
        assert_ne!(alt.accs[1], round1.accs[1]);
        let alt_proof = proof_to_words(&prove_chunk(&pk, &pvk, &alt, 1, 300));
        let alt_accs = alt.accs.iter().map(fr_to_word).collect();

        let model_salts = round1.input.model_salts.clone();
        let zero_weight = RandomRound {
            zero_weight: vec![4],
            ..spec(10)
        }
        .input_from(round1.input.model.clone(), model_salts.clone());
        let zero_weight = Round::build(zero_weight).expect("a weight-0 slot with an update");
        assert_eq!(zero_weight.model_commitment, round1.model_commitment);
        let (zero_weight, zero_weight_bundle) = prove_round(&pk, &pvk, 1, &zero_weight, 400);

        let mut wide = Round::build(
            RandomRound {
                empty: vec![],
                ..spec(11)
            }
            .input_from(round1.input.model.clone(), model_salts),
        )
        .expect("all slots active");
        wide.input.bounds.l2_sq = 1u128 << shape().norm_bits;
        let (wide_norm, wide_norm_bundle) = prove_round(&pk, &pvk, 1, &wide, 500);

        let header = KeyHeader {
            kind: "verifying".into(),
            shape: shape(),
            insecure_seed: Some(0x5e7),
            vk_digest: vk_digest_hex(&vk),
            reduction: Default::default(),
            provenance: None,
        };
        Fixture {
            pk,
            pvk,
            compiled,
            vk,
            header,
            bundles: Bundles {
                round1: bundle1,
                round2: bundle2,
                zero_weight: zero_weight_bundle,
                wide_norm: wide_norm_bundle,
                reweighted: reweighted_bundle,
            },
            round1,
            call1,
            round2,
            call2,
            alt_acc: (alt_accs, alt_proof),
            zero_weight,
            wide_norm,
            reweighted,
        }
    })
}

pub struct Chain {
    pub evm: Evm,
    pub registry: Address,
}

pub fn genesis() -> [u8; 32] {
    fixture().round1.model_commitment.0
}

/// Constructor arguments of the test registry: genesis = round 1's previous model.
pub fn params() -> RegistryParams {
    params_for(&shape(), genesis())
}

/// Constructor arguments of a registry for `s` (d = D) starting from `genesis_model`.
pub fn params_for(s: &Shape, genesis_model: [u8; 32]) -> RegistryParams {
    RegistryParams {
        coordinator: addr(COORDINATOR),
        genesis_model,
        model_dim: D as u64,
        chunks: K as u64,
        chunk_size: M as u64,
        frac_bits: s.frac_bits as u8,
        update_bits: s.update_bits as u8,
        model_bits: s.model_bits as u8,
        weight_bits: s.weight_bits as u8,
        norm_bits: s.norm_bits as u8,
        min_clients: QUORUM.into(),
    }
}

/// A fresh registry at [`registry_address`] with the [`roster`] enrolled.
pub fn deploy() -> Chain {
    deploy_with(&fixture().compiled, &params())
}

/// Deploys `compiled`'s registry with `params` on a fresh chain.
pub fn deploy_with(compiled: &Compiled, params: &RegistryParams) -> Chain {
    let mut initcode = compiled.registry.bytecode.clone();
    initcode.extend(params.constructor_args());
    let mut evm = Evm::new();
    assert_eq!(evm.chain_id(), CHAIN_ID);
    let registry = evm
        .deploy(addr(OWNER), initcode, "deploy registry")
        .expect("deploy registry");
    assert_eq!(registry, registry_address());
    enroll(&mut evm, registry, addr(OWNER), &roster().clients);
    Chain { evm, registry }
}

pub fn view(chain: &mut Chain, signature: &str) -> Vec<u8> {
    chain
        .evm
        .call(
            addr(0x01),
            chain.registry,
            call(signature, vec![]),
            signature,
        )
        .expect(signature)
        .output
}

pub fn stored_commitment(chain: &mut Chain) -> [u8; 32] {
    view(chain, "modelCommitment()")
        .try_into()
        .expect("32 bytes")
}

/// Sends `round` with the registry's current roster, as `zkfl submit` does (it reads
/// `roster()` just before sending); [`submit_as_built`] sends the roster `round` carries.
pub fn submit(
    chain: &mut Chain,
    from: u8,
    round: &RoundCall,
) -> Result<CallOutcome, ContractsError> {
    let mut round = round.clone();
    round.roster = chain.evm.roster(addr(from), chain.registry)?;
    submit_as_built(chain, from, &round)
}

/// Sends `round` exactly as built.
pub fn submit_as_built(
    chain: &mut Chain,
    from: u8,
    round: &RoundCall,
) -> Result<CallOutcome, ContractsError> {
    chain
        .evm
        .call(addr(from), chain.registry, round.calldata(), "submitRound")
}

pub fn reason(r: Result<CallOutcome, ContractsError>) -> RevertReason {
    match r {
        Err(ContractsError::Reverted { reason, .. }) => *reason,
        other => panic!("expected a revert, got {other:?}"),
    }
}

/// A freshly deployed registry and the honest round 1 for it.
pub fn round_one() -> (Chain, RoundCall) {
    (deploy(), fixture().call1.clone())
}
