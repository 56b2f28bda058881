//! Sizes of a full run and of a quick (smoke-test) run.

/// What to measure at which size.
pub struct Plan {
    /// Smoke-test sizes.
    pub quick: bool,
    /// Slot counts whose constraint cost is reported (at [`Plan::cost_chunk`]).
    pub cost_slots: Vec<usize>,
    /// m for the constraint table.
    pub cost_chunk: usize,
    /// n of every proving measurement.
    pub slots: usize,
    /// m of the main proving measurement.
    pub chunk: usize,
    /// Repetitions of each prove and irreducible measurement (median reported).
    pub reps: usize,
    /// Also prove at the chunk size that fills the main shape's domain.
    pub auto_tune: bool,
    /// log2 domain sizes whose auto-tuned chunk size is listed (closed form).
    pub auto_domains: Vec<u32>,
    /// Chunks per round in the scaling table.
    pub scaling_chunks: Vec<usize>,
    /// m of the scaling table's rounds (n = [`Plan::slots`]); its proofs also feed the
    /// verifier and gas sections. 128 fills a 2^16 domain, so 45 proofs stay quick.
    pub scaling_chunk: usize,
    /// Batch sizes for the verifier.
    pub verify_sizes: Vec<usize>,
    /// Batch sizes for gas.
    pub gas_batches: Vec<usize>,
    /// Parameters of the whole round.
    pub round_params: usize,
    /// j of the fixed-L∞ variant measured beside the per-round one (circuit, one chunk,
    /// the whole round).
    pub linf_bits: u32,
}

impl Plan {
    /// The report of docs/BENCHMARKS.md (issue 6's sizes).
    pub fn full() -> Self {
        Self {
            quick: false,
            cost_slots: vec![1, 8, 32],
            cost_chunk: 1024,
            slots: 8,
            chunk: 1024,
            reps: 3,
            auto_tune: true,
            auto_domains: vec![18, 19],
            scaling_chunks: vec![1, 2, 4, 8],
            scaling_chunk: 128,
            verify_sizes: vec![1, 16, 64],
            gas_batches: vec![1, 4, 16],
            round_params: 100_000,
            linf_bits: 10,
        }
    }

    /// Small sizes: every code path, a fraction of the time.
    pub fn quick() -> Self {
        Self {
            quick: true,
            chunk: 128,
            reps: 2,
            auto_tune: false,
            auto_domains: vec![16, 18, 19],
            scaling_chunks: vec![1, 2],
            verify_sizes: vec![1, 16],
            round_params: 2 * 128,
            ..Self::full()
        }
    }
}
