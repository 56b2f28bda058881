//! Verifier gas from zkfl-contracts' revm measurement, against the EIP-1108 floors.

use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;
use serde::Serialize;
use zkfl_contracts::{gas::measure_verifier_gas, solc::Solc};
use zkfl_verifier::ProofItem;

use crate::{plan::Plan, verifier::repeat};

/// One measured call.
#[derive(Serialize)]
pub struct GasRow {
    /// `verifyProof` or `verifyBatch`.
    pub call: String,
    /// Proofs.
    pub proofs: usize,
    /// Execution gas.
    pub exec_gas: u64,
    /// EIP-1108 precompile floor.
    pub floor: u64,
    /// Goal (floor + allowed overhead).
    pub goal: u64,
    /// exec_gas ≤ goal.
    pub meets_goal: bool,
    /// Saving against k `verifyProof` calls, percent (batches only).
    pub saving_percent: Option<f64>,
}

/// Gas section.
#[derive(Serialize)]
pub struct GasSection {
    /// n.
    pub slots: usize,
    /// Public inputs l.
    pub public_inputs: usize,
    /// Runtime bytecode size of ZkflVerifier.
    pub verifier_code_len: usize,
    /// Rows.
    pub rows: Vec<GasRow>,
    /// zkfl-contracts' own table.
    pub markdown: String,
}

pub fn measure(
    plan: &Plan,
    shape: &zkfl_circuits::Shape,
    vk: &VerifyingKey<Bn254>,
    items: &[ProofItem],
) -> anyhow::Result<GasSection> {
    eprintln!("[gas] compile and measure in revm");
    let solc = Solc::locate()?;
    let k_max = plan.gas_batches.iter().copied().max().unwrap_or(1);
    let samples: Vec<_> = repeat(items, k_max)
        .into_iter()
        .map(|it| (it.proof, it.inputs))
        .collect();
    let r = measure_verifier_gas(&solc, vk, shape, &samples, &plan.gas_batches)?;
    let mut rows = vec![GasRow {
        call: "verifyProof".into(),
        proofs: 1,
        exec_gas: r.single_exec_gas,
        floor: r.single_floor,
        goal: r.single_goal,
        meets_goal: r.single_exec_gas <= r.single_goal,
        saving_percent: None,
    }];
    rows.extend(r.batches.iter().map(|b| GasRow {
        call: "verifyBatch".into(),
        proofs: b.k,
        exec_gas: b.exec_gas,
        floor: b.floor,
        goal: b.goal,
        meets_goal: b.exec_gas <= b.goal,
        saving_percent: Some(b.saving_percent()),
    }));
    Ok(GasSection {
        slots: r.slots,
        public_inputs: r.num_inputs,
        verifier_code_len: r.verifier_code_len,
        rows,
        markdown: r.to_markdown(),
    })
}
