//! The registry's size limits: `roundGasBound(k, R)` must cover every accepted round up to
//! `maxChunks(R)` with a roster of R clients, so a registry that deploys can always take a
//! round under the 2^24 transaction gas cap and 127 KiB of calldata; one that cannot is
//! refused at deployment with `RoundTooLarge`, and an enrolment that would break it with
//! `RosterTooLarge`.
//!
//! Large rounds need hundreds of valid chunk proofs. Proving real chunk circuits that many
//! times would take minutes, so these tests verify against a key whose trapdoor they know
//! and SIMULATE Groth16 proofs for arbitrary public inputs (valid proofs of nothing: only
//! the gas matters here; the registry's soundness is tested with real proofs in
//! tests/registry). Never do this outside a test.

#[path = "common/mod.rs"]
mod common;

use alloy_primitives::{Address, U256};
use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{CurveGroup, PrimeGroup};
use ark_ff::{Field, UniformRand};
use ark_groth16::{Groth16, Proof, VerifyingKey};
use ark_snark::SNARK;
use ark_std::rand::Rng;
use common::{addr, client_keys, enroll, rng, sign_slot, solc, task_for};
use zkfl_circuits::{
    commit::{commitment, empty_chunk_hash},
    Kind, Shape,
};
use zkfl_contracts::encode::function_calldata as call;
use zkfl_contracts::evm::Evm;
use zkfl_contracts::render::render_sources;
use zkfl_contracts::revert::RevertReason;
use zkfl_contracts::round::{RegistryParams, RoundCall, RoundPublic};
use zkfl_contracts::solc::Artifact;
use zkfl_contracts::ContractsError;
use zkfl_task::Roster;

const M: u64 = 4;
const COORDINATOR: u8 = 0xc0;
const OWNER: u8 = 0xa0;

/// A verifying key with known α, β, γ, δ and IC scalars.
struct Trapdoor {
    alpha: Fr,
    beta: Fr,
    gamma: Fr,
    delta: Fr,
    ic: Vec<Fr>,
    vk: VerifyingKey<Bn254>,
}

impl Trapdoor {
    fn new(l: usize, r: &mut impl Rng) -> Self {
        let g1 = |x: Fr| (G1Projective::generator() * x).into_affine();
        let g2 = |x: Fr| (G2Projective::generator() * x).into_affine();
        let (alpha, beta, gamma, delta) = (Fr::rand(r), Fr::rand(r), Fr::rand(r), Fr::rand(r));
        let ic: Vec<Fr> = (0..=l).map(|_| Fr::rand(r)).collect();
        let vk = VerifyingKey {
            alpha_g1: g1(alpha),
            beta_g2: g2(beta),
            gamma_g2: g2(gamma),
            delta_g2: g2(delta),
            gamma_abc_g1: ic.iter().map(|x| g1(*x)).collect(),
        };
        Self {
            alpha,
            beta,
            gamma,
            delta,
            ic,
            vk,
        }
    }

    /// A = a·G1, B = b·G2, C = ((ab − αβ − γ·IC(x)) / δ)·G1 satisfies the verification
    /// equation e(A, B) = e(α, β)·e(IC(x), γ)·e(C, δ) for any inputs x.
    fn simulate(&self, inputs: &[Fr], r: &mut impl Rng) -> Proof<Bn254> {
        let (a, b) = (Fr::rand(r), Fr::rand(r));
        let ic_x = self.ic[0]
            + inputs
                .iter()
                .zip(&self.ic[1..])
                .map(|(x, i)| *x * i)
                .sum::<Fr>();
        let c = (a * b - self.alpha * self.beta - self.gamma * ic_x)
            * self.delta.inverse().expect("δ ≠ 0");
        let g1: G1Affine = (G1Projective::generator() * a).into_affine();
        let g2: G2Affine = (G2Projective::generator() * b).into_affine();
        Proof {
            a: g1,
            b: g2,
            c: (G1Projective::generator() * c).into_affine(),
        }
    }
}

struct Registry {
    shape: Shape,
    key: Trapdoor,
    artifact: Artifact,
}

impl Registry {
    fn compile(slots: usize, seed: u64) -> Self {
        let shape = Shape::new(slots, M as usize);
        let key = Trapdoor::new(shape.num_public_inputs(), &mut rng(seed));
        let artifact = solc()
            .compile(&render_sources(&key.vk, &shape).expect("render"))
            .expect("compile")
            .remove("ZkflRoundRegistry")
            .expect("registry artifact");
        Self {
            shape,
            key,
            artifact,
        }
    }

    fn params(&self, k: u64, genesis: [u8; 32]) -> RegistryParams {
        let s = self.shape;
        RegistryParams {
            coordinator: addr(COORDINATOR),
            genesis_model: genesis,
            model_dim: k * M,
            chunks: k,
            chunk_size: M,
            frac_bits: s.frac_bits as u8,
            update_bits: s.update_bits as u8,
            model_bits: s.model_bits as u8,
            weight_bits: s.weight_bits as u8,
            norm_bits: s.norm_bits as u8,
            min_clients: 1,
        }
    }

    /// Deploys a registry and enrolls every test client.
    fn deploy(&self, evm: &mut Evm, k: u64, genesis: [u8; 32]) -> Result<Address, ContractsError> {
        let at = self.deploy_empty(evm, k, genesis)?;
        let clients: Vec<Address> = client_keys().iter().map(|k| k.address()).collect();
        enroll(evm, at, addr(OWNER), &clients);
        Ok(at)
    }

    /// Deploys a registry with no client enrolled.
    fn deploy_empty(
        &self,
        evm: &mut Evm,
        k: u64,
        genesis: [u8; 32],
    ) -> Result<Address, ContractsError> {
        evm.deploy(
            addr(OWNER),
            self.params(k, genesis).initcode(&self.artifact.bytecode),
            "deploy registry",
        )
    }

    /// A round of k chunks with random chunk hashes and accumulators; `active` slots carry
    /// weight 1 and random update hashes, signed by test client i for the registry at `at`,
    /// the rest are canonical empty slots.
    fn round(&self, k: usize, active: usize, seed: u64, at: Address) -> RoundCall {
        let mut r = rng(seed);
        let n = self.shape.slots;
        let mut random = |len: usize| (0..len).map(|_| Fr::rand(&mut r)).collect::<Vec<_>>();
        let empty = empty_chunk_hash(&self.shape);
        let public = RoundPublic {
            b_inf: Fr::from(100u64),
            b2_sq: Fr::from(10_000u64),
            weights: (0..n).map(|i| Fr::from(u64::from(i < active))).collect(),
            old_model_hashes: random(k),
            new_model_hashes: random(k),
            update_hashes: (0..n)
                .map(|i| {
                    if i < active {
                        random(k)
                    } else {
                        vec![empty; k]
                    }
                })
                .collect(),
            accumulators: random(k + 1),
        };
        let mut r = rng(seed + 1);
        let proofs: Vec<_> = (0..k)
            .map(|c| self.key.simulate(&public.chunk_inputs(c), &mut r))
            .collect();
        let first = public.chunk_inputs(0);
        assert!(
            Groth16::<Bn254>::verify(&self.key.vk, &first, &proofs[0]).expect("verify"),
            "a simulated proof verifies under the trapdoor key"
        );
        let d = k as u64 * M;
        let model = commitment(Kind::Model, d, &public.old_model_hashes);
        let roster =
            Roster::new(client_keys().iter().map(|k| k.address()).collect()).expect("roster");
        let task = task_for(1, at, &roster, 1);
        let clients: Vec<_> = (0..n)
            .map(|i| {
                (i < active).then(|| {
                    let update = commitment(Kind::Update, d, &public.update_hashes[i]);
                    sign_slot(&task, &client_keys()[i], 1, model, update, 1)
                })
            })
            .collect();
        RoundCall::new(1, &public, &proofs, &clients, &roster.clients).expect("round shape")
    }

    /// The previous-model commitment of [`Self::round`]'s round (the registry's genesis).
    fn genesis(&self, k: usize, seed: u64) -> [u8; 32] {
        let mut r = rng(seed);
        let old: Vec<Fr> = (0..k).map(|_| Fr::rand(&mut r)).collect();
        commitment(Kind::Model, k as u64 * M, &old).0
    }
}

fn view_uint(
    evm: &mut Evm,
    at: Address,
    signature: &str,
    args: Vec<alloy_dyn_abi::DynSolValue>,
) -> U256 {
    let out = evm
        .call(addr(1), at, call(signature, args), signature)
        .expect(signature)
        .output;
    U256::from_be_slice(&out)
}

fn uint(k: usize) -> alloy_dyn_abi::DynSolValue {
    alloy_dyn_abi::DynSolValue::Uint(U256::from(k), 256)
}

/// For n = 8 the calldata limit binds (each chunk adds 19 words), for n = 1 the gas cap
/// does (12 words but the same pairing and ecMul per chunk). For both, a round of every
/// tested size up to maxChunks(R) (R = the 9 test clients enrolled) is accepted with the gas
/// limit set to roundGasBound(k, R), and the bound is within 10% of what the largest round
/// uses.
#[test]
fn gas_bound_holds_up_to_the_largest_round() {
    let clients = client_keys().len();
    for (slots, seed) in [(8usize, 80u64), (1, 10)] {
        let reg = Registry::compile(slots, seed);
        let mut evm = Evm::new();
        let probe = reg.deploy(&mut evm, 1, [0; 32]).expect("deploy K = 1");
        let max =
            view_uint(&mut evm, probe, "maxChunks(uint256)", vec![uint(clients)]).to::<usize>();
        let cd_limit = view_uint(&mut evm, probe, "MAX_CALLDATA_BYTES()", vec![]).to::<usize>();
        eprintln!("n = {slots}: maxChunks() = {max}");
        assert!(max > 16, "n = {slots}: only {max} chunks fit");
        for (k, active) in [(1, slots), (16, 1), (max, slots), (max, 1)] {
            let genesis = reg.genesis(k, seed + k as u64);
            let at = reg.deploy(&mut evm, k as u64, genesis).expect("deploy");
            let data = reg.round(k, active, seed + k as u64, at).calldata();
            assert!(data.len() <= cd_limit, "{} bytes of calldata", data.len());
            assert_eq!(
                view_uint(
                    &mut evm,
                    at,
                    "roundCalldataBytes(uint256,uint256)",
                    vec![uint(k), uint(clients)]
                ),
                U256::from(data.len()),
                "the contract's calldata size formula"
            );
            let bound = view_uint(
                &mut evm,
                at,
                "roundGasBound(uint256,uint256)",
                vec![uint(k), uint(clients)],
            )
            .to::<u64>();
            let out = evm
                .call_with_gas_limit(addr(COORDINATOR), at, data, bound, "submitRound")
                .unwrap_or_else(|e| {
                    panic!("n = {slots}, K = {k}, {active} active: {e} with gas limit {bound}")
                });
            eprintln!(
                "n = {slots}, K = {k}, {active} active: tx gas {} ≤ bound {bound} ({:.1}%)",
                out.tx_gas,
                100.0 * out.tx_gas as f64 / bound as f64
            );
            assert!(out.tx_gas <= bound);
            if k == max && active == slots {
                assert!(
                    out.tx_gas as f64 >= 0.9 * bound as f64,
                    "n = {slots}: the bound {bound} is loose for {} gas",
                    out.tx_gas
                );
            }
        }
        // The constructor needs room for a roster of the quorum (1 here): one chunk more
        // than maxChunks(1) never deploys, and says how many fit.
        let max1 = view_uint(&mut evm, probe, "maxChunks(uint256)", vec![uint(1)]).to::<usize>();
        assert!(max1 >= max);
        let err = reg
            .deploy_empty(&mut evm, max1 as u64 + 1, [0; 32])
            .expect_err("K = maxChunks(1) + 1");
        assert!(
            matches!(&err, ContractsError::Reverted { reason, .. }
                if **reason == RevertReason::RoundTooLarge { chunks: U256::from(max1 + 1), max: U256::from(max1) }),
            "{err}"
        );
        // At K = maxChunks(1) the roster can grow to maxRoster() and no further.
        let at = reg
            .deploy_empty(&mut evm, max1 as u64, [0; 32])
            .expect("K = maxChunks(1)");
        let room = view_uint(&mut evm, at, "maxRoster()", vec![]).to::<usize>();
        eprintln!("n = {slots}, K = {max1}: maxRoster() = {room}");
        assert!(room >= 1);
        let outsiders: Vec<Address> = (0..=room as u64)
            .map(|i| Address::left_padding_from(&(0x1000 + i).to_be_bytes()))
            .collect();
        enroll(&mut evm, at, addr(OWNER), &outsiders[..room]);
        let err = evm
            .call(
                addr(OWNER),
                at,
                zkfl_contracts::round::enroll_calldata(&outsiders[room..]),
                "enroll one more",
            )
            .expect_err("one client more than maxRoster()");
        assert!(
            matches!(&err, ContractsError::Reverted { reason, .. }
                if **reason == RevertReason::RosterTooLarge { size: U256::from(room + 1), max: U256::from(room) }),
            "{err}"
        );
    }
}
