//! Proving every chunk of a round, in parallel.
//!
//! Two levels of parallelism: `jobs` chunks are proven at once, each inside its own rayon
//! pool of `threads / jobs` threads (MSMs and FFTs inside one proof). On 2 cores, two
//! 1-thread pools measured best; on many cores fewer jobs with wider pools keep memory
//! down. The proving key is shared by reference; chunk witnesses are built on demand from
//! the round, so memory grows with `jobs`, not with the number of chunks.
//!
//! The R1CS matrices are the same for every chunk, so they are built once per process
//! ([`ProvingContext`]) and each chunk only runs witness-only synthesis. Measured on one
//! n = 8, m = 128 chunk (2^16 domain): full synthesis with matrices spends 3.2 s of a 4.7 s
//! proof inlining the symbolic linear combinations of the Poseidon layers; witness-only
//! synthesis takes 0.17 s. Witness-only synthesis checks no constraint, so every proof is
//! verified before it is returned.
//!
//! The MSMs run on zkfl-msm with the key's bases prepared once per context
//! ([`crate::groth16::MsmKey`]); the proof equals ark-groth16's for the same randomness.
//! The key header says which QAP reduction the proving key needs: `zkfl setup` keys use
//! arkworks' libsnark reduction, ceremony (snarkjs `.zkey`) keys the odd-coset circom one
//! ([`zkfl_ceremony::reduction::CircomReduction`]).

use std::sync::{
    atomic::{AtomicBool, AtomicUsize, Ordering},
    Mutex,
};

use ark_bn254::{Bn254, Fr};
use ark_ff::UniformRand;
use ark_groth16::{r1cs_to_qap::LibsnarkReduction, Proof, ProvingKey};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, Matrix, OptimizationGoal, SynthesisMode,
    R1CS_PREDICATE_LABEL,
};
use rand::{rngs::OsRng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkfl_ceremony::reduction::CircomReduction;
use zkfl_circuits::{keys::Reduction, ChunkCircuit, ChunkWitness, Round, Shape};
use zkfl_verifier::{verify_batch, PreparedKey, ProofItem};

use crate::{groth16::MsmKey, Error};

/// How to spread the work.
#[derive(Clone, Copy, Debug)]
pub struct Parallelism {
    /// Chunks proven at once.
    pub jobs: usize,
    /// Total worker threads.
    pub threads: usize,
}

impl Parallelism {
    /// `jobs` (default: min(threads, chunks)) over `threads` (default: rayon's, which honours
    /// RAYON_NUM_THREADS).
    pub fn new(jobs: Option<usize>, threads: Option<usize>, chunks: usize) -> Self {
        let threads = threads.unwrap_or_else(rayon::current_num_threads).max(1);
        let jobs = jobs.unwrap_or(threads).clamp(1, chunks.max(1));
        Self { jobs, threads }
    }
}

/// What every chunk proof under one proving key shares: the key (with its MSM bases
/// prepared) and the R1CS matrices.
pub struct ProvingContext<'a> {
    msm: MsmKey<'a>,
    shape: Shape,
    matrices: Vec<Matrix<Fr>>,
    num_inputs: usize,
    num_constraints: usize,
    vk: PreparedKey,
    reduction: Reduction,
}

impl<'a> ProvingContext<'a> {
    /// Synthesises the circuit of `shape` once (setup mode) and checks it matches `pk`.
    ///
    /// # Errors
    /// [`Error::Synthesis`] if synthesis fails or the key was made for another circuit.
    pub fn new(pk: &'a ProvingKey<Bn254>, shape: Shape) -> Result<Self, Error> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        ChunkCircuit::blank(shape)
            .generate_constraints(cs.clone())
            .map_err(|e| Error::Synthesis(e.to_string()))?;
        cs.finalize();
        let num_inputs = cs.num_instance_variables();
        let num_constraints = cs.num_constraints();
        let num_variables = num_inputs + cs.num_witness_variables();
        let matrices = cs
            .to_matrices()
            .map_err(|e| Error::Synthesis(e.to_string()))?
            .remove(R1CS_PREDICATE_LABEL)
            .ok_or_else(|| Error::Synthesis("no R1CS constraints".into()))?;
        if pk.vk.gamma_abc_g1.len() != num_inputs || pk.a_query.len() != num_variables {
            return Err(Error::Synthesis(format!(
                "the proving key does not match the circuit of shape {shape:?} ({} inputs / {} variables in the key, {num_inputs} / {num_variables} in the circuit)",
                pk.vk.gamma_abc_g1.len(),
                pk.a_query.len()
            )));
        }
        Ok(Self {
            msm: MsmKey::new(pk, zkfl_msm::Settings::default())?,
            shape,
            matrices,
            num_inputs,
            num_constraints,
            vk: PreparedKey::new(&pk.vk),
            reduction: Reduction::Libsnark,
        })
    }

    /// Proves with `reduction`, which must be the one the key was made for (its header's).
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }

    /// The full assignment z = (1, public inputs…, witnesses…) of one chunk, by witness-only
    /// synthesis: no constraint is built or checked, so only a proof's verification shows
    /// that z satisfies the circuit.
    ///
    /// # Errors
    /// [`Error::Synthesis`] on synthesis failure.
    pub fn assignment(&self, witness: ChunkWitness) -> Result<Vec<Fr>, Error> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Prove {
            construct_matrices: false,
            generate_lc_assignments: false,
        });
        ChunkCircuit {
            shape: self.shape,
            witness,
        }
        .generate_constraints(cs.clone())
        .map_err(|e| Error::Synthesis(e.to_string()))?;
        let mut full = cs
            .instance_assignment()
            .map_err(|e| Error::Synthesis(e.to_string()))?;
        full.extend(
            cs.witness_assignment()
                .map_err(|e| Error::Synthesis(e.to_string()))?,
        );
        Ok(full)
    }

    /// The R1CS matrices A, B, C shared by every chunk.
    pub fn matrices(&self) -> &[Matrix<Fr>] {
        &self.matrices
    }

    /// Instance variables, including the constant 1.
    pub fn num_inputs(&self) -> usize {
        self.num_inputs
    }

    /// Constraints of the chunk circuit.
    pub fn num_constraints(&self) -> usize {
        self.num_constraints
    }

    /// Proves one chunk from its witness (witness-only synthesis + the cached matrices).
    ///
    /// # Errors
    /// [`Error::Synthesis`] on synthesis or proving failure.
    pub fn prove(
        &self,
        witness: ChunkWitness,
        rng: &mut impl rand::Rng,
    ) -> Result<Proof<Bn254>, Error> {
        let full = self.assignment(witness)?;
        let (r, s) = (Fr::rand(rng), Fr::rand(rng));
        let (m, ni, nc) = (&self.matrices, self.num_inputs, self.num_constraints);
        match self.reduction {
            Reduction::Libsnark => self.msm.prove::<LibsnarkReduction>(r, s, m, ni, nc, &full),
            Reduction::Circom => self.msm.prove::<CircomReduction>(r, s, m, ni, nc, &full),
        }
    }

    /// Checks proofs against their public inputs in one batch, naming the first bad chunk.
    ///
    /// # Errors
    /// [`Error::SelfCheck`] if any proof does not verify (an unsatisfied witness).
    pub fn check(&self, items: Vec<ProofItem>) -> Result<(), Error> {
        let mut rng = ChaCha20Rng::from_seed(fresh_seed());
        if verify_batch(&self.vk, &items, &mut rng).map_err(|e| Error::Synthesis(e.to_string()))? {
            return Ok(());
        }
        // Name the first chunk that fails alone; if none does, say only the batch failed
        // rather than blame a chunk that is fine.
        let chunk = items.iter().position(|it| {
            !matches!(
                zkfl_verifier::verify_single(&self.vk, &it.proof, &it.inputs),
                Ok(true)
            )
        });
        Err(Error::SelfCheck { chunk })
    }
}

fn fresh_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    OsRng.fill_bytes(&mut seed);
    seed
}

/// Proves all chunks of `round` under a `zkfl setup` (libsnark-reduction) key; see
/// [`prove_round_with`].
///
/// # Errors
/// [`Error::Synthesis`] if a chunk cannot be proven or a proof does not verify.
pub fn prove_round(
    pk: &ProvingKey<Bn254>,
    round: &Round,
    par: Parallelism,
    on_done: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Proof<Bn254>>, Error> {
    prove_round_with(pk, Reduction::Libsnark, round, par, on_done)
}

/// Proves all chunks of `round` under `pk`, whose header names `reduction`; `on_done` is
/// called after each chunk (progress). Proof randomness comes from a ChaCha20 stream seeded
/// by the OS per job. Every proof is verified before the proofs are returned.
///
/// # Errors
/// [`Error::Chunk`] naming a chunk that cannot be proven; [`Error::SelfCheck`] if a proof
/// does not verify.
pub fn prove_round_with(
    pk: &ProvingKey<Bn254>,
    reduction: Reduction,
    round: &Round,
    par: Parallelism,
    on_done: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Proof<Bn254>>, Error> {
    let ctx = ProvingContext::new(pk, *round.shape())?.with_reduction(reduction);
    let k = round.num_chunks();
    let proofs: Mutex<Vec<Option<Proof<Bn254>>>> = Mutex::new(vec![None; k]);
    let all: Vec<usize> = (0..k).collect();
    ctx.prove_chunks(round, &all, par, &|c, p| {
        proofs.lock().expect("proofs lock")[c] = Some(p);
        on_done(c);
        Ok(())
    })?;
    let proofs = proofs
        .into_inner()
        .expect("proofs lock")
        .into_iter()
        .enumerate()
        .map(|(c, p)| {
            p.ok_or_else(|| Error::Chunk {
                chunk: c,
                source: Box::new(Error::Synthesis("it was not proven".into())),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    ctx.check(proof_items(round, &proofs))?;
    Ok(proofs)
}

impl ProvingContext<'_> {
    /// Proves the chunks `chunks` of `round` over `par` and hands each proof to `on_proof`
    /// as soon as it exists (a sharded task writes it to disk at once, so a task killed
    /// midway keeps what it finished). Proofs are not verified here: callers check them
    /// ([`ProvingContext::check`]) before trusting or writing them. Stops at the first error,
    /// of proving or of `on_proof`.
    ///
    /// # Errors
    /// [`Error::Chunk`] naming the chunk that failed, or `on_proof`'s error.
    pub fn prove_chunks(
        &self,
        round: &Round,
        chunks: &[usize],
        par: Parallelism,
        on_proof: &(dyn Fn(usize, Proof<Bn254>) -> Result<(), Error> + Sync),
    ) -> Result<(), Error> {
        let next = AtomicUsize::new(0);
        let failed = AtomicBool::new(false);
        let first_error: Mutex<Option<Error>> = Mutex::new(None);
        let fail = |e: Error| {
            failed.store(true, Ordering::SeqCst);
            first_error.lock().expect("error lock").get_or_insert(e);
        };
        let jobs = par.jobs.clamp(1, chunks.len().max(1));
        let per_job = (par.threads / jobs).max(1);
        std::thread::scope(|scope| {
            for _ in 0..jobs {
                scope.spawn(|| {
                    let pool = match rayon::ThreadPoolBuilder::new().num_threads(per_job).build() {
                        Ok(p) => p,
                        Err(e) => return fail(Error::Synthesis(format!("thread pool: {e}"))),
                    };
                    let mut rng = ChaCha20Rng::from_seed(fresh_seed());
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        if i >= chunks.len() || failed.load(Ordering::SeqCst) {
                            break;
                        }
                        let c = chunks[i];
                        let proof = pool
                            .install(|| self.prove(round.witness(c), &mut rng))
                            .map_err(|e| Error::Chunk {
                                chunk: c,
                                source: Box::new(e),
                            });
                        if let Err(e) = proof.and_then(|p| on_proof(c, p)) {
                            return fail(e);
                        }
                    }
                });
            }
        });
        match first_error.into_inner().expect("error lock") {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Chunk c's proof paired with chunk c's public inputs, ready for [`verify_batch`].
pub fn proof_items(round: &Round, proofs: &[Proof<Bn254>]) -> Vec<ProofItem> {
    proofs
        .iter()
        .enumerate()
        .map(|(c, proof)| ProofItem {
            proof: proof.clone(),
            inputs: round.public(c).to_vec(),
        })
        .collect()
}
