//! A round as the registry sees it: public values, commitments and `submitRound` calldata.

use alloy_dyn_abi::DynSolValue;
use alloy_primitives::{Address, B256, U256};
use ark_bn254::{Bn254, Fr};
use ark_groth16::Proof;
use zkfl_circuits::ChunkPublic;

use crate::encode::{fr_to_word, function_calldata, proof_to_words, uint, uint_array, ProofWords};
use crate::ContractsError;

/// The public values of one round (everything but the proofs), as field elements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundPublic {
    /// B_inf in fixed-point units.
    pub b_inf: Fr,
    /// B_2^2 in fixed-point units squared.
    pub b2_sq: Fr,
    /// w_1..w_n (0 for empty slots).
    pub weights: Vec<Fr>,
    /// h(M_t[c]) for every chunk c.
    pub old_model_hashes: Vec<Fr>,
    /// h(M_{t+1}[c]) for every chunk c.
    pub new_model_hashes: Vec<Fr>,
    /// h(Delta_i[c]) indexed `[slot][chunk]`.
    pub update_hashes: Vec<Vec<Fr>>,
    /// Norm accumulators, K + 1 of them: chunk c goes from `accumulators[c]` to `accumulators[c + 1]`.
    pub accumulators: Vec<Fr>,
}

impl RoundPublic {
    /// Client slots n.
    pub fn slots(&self) -> usize {
        self.weights.len()
    }

    /// Chunks K.
    pub fn chunks(&self) -> usize {
        self.old_model_hashes.len()
    }

    /// Checks that all arrays agree on n and K.
    ///
    /// # Errors
    /// [`ContractsError::RoundShape`] naming the first array of the wrong length.
    pub fn check_shape(&self) -> Result<(), ContractsError> {
        let (n, k) = (self.slots(), self.chunks());
        let bad = |what: &str, expected: usize, got: usize| {
            Err(ContractsError::RoundShape(format!(
                "{what} has {got} entries, expected {expected} (n = {n} slots, K = {k} chunks)"
            )))
        };
        if self.new_model_hashes.len() != k {
            return bad("new_model_hashes", k, self.new_model_hashes.len());
        }
        if self.update_hashes.len() != n {
            return bad("update_hashes (slots)", n, self.update_hashes.len());
        }
        if let Some((i, u)) = self
            .update_hashes
            .iter()
            .enumerate()
            .find(|(_, u)| u.len() != k)
        {
            return bad(&format!("update_hashes[{i}]"), k, u.len());
        }
        if self.accumulators.len() != k + 1 {
            return bad("accumulators", k + 1, self.accumulators.len());
        }
        Ok(())
    }

    /// Public inputs of chunk `c` in the order of docs/PROTOCOL.md section 2:
    /// c, B_inf, B_2^2, w_1..w_n, h(M_t[c]), h(M_{t+1}[c]), h(Delta_1[c])..h(Delta_n[c]),
    /// acc_in, acc_out.
    ///
    /// # Panics
    /// If `c >= K` or the arrays are inconsistent (call [`Self::check_shape`] first).
    pub fn chunk_inputs(&self, c: usize) -> Vec<Fr> {
        ChunkPublic {
            chunk: Fr::from(c as u64),
            linf: self.b_inf,
            l2_sq: self.b2_sq,
            weights: self.weights.clone(),
            model: self.old_model_hashes[c],
            new_model: self.new_model_hashes[c],
            updates: self.update_hashes.iter().map(|u| u[c]).collect(),
            acc_in: self.accumulators[c],
            acc_out: self.accumulators[c + 1],
        }
        .to_vec()
    }
}

/// `submitRound` arguments as raw words, exactly as sent. Kept separate from
/// [`RoundPublic`] so that callers (and tests) can send values that are not canonical
/// field elements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundCall {
    /// Round index t (the genesis model is round 0, the first submitted round is 1).
    pub round: U256,
    /// B_inf.
    pub b_inf: U256,
    /// B_2^2.
    pub b2_sq: U256,
    /// w_1..w_n.
    pub weights: Vec<U256>,
    /// h(M_t[c]).
    pub old_model_hashes: Vec<U256>,
    /// h(M_{t+1}[c]).
    pub new_model_hashes: Vec<U256>,
    /// h(Delta_i[c]) indexed `[slot][chunk]`; sent flattened slot-major.
    pub update_hashes: Vec<Vec<U256>>,
    /// K + 1 accumulators.
    pub accumulators: Vec<U256>,
    /// One proof per chunk, in chunk order.
    pub proofs: Vec<ProofWords>,
    /// Slot i's client, `Address::ZERO` for an empty slot.
    pub clients: Vec<Address>,
    /// Slot i's signature r ‖ s ‖ v at bytes `[65 i, 65 i + 65)`, all zero for an empty slot.
    /// Sent as is (65 n bytes for a well-formed round).
    pub signatures: Vec<u8>,
    /// The registry's roster as its `roster()` returns it (order included).
    pub roster: Vec<Address>,
    /// Slot i's index into `roster`; `None` (what [`RoundCall::new`] sets) derives them from
    /// `clients` when encoding: [`RoundCall::roster_indices`]. Set only to test the registry.
    pub roster_index: Option<Vec<U256>>,
    /// SHA-256 of the new model's file, zero if the round records none.
    pub model_file: [u8; 32],
}

/// One slot's client and its EIP-712 signature of the slot's `UpdateCommitment`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotClient {
    /// The client's address.
    pub signer: Address,
    /// r ‖ s ‖ v, v ∈ {27, 28}.
    pub signature: [u8; 65],
}

/// Bytes of one slot's signature in `submitRound`'s packed `signatures`.
pub const SIGNATURE_BYTES: usize = 65;

impl RoundCall {
    /// Encodes a round from field values, the K chunk proofs (proof c for chunk c), each
    /// slot's client signature (`None` for an empty slot) and the registry's `roster()`.
    /// A client missing from `roster` is encoded all the same (with an index that names no
    /// one), so that the registry, not the encoder, gives the verdict (`NotEnrolled`).
    /// `model_file` starts at zero.
    ///
    /// # Errors
    /// [`ContractsError::RoundShape`] if the arrays disagree, there is not one proof per chunk
    /// or not one client entry per slot.
    pub fn new(
        round: u64,
        public: &RoundPublic,
        proofs: &[Proof<Bn254>],
        clients: &[Option<SlotClient>],
        roster: &[Address],
    ) -> Result<Self, ContractsError> {
        public.check_shape()?;
        if proofs.len() != public.chunks() {
            return Err(ContractsError::RoundShape(format!(
                "{} proofs for {} chunks",
                proofs.len(),
                public.chunks()
            )));
        }
        if clients.len() != public.slots() {
            return Err(ContractsError::RoundShape(format!(
                "{} client entries for {} slots",
                clients.len(),
                public.slots()
            )));
        }
        let mut signatures = Vec::with_capacity(SIGNATURE_BYTES * clients.len());
        for c in clients {
            signatures.extend(c.as_ref().map_or([0; SIGNATURE_BYTES], |c| c.signature));
        }
        let words = |v: &[Fr]| v.iter().map(fr_to_word).collect::<Vec<_>>();
        Ok(Self {
            round: U256::from(round),
            b_inf: fr_to_word(&public.b_inf),
            b2_sq: fr_to_word(&public.b2_sq),
            weights: words(&public.weights),
            old_model_hashes: words(&public.old_model_hashes),
            new_model_hashes: words(&public.new_model_hashes),
            update_hashes: public.update_hashes.iter().map(|u| words(u)).collect(),
            accumulators: words(&public.accumulators),
            proofs: proofs.iter().map(proof_to_words).collect(),
            clients: clients
                .iter()
                .map(|c| c.as_ref().map_or(Address::ZERO, |c| c.signer))
                .collect(),
            signatures,
            roster: roster.to_vec(),
            roster_index: None,
            model_file: [0; 32],
        })
    }

    /// Slot i's client's index in `roster`: 0 for an empty slot, `roster.len()` (which
    /// names no one) for a client the roster lacks.
    pub fn roster_indices(&self) -> Vec<U256> {
        self.clients
            .iter()
            .map(|c| {
                let index = if c.is_zero() {
                    0
                } else {
                    self.roster
                        .iter()
                        .position(|a| a == c)
                        .unwrap_or(self.roster.len())
                };
                U256::from(index)
            })
            .collect()
    }

    /// ABI signature of `submitRound` for `n` slots.
    pub fn signature(slots: usize) -> String {
        format!(
            "submitRound((uint256,uint256,uint256,uint256[{slots}],uint256[],uint256[],uint256[],uint256[],uint256[8][],address[{slots}],bytes,address[],uint256[{slots}],bytes32))"
        )
    }

    /// Calldata of `submitRound(Round)`.
    pub fn calldata(&self) -> Vec<u8> {
        let updates: Vec<U256> = self.update_hashes.iter().flatten().copied().collect();
        let round = DynSolValue::Tuple(vec![
            uint(self.round),
            uint(self.b_inf),
            uint(self.b2_sq),
            DynSolValue::FixedArray(uint_array(&self.weights)),
            DynSolValue::Array(uint_array(&self.old_model_hashes)),
            DynSolValue::Array(uint_array(&self.new_model_hashes)),
            DynSolValue::Array(uint_array(&updates)),
            DynSolValue::Array(uint_array(&self.accumulators)),
            DynSolValue::Array(
                self.proofs
                    .iter()
                    .map(|p| DynSolValue::FixedArray(uint_array(p)))
                    .collect(),
            ),
            DynSolValue::FixedArray(
                self.clients
                    .iter()
                    .map(|a| DynSolValue::Address(*a))
                    .collect(),
            ),
            DynSolValue::Bytes(self.signatures.clone()),
            DynSolValue::Array(
                self.roster
                    .iter()
                    .map(|a| DynSolValue::Address(*a))
                    .collect(),
            ),
            DynSolValue::FixedArray(uint_array(
                &self
                    .roster_index
                    .clone()
                    .unwrap_or_else(|| self.roster_indices()),
            )),
            DynSolValue::FixedBytes(B256::from(self.model_file), 32),
        ]);
        function_calldata(&Self::signature(self.weights.len()), vec![round])
    }
}

/// Constructor arguments of `ZkflRoundRegistry`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryParams {
    /// Account allowed to submit rounds.
    pub coordinator: Address,
    /// C_0, the commitment of the genesis model.
    pub genesis_model: [u8; 32],
    /// Model parameters d.
    pub model_dim: u64,
    /// Chunks K = ceil(d / m).
    pub chunks: u64,
    /// Parameters per chunk m.
    pub chunk_size: u64,
    /// f.
    pub frac_bits: u8,
    /// U.
    pub update_bits: u8,
    /// Bm.
    pub model_bits: u8,
    /// Wb.
    pub weight_bits: u8,
    /// Nb.
    pub norm_bits: u8,
    /// The fewest signed slots a round may have (the task's quorum), 1..=n.
    pub min_clients: u64,
}

impl RegistryParams {
    /// ABI-encoded constructor arguments, to append to the registry's creation bytecode.
    pub fn constructor_args(&self) -> Vec<u8> {
        let u = |x: u64, bits: usize| DynSolValue::Uint(U256::from(x), bits);
        DynSolValue::Tuple(vec![
            DynSolValue::Address(self.coordinator),
            DynSolValue::FixedBytes(B256::from(self.genesis_model), 32),
            u(self.model_dim, 64),
            u(self.chunks, 64),
            u(self.chunk_size, 64),
            u(self.frac_bits.into(), 8),
            u(self.update_bits.into(), 8),
            u(self.model_bits.into(), 8),
            u(self.weight_bits.into(), 8),
            u(self.norm_bits.into(), 8),
            u(self.min_clients, 256),
        ])
        .abi_encode_params()
    }

    /// Deployment code: the registry's creation bytecode followed by the constructor arguments.
    pub fn initcode(&self, creation_code: &[u8]) -> Vec<u8> {
        let mut code = creation_code.to_vec();
        code.extend(self.constructor_args());
        code
    }
}

/// Calldata of the registry's `roster()` view.
pub fn roster_calldata() -> Vec<u8> {
    function_calldata("roster()", vec![])
}

/// Decodes what `roster()` returns (an ABI `address[]`), or `None` if `out` is not exactly
/// that: one offset word (0x20), a length, then that many clean address words.
pub fn decode_roster(out: &[u8]) -> Option<Vec<Address>> {
    let word = |i: usize| -> Option<U256> {
        let w: [u8; 32] = out.get(32 * i..32 * (i + 1))?.try_into().ok()?;
        Some(U256::from_be_bytes(w))
    };
    let len = usize::try_from(word(1)?).ok()?;
    if word(0)? != U256::from(32) || out.len() != 32usize.checked_mul(len.checked_add(2)?)? {
        return None;
    }
    (0..len)
        .map(|i| {
            let w = word(2 + i)?;
            (w >> 160 == U256::ZERO).then(|| Address::from_word(w.into()))
        })
        .collect()
}

/// Calldata of `enrollMany(address[])`: enrolls `clients` (owner only; each must not be
/// enrolled yet).
pub fn enroll_calldata(clients: &[Address]) -> Vec<u8> {
    let list = DynSolValue::Array(clients.iter().map(|a| DynSolValue::Address(*a)).collect());
    function_calldata("enrollMany(address[])", vec![list])
}

/// The `RoundAccepted` event, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundAccepted {
    /// Round index t.
    pub round: U256,
    /// C_{t-1}.
    pub prev_model: [u8; 32],
    /// C_t.
    pub new_model: [u8; 32],
    /// Update commitments, one per slot.
    pub update_commitments: Vec<[u8; 32]>,
    /// Weights, one per slot.
    pub weights: Vec<U256>,
    /// [B_inf, B_2^2].
    pub bounds: [U256; 2],
    /// The client of each slot (`Address::ZERO` for an empty slot).
    pub clients: Vec<Address>,
    /// SHA-256 of the new model's file as the coordinator attested it (zero if none).
    pub model_file: [u8; 32],
}

impl RoundAccepted {
    /// Event signature for `n` slots.
    pub fn signature(slots: usize) -> String {
        format!(
            "RoundAccepted(uint256,bytes32,bytes32,bytes32[{slots}],uint256[{slots}],uint256[2],address[{slots}],bytes32)"
        )
    }

    /// Decodes the event from a log's topics and data, or `None` if it is not a
    /// `RoundAccepted` of an `n`-slot registry.
    pub fn decode(slots: usize, topics: &[B256], data: &[u8]) -> Option<Self> {
        let sig = alloy_primitives::keccak256(Self::signature(slots).as_bytes());
        if topics.len() != 2 || topics[0] != sig || data.len() != 32 * (5 + 3 * slots) {
            return None;
        }
        let word = |i: usize| -> [u8; 32] {
            data[32 * i..32 * (i + 1)]
                .try_into()
                .expect("32-byte slice")
        };
        Some(Self {
            round: U256::from_be_bytes(topics[1].0),
            prev_model: word(0),
            new_model: word(1),
            update_commitments: (0..slots).map(|i| word(2 + i)).collect(),
            weights: (0..slots)
                .map(|i| U256::from_be_bytes(word(2 + slots + i)))
                .collect(),
            bounds: [
                U256::from_be_bytes(word(2 + 2 * slots)),
                U256::from_be_bytes(word(3 + 2 * slots)),
            ],
            clients: (0..slots)
                .map(|i| Address::from_slice(&word(4 + 2 * slots + i)[12..]))
                .collect(),
            model_file: word(4 + 3 * slots),
        })
    }
}
