//! Gas of the generated verifier, measured in revm and compared with the EIP-1108 floors.
//!
//! Floors count only precompile prices: a single proof needs a 4-pair pairing
//! (45,000 + 4 * 34,000 = 181,000) and l ecMul + ecAdd (6,150 each); a batch of k needs a
//! (k + 3)-pair pairing plus, per proof, two ecMul and one ecAdd (46,150 - 34,000).
//! Goals: single within gnark's overhead (floor + 1,200 + 400 l); batch within floor + 10%.

use std::fmt::Write as _;

use alloy_primitives::{Address, U256};
use ark_bn254::{Bn254, Fr};
use ark_groth16::{Proof, VerifyingKey};

use crate::encode::{
    inputs_to_words, proof_to_words, verify_batch_calldata, verify_proof_calldata,
};
use crate::evm::Evm;
use crate::render::render_sources;
use crate::solc::Solc;
use crate::ContractsError;
use zkfl_circuits::Shape;

/// Floor of one verification: 181,000 + 6,150 l.
pub const fn single_floor(l: usize) -> u64 {
    181_000 + 6_150 * l as u64
}

/// Goal for one verification: floor + 1,200 + 400 l (gnark's generated verifier overhead).
pub const fn single_goal(l: usize) -> u64 {
    single_floor(l) + 1_200 + 400 * l as u64
}

/// Floor of a batch of k: 147,000 + 46,150 k + 6,150 l.
pub const fn batch_floor(k: usize, l: usize) -> u64 {
    147_000 + 46_150 * k as u64 + 6_150 * l as u64
}

/// Goal for a batch of k: floor + 10%.
pub const fn batch_goal(k: usize, l: usize) -> u64 {
    batch_floor(k, l) * 11 / 10
}

/// One measured batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchGas {
    /// Proofs in the batch.
    pub k: usize,
    /// Measured execution gas of `verifyBatch`.
    pub exec_gas: u64,
    /// [`batch_floor`].
    pub floor: u64,
    /// [`batch_goal`].
    pub goal: u64,
    /// k times the measured single verification.
    pub separate: u64,
}

impl BatchGas {
    /// Saving against k separate verifications, in percent.
    pub fn saving_percent(&self) -> f64 {
        100.0 * (1.0 - self.exec_gas as f64 / self.separate as f64)
    }
}

/// Execution gas of the verifier for one shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GasReport {
    /// Client slots n.
    pub slots: usize,
    /// Public inputs l = 2n + 7.
    pub num_inputs: usize,
    /// Runtime bytecode size of ZkflVerifier.
    pub verifier_code_len: usize,
    /// Measured execution gas of `verifyProof`.
    pub single_exec_gas: u64,
    /// [`single_floor`].
    pub single_floor: u64,
    /// [`single_goal`].
    pub single_goal: u64,
    /// Batches, in the order requested.
    pub batches: Vec<BatchGas>,
}

impl GasReport {
    /// True if every measurement meets its goal.
    pub fn meets_goals(&self) -> bool {
        self.single_exec_gas <= self.single_goal
            && self.batches.iter().all(|b| b.exec_gas <= b.goal)
    }

    /// A Markdown table for docs/BENCHMARKS.md.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let l = self.num_inputs;
        let _ = writeln!(s, "Verifier gas (revm, execution gas without the 21,000 + calldata intrinsic cost), n = {} slots, l = {l} public inputs, runtime code {} bytes.\n", self.slots, self.verifier_code_len);
        let _ = writeln!(
            s,
            "| call | exec gas | floor | over floor | goal | meets goal | k separate | saving |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|:-:|---:|---:|");
        let yes = |b: bool| if b { "yes" } else { "NO" };
        let _ = writeln!(
            s,
            "| verifyProof | {} | {} | {} | {} | {} | | |",
            self.single_exec_gas,
            self.single_floor,
            self.single_exec_gas as i64 - self.single_floor as i64,
            self.single_goal,
            yes(self.single_exec_gas <= self.single_goal)
        );
        for b in &self.batches {
            let _ = writeln!(
                s,
                "| verifyBatch k = {} | {} | {} | {:+.1}% | {} | {} | {} | {:.1}% |",
                b.k,
                b.exec_gas,
                b.floor,
                100.0 * (b.exec_gas as f64 / b.floor as f64 - 1.0),
                b.goal,
                yes(b.exec_gas <= b.goal),
                b.separate,
                b.saving_percent()
            );
        }
        s
    }
}

/// Renders, compiles and deploys the verifier for `vk`, then measures `verifyProof` on
/// `samples[0]` and `verifyBatch` on the first k samples for each k in `batch_sizes`.
/// Every measured call must succeed, so the numbers are for the accepting path.
///
/// # Errors
/// [`ContractsError::NotEnoughSamples`] if a batch is larger than `samples`; any render,
/// compile or EVM error, including a revert if a sample is not a valid proof.
pub fn measure_verifier_gas(
    solc: &Solc,
    vk: &VerifyingKey<Bn254>,
    shape: &Shape,
    samples: &[(Proof<Bn254>, Vec<Fr>)],
    batch_sizes: &[usize],
) -> Result<GasReport, ContractsError> {
    let needed = batch_sizes.iter().copied().max().unwrap_or(1).max(1);
    if samples.len() < needed {
        return Err(ContractsError::NotEnoughSamples {
            needed,
            got: samples.len(),
        });
    }
    let l = shape.num_public_inputs();
    let artifacts = solc.compile(&render_sources(vk, shape)?)?;
    let verifier = artifacts
        .get("ZkflVerifier")
        .ok_or_else(|| ContractsError::SolcOutput("no ZkflVerifier in output".into()))?;
    let mut evm = Evm::new();
    let from = Address::repeat_byte(0x11);
    let at = evm.deploy(from, verifier.bytecode.clone(), "deploy ZkflVerifier")?;

    let proofs: Vec<_> = samples.iter().map(|(p, _)| proof_to_words(p)).collect();
    let inputs: Vec<Vec<U256>> = samples.iter().map(|(_, x)| inputs_to_words(x)).collect();
    let single = evm
        .call(
            from,
            at,
            verify_proof_calldata(&proofs[0], &inputs[0]),
            "verifyProof",
        )?
        .exec_gas;
    let mut batches = Vec::new();
    for &k in batch_sizes {
        let data = verify_batch_calldata(&proofs[..k], &inputs[..k], l)?;
        let exec_gas = evm
            .call(from, at, data, &format!("verifyBatch(k = {k})"))?
            .exec_gas;
        batches.push(BatchGas {
            k,
            exec_gas,
            floor: batch_floor(k, l),
            goal: batch_goal(k, l),
            separate: single * k as u64,
        });
    }
    Ok(GasReport {
        slots: shape.slots,
        num_inputs: l,
        verifier_code_len: evm.code(at).len(),
        single_exec_gas: single,
        single_floor: single_floor(l),
        single_goal: single_goal(l),
        batches,
    })
}

/// Gas of one accepted `submitRound`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoundGas {
    /// Chunks K of the round.
    pub chunks: usize,
    /// Execution gas (without the intrinsic 21,000 + calldata).
    pub exec_gas: u64,
    /// Receipt gas.
    pub tx_gas: u64,
}

/// Deploys `registry` (a compiled ZkflRoundRegistry) with `params` from `owner` (as its
/// first transaction, so at `owner.create(0)`, the address the rounds' signatures name),
/// enrolls `clients`, and submits `rounds` in order from the coordinator; every round must be
/// accepted.
///
/// # Errors
/// Any EVM error, including the decoded revert of a rejected round.
pub fn measure_round_gas(
    registry: &crate::solc::Artifact,
    params: &crate::round::RegistryParams,
    owner: Address,
    clients: &[Address],
    rounds: &[crate::round::RoundCall],
) -> Result<Vec<RoundGas>, ContractsError> {
    let mut evm = Evm::new();
    let mut initcode = registry.bytecode.clone();
    initcode.extend(params.constructor_args());
    let at = evm.deploy(owner, initcode, "deploy ZkflRoundRegistry")?;
    evm.call(
        owner,
        at,
        crate::round::enroll_calldata(clients),
        "enrollMany",
    )?;
    rounds
        .iter()
        .map(|r| {
            let what = format!("submitRound(round {})", r.round);
            // As `zkfl submit` does: the registry's roster, read just before sending.
            let mut r = r.clone();
            r.roster = evm.roster(owner, at)?;
            let out = evm.call(params.coordinator, at, r.calldata(), &what)?;
            Ok(RoundGas {
                chunks: r.proofs.len(),
                exec_gas: out.exec_gas,
                tx_gas: out.tx_gas,
            })
        })
        .collect()
}
