//! Proving every chunk of a round, in parallel.
//!
//! Two levels of parallelism: `jobs` chunks are proven at once, each inside its own rayon
//! pool of `threads / jobs` threads (MSMs and FFTs inside one proof). On 2 cores, two
//! 1-thread pools measured best; on many cores fewer jobs with wider pools keep memory
//! down. The proving key is shared by reference; chunk witnesses are built on demand from
//! the round, so memory grows with `jobs`, not with the number of chunks.

use std::sync::{
    atomic::{AtomicBool, AtomicUsize, Ordering},
    Mutex,
};

use ark_bn254::Bn254;
use ark_groth16::{Groth16, Proof, ProvingKey};
use rand::{rngs::OsRng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkfl_circuits::{ChunkCircuit, Round};

use crate::Error;

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

/// Proves all chunks of `round`; `on_done` is called after each chunk (progress).
/// Proof randomness comes from a ChaCha20 stream seeded by the OS per job.
///
/// # Errors
/// [`Error::Synthesis`] if a chunk's constraints are not satisfied or proving fails.
pub fn prove_round(
    pk: &ProvingKey<Bn254>,
    round: &Round,
    par: Parallelism,
    on_done: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Proof<Bn254>>, Error> {
    let k = round.num_chunks();
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let proofs: Mutex<Vec<Option<Proof<Bn254>>>> = Mutex::new(vec![None; k]);
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    let fail = |e: Error| {
        failed.store(true, Ordering::SeqCst);
        first_error.lock().expect("error lock").get_or_insert(e);
    };
    let per_job = (par.threads / par.jobs).max(1);
    std::thread::scope(|scope| {
        for _ in 0..par.jobs {
            scope.spawn(|| {
                let pool = match rayon::ThreadPoolBuilder::new().num_threads(per_job).build() {
                    Ok(p) => p,
                    Err(e) => return fail(Error::Synthesis(format!("thread pool: {e}"))),
                };
                let mut seed = [0u8; 32];
                OsRng.fill_bytes(&mut seed);
                let mut rng = ChaCha20Rng::from_seed(seed);
                loop {
                    let c = next.fetch_add(1, Ordering::SeqCst);
                    if c >= k || failed.load(Ordering::SeqCst) {
                        break;
                    }
                    let circuit = ChunkCircuit {
                        shape: *round.shape(),
                        witness: round.witness(c),
                    };
                    match pool.install(|| {
                        Groth16::<Bn254>::create_random_proof_with_reduction(circuit, pk, &mut rng)
                    }) {
                        Ok(p) => proofs.lock().expect("proofs lock")[c] = Some(p),
                        Err(e) => return fail(Error::Synthesis(format!("chunk {c}: {e}"))),
                    }
                    on_done(c);
                }
            });
        }
    });
    if let Some(e) = first_error.into_inner().expect("error lock") {
        return Err(e);
    }
    proofs
        .into_inner()
        .expect("proofs lock")
        .into_iter()
        .enumerate()
        .map(|(c, p)| p.ok_or_else(|| Error::Synthesis(format!("chunk {c} was not proven"))))
        .collect()
}
