// SPDX-License-Identifier: MIT OR Apache-2.0
// Part of zkfl-contracts. The shape-specific parts (n, l, verifying key) come from the
// generated ZkflVerifier.sol this contract inherits; this file itself is the same for every shape.
// Protocol: docs/PROTOCOL.md (zkfl v1).
pragma solidity ^0.8.24;

import {ZkflVerifier} from "./ZkflVerifier.sol";

/// @title ZkflRoundRegistry
/// @notice Keeps the chain of zkfl model commitments. Each accepted round proves that the new
///         model is the weighted FedAvg of bounded, committed client updates applied to the
///         stored model; the whole round (K chunk proofs) is checked in one batched pairing.
/// @dev Round numbering: the genesis model set at deployment is round 0, so the first round
///      that can be submitted is 1 and round t moves the commitment from M_{t-1} to M_t.
contract ZkflRoundRegistry is ZkflVerifier {
    /// @notice A whole round, as sent by the coordinator.
    /// @dev Chunk hashes and accumulators are field elements (< r, enforced by the verifier
    ///      because each of them is a public input of some chunk proof).
    struct Round {
        /// Round index t, must be lastRound + 1.
        uint256 round;
        /// B_inf in fixed-point units (public input 1).
        uint256 bInf;
        /// B_2^2 in fixed-point units squared (public input 2).
        uint256 b2Sq;
        /// Client weights w_1..w_n (0 for empty slots).
        uint256[NUM_SLOTS] weights;
        /// h(M_{t-1}[c]) for c = 0..K-1.
        uint256[] oldModelHashes;
        /// h(M_t[c]) for c = 0..K-1.
        uint256[] newModelHashes;
        /// h(Delta_i[c]) flattened slot-major: updateHashes[i * K + c], length n * K.
        uint256[] updateHashes;
        /// Norm accumulators, length K + 1: chunk c proves acc[c] -> acc[c + 1], so two
        /// consecutive chunks share an accumulator by construction.
        uint256[] accumulators;
        /// Chunk proofs, proofs[c] for chunk c.
        uint256[8][] proofs;
    }

    /// @notice The caller is not the coordinator.
    error NotCoordinator(address caller);
    /// @notice The caller is not the owner.
    error NotOwner(address caller);
    /// @notice The zero address cannot be owner or coordinator.
    error ZeroAddress();
    /// @notice Round index is not lastRound + 1 (replayed or skipped round).
    error UnexpectedRound(uint256 expected, uint256 got);
    /// @notice The previous-model commitment recomputed from oldModelHashes is not the stored one.
    error PreviousModelMismatch(bytes32 stored, bytes32 computed);
    /// @notice An array has the wrong length. field: 0 oldModelHashes, 1 newModelHashes,
    ///         2 updateHashes, 3 accumulators, 4 proofs.
    error ArrayLengthMismatch(uint256 field, uint256 expected, uint256 got);
    /// @notice Weight of slot `index` is not below 2^weightBits.
    error WeightOutOfRange(uint256 index);
    /// @notice The total weight W must satisfy 0 < W < 2^weightBits.
    error TotalWeightOutOfRange(uint256 total);
    /// @notice Constructor arguments do not describe a valid shape (K != ceil(d / m), zero
    ///         sizes, a weight width outside 1..64, update bits outside 2..64 or norm bits
    ///         outside 2..255).
    error InvalidShape();
    /// @notice A round of `chunks` chunks could never be submitted: its calldata would exceed
    ///         MAX_CALLDATA_BYTES or its gas bound TX_GAS_CAP. At most `maxChunks` fit; use a
    ///         larger chunk size m.
    error RoundTooLarge(uint256 chunks, uint256 maxChunks);
    /// @notice Slot `slot` has weight 0 but its chunk `chunk` hash is not EMPTY_UPDATE_CHUNK_HASH:
    ///         a weight-0 slot must carry the canonical empty update.
    error EmptySlotNotCanonical(uint256 slot, uint256 chunk);
    /// @notice A bound outside what the shape proves: which = 0 for B_inf (must be
    ///         < 2^(updateBits - 1)), 1 for B_2^2 (must be < 2^normBits).
    error BoundOutOfRange(uint256 which, uint256 value);
    /// @notice Only the pending owner may accept ownership.
    error NotPendingOwner(address caller);

    /// @notice A round was accepted and `newModel` is now the current model commitment.
    /// @param bounds [B_inf, B_2^2].
    event RoundAccepted(
        uint256 indexed round,
        bytes32 prevModel,
        bytes32 newModel,
        bytes32[NUM_SLOTS] updateCommitments,
        uint256[NUM_SLOTS] weights,
        uint256[2] bounds
    );
    /// @notice The registry starts from this model: round 0, emitted once, at deployment.
    event GenesisModel(bytes32 indexed model, uint64 modelDim, uint64 numChunks, uint64 chunkSize);
    /// @notice The coordinator changed.
    event CoordinatorChanged(address indexed previous, address indexed current);
    /// @notice The owner offered ownership to `pending`, who must call acceptOwnership.
    event OwnershipTransferStarted(address indexed previous, address indexed pending);
    /// @notice The owner changed.
    event OwnershipTransferred(address indexed previous, address indexed current);

    /// @notice EIP-7825's per-transaction gas cap: every round must fit under it.
    uint256 public constant TX_GAS_CAP = 1 << 24;
    /// @notice The largest calldata a round may have: 128 KiB (the transaction size that
    ///         common node pools relay) minus 1 KiB for the transaction envelope.
    uint256 public constant MAX_CALLDATA_BYTES = 127 * 1024;

    /// @notice Number of model parameters d.
    uint64 public immutable modelDim;
    /// @notice Number of chunks K = ceil(d / m).
    uint64 public immutable numChunks;
    /// @notice Parameters per chunk m.
    uint64 public immutable chunkSize;
    /// @notice Fixed-point fractional bits f.
    uint8 public immutable fracBits;
    /// @notice Update bit width U.
    uint8 public immutable updateBits;
    /// @notice Model value bit width Bm.
    uint8 public immutable modelBits;
    /// @notice Weight bit width Wb (every weight and W are < 2^Wb).
    uint8 public immutable weightBits;
    /// @notice Norm bit width Nb.
    uint8 public immutable normBits;

    /// @dev SHA-256("zkfl/v1/model-commitment") and SHA-256("zkfl/v1/update-commitment"),
    ///      computed at deployment from the ASCII strings so the source shows the definition.
    bytes32 internal immutable DOMAIN_MODEL;
    bytes32 internal immutable DOMAIN_UPDATE;

    /// @notice May change the coordinator and transfer ownership.
    address public owner;
    /// @notice Offered ownership by the owner; becomes owner by calling acceptOwnership.
    address public pendingOwner;
    /// @notice The only account allowed to submit rounds.
    address public coordinator;
    /// @notice Commitment C_t of the current global model (genesis: C_0).
    bytes32 public modelCommitment;
    /// @notice Index of the last accepted round (0 = only the genesis model).
    uint256 public lastRound;

    /// @param coordinator_ account allowed to submit rounds
    /// @param genesisModel top-level commitment C_0 of the initial model
    /// @param d number of model parameters
    /// @param k number of chunks, must equal ceil(d / m)
    /// @param m parameters per chunk
    constructor(
        address coordinator_,
        bytes32 genesisModel,
        uint64 d,
        uint64 k,
        uint64 m,
        uint8 fracBits_,
        uint8 updateBits_,
        uint8 modelBits_,
        uint8 weightBits_,
        uint8 normBits_
    ) {
        if (coordinator_ == address(0)) revert ZeroAddress();
        // weightBits, updateBits and normBits are the widths this contract computes with
        // (weights, and the bound checks); the others are enforced by the circuit and only
        // recorded here.
        if (
            d == 0 || m == 0 || k != (d + m - 1) / m || weightBits_ == 0 || weightBits_ > 64
                || updateBits_ < 2 || updateBits_ > 64 || normBits_ < 2
        ) {
            revert InvalidShape();
        }
        if (!roundFits(k)) revert RoundTooLarge(k, maxChunks());
        modelDim = d;
        numChunks = k;
        chunkSize = m;
        fracBits = fracBits_;
        updateBits = updateBits_;
        modelBits = modelBits_;
        weightBits = weightBits_;
        normBits = normBits_;
        DOMAIN_MODEL = sha256(bytes("zkfl/v1/model-commitment"));
        DOMAIN_UPDATE = sha256(bytes("zkfl/v1/update-commitment"));
        owner = msg.sender;
        coordinator = coordinator_;
        modelCommitment = genesisModel;
        emit OwnershipTransferred(address(0), msg.sender);
        emit CoordinatorChanged(address(0), coordinator_);
        emit GenesisModel(genesisModel, d, k, m);
    }

    /// @notice Calldata bytes of submitRound for a round of k chunks: the selector, then
    ///         15 + n + k (11 + n) words (docs/PROTOCOL.md section 8, contracts/README.md).
    function roundCalldataBytes(uint256 k) public pure returns (uint256) {
        return 4 + 32 * (15 + NUM_SLOTS + k * (11 + NUM_SLOTS));
    }

    /// @notice An upper bound on the gas of an accepted submitRound of k chunks, intrinsic
    ///         cost included. Precompile prices (EIP-1108) and memory expansion are exact; the
    ///         interpreted overhead is bounded by constants measured in revm with margin (the
    ///         contracts test `gas_bound_holds_up_to_the_largest_round` checks bound >= measured
    ///         for k = 1 up to maxChunks()).
    function roundGasBound(uint256 k) public pure returns (uint256) {
        uint256 cd = roundCalldataBytes(k);
        // Peak memory in words: the k*l input array, then the larger of the calldata copy
        // hashed for the seed and the batch scratch (l + 1 scalars, 5 words, k + 3 pairs).
        uint256 scratch = NUM_INPUTS + 6 + 6 * (k + 3);
        uint256 words = 32 + k * NUM_INPUTS + (cd / 32 > scratch ? cd / 32 + 1 : scratch);
        uint256 memoryGas = 3 * words + words * words / 512;
        // Precompiles: one (k + 3)-pair pairing, 2 ecMul + 1 ecAdd per proof, l + 2 ecMul and
        // l ecAdd for the input and alpha terms.
        uint256 precompiles = 45_000 + 34_000 * (k + 3) + 12_150 * k + 6_150 * NUM_INPUTS + 12_000;
        uint256 interpreted = GAS_FIXED + k * (GAS_PER_CHUNK + GAS_PER_CHUNK_SLOT * NUM_SLOTS);
        return 21_000 + 16 * cd + memoryGas + precompiles + interpreted;
    }

    /// @dev Interpreted-code overhead of submitRound beyond precompiles, memory and
    ///      intrinsic gas (storage, the event, sha256 input, keccak, input assembly). Measured
    ///      with solc 0.8.37 (tests/limits.rs): the largest rounds use 96-98% of the bound
    ///      with GAS_PER_CHUNK = 4,000; 5,000 leaves room for other compiler versions.
    uint256 internal constant GAS_FIXED = 100_000;
    uint256 internal constant GAS_PER_CHUNK = 5_000;
    uint256 internal constant GAS_PER_CHUNK_SLOT = 400;

    /// @notice Whether a round of k chunks fits both MAX_CALLDATA_BYTES and TX_GAS_CAP.
    function roundFits(uint256 k) public pure returns (bool) {
        return roundCalldataBytes(k) <= MAX_CALLDATA_BYTES && roundGasBound(k) <= TX_GAS_CAP;
    }

    /// @notice The largest K a round of this shape's slot count can have.
    function maxChunks() public pure returns (uint256 hi) {
        // Both bounds grow with k; binary search over [0, 2^16) (calldata alone caps k far
        // below 2^16).
        uint256 lo = 0;
        hi = 1 << 16;
        while (lo < hi) {
            uint256 mid = (lo + hi + 1) / 2;
            if (roundFits(mid)) lo = mid;
            else hi = mid - 1;
        }
    }

    /// @notice Hands the coordinator role to `next`. Owner only.
    function setCoordinator(address next) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (next == address(0)) revert ZeroAddress();
        emit CoordinatorChanged(coordinator, next);
        coordinator = next;
    }

    /// @notice Offers ownership to `next`, who must accept it (two steps, so that a mistyped
    ///         address cannot lock the registry). Owner only; address(0) cancels an offer.
    function transferOwnership(address next) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        pendingOwner = next;
        emit OwnershipTransferStarted(msg.sender, next);
    }

    /// @notice Completes a transfer started by transferOwnership. Pending owner only.
    function acceptOwnership() external {
        if (msg.sender != pendingOwner || msg.sender == address(0)) revert NotPendingOwner(msg.sender);
        emit OwnershipTransferred(owner, msg.sender);
        owner = msg.sender;
        pendingOwner = address(0);
    }

    /// @notice Verifies a whole round and advances the model commitment. Coordinator only.
    /// @dev Order of checks: caller, round index, array shapes, weights, previous-model
    ///      commitment, then the batched proof check (the expensive part) last. The work is
    ///      split into private helpers to stay within the EVM's 16 reachable stack slots.
    function submitRound(Round calldata r) external {
        if (msg.sender != coordinator) revert NotCoordinator(msg.sender);
        uint256 expected = lastRound + 1;
        if (r.round != expected) revert UnexpectedRound(expected, r.round);
        uint256 k = _checkShape(r);

        bytes32 prev = modelCommitment;
        bytes32 computedPrev = _commitment(DOMAIN_MODEL, r.oldModelHashes);
        if (computedPrev != prev) revert PreviousModelMismatch(prev, computedPrev);

        _verifyBatch(r.proofs, _publicInputs(r, k), _calldataSeed());

        bytes32 next = _commitment(DOMAIN_MODEL, r.newModelHashes);
        modelCommitment = next;
        lastRound = expected;
        _emitAccepted(r, prev, next, k);
    }

    /// @notice Top-level commitment of K chunk hashes, exactly as docs/PROTOCOL.md section 3:
    ///         SHA-256(domain || be64(d) || be64(K) || h_0 || ... || h_{K-1}).
    /// @param update true for an update commitment, false for a model commitment.
    function commitment(bool update, uint256[] calldata hashes) external view returns (bytes32) {
        _checkLength(0, numChunks, hashes.length);
        return _commitment(update ? DOMAIN_UPDATE : DOMAIN_MODEL, hashes);
    }

    function _checkLength(uint256 field, uint256 expected, uint256 got) private pure {
        if (expected != got) revert ArrayLengthMismatch(field, expected, got);
    }

    /// @dev Array lengths against n and K, 0 < W < 2^weightBits, bounds within the shape, and
    ///      canonical empty slots. Returns K.
    function _checkShape(Round calldata r) private view returns (uint256 k) {
        k = numChunks;
        _checkLength(0, k, r.oldModelHashes.length);
        _checkLength(1, k, r.newModelHashes.length);
        _checkLength(2, NUM_SLOTS * k, r.updateHashes.length);
        _checkLength(3, k + 1, r.accumulators.length);
        _checkLength(4, k, r.proofs.length);
        uint256 limit = uint256(1) << weightBits;
        uint256 total;
        for (uint256 i; i < NUM_SLOTS; ++i) {
            uint256 w = r.weights[i];
            if (w >= limit) revert WeightOutOfRange(i);
            total += w;
        }
        if (total == 0 || total >= limit) revert TotalWeightOutOfRange(total);
        // The circuit proves |Delta| <= B_inf and S <= B_2^2; these widths are what PROTOCOL.md
        // section 2 fixes for the public inputs, checked by every verifier.
        if (r.bInf >> (updateBits - 1) != 0) revert BoundOutOfRange(0, r.bInf);
        if (r.b2Sq >> normBits != 0) revert BoundOutOfRange(1, r.b2Sq);
        uint256[] calldata h = r.updateHashes;
        uint256 empty = EMPTY_UPDATE_CHUNK_HASH;
        for (uint256 i; i < NUM_SLOTS; ++i) {
            if (r.weights[i] != 0) continue;
            // Slot i's K hashes, read in assembly: the length was checked above, and Solidity's
            // per-element bounds and overflow checks cost ~280 gas a chunk here.
            uint256 bad = type(uint256).max;
            assembly ("memory-safe") {
                let p := add(h.offset, mul(mul(i, k), 0x20))
                for { let c := 0 } lt(c, k) { c := add(c, 1) } {
                    if iszero(eq(calldataload(add(p, shl(5, c))), empty)) {
                        bad := c
                        break
                    }
                }
            }
            if (bad != type(uint256).max) revert EmptySlotNotCanonical(i, bad);
        }
    }

    function _emitAccepted(Round calldata r, bytes32 prev, bytes32 next, uint256 k) private {
        bytes32[NUM_SLOTS] memory updates;
        for (uint256 i; i < NUM_SLOTS; ++i) {
            updates[i] = _commitment(DOMAIN_UPDATE, r.updateHashes[i * k:(i + 1) * k]);
        }
        emit RoundAccepted(r.round, prev, next, updates, r.weights, [r.bInf, r.b2Sq]);
    }

    /// @dev Hashes with the 0x02 precompile over a buffer laid out by hand: abi.encodePacked
    ///      of a calldata slice would copy the same bytes with more overhead.
    function _commitment(bytes32 domain, uint256[] calldata hashes) private view returns (bytes32 c) {
        // Immutables cannot be read inside assembly; be64(d) || be64(K) is built here.
        uint256 header = (uint256(modelDim) << 192) | (uint256(numChunks) << 128);
        assembly ("memory-safe") {
            let f := mload(0x40)
            mstore(f, domain)
            mstore(add(f, 0x20), header)
            let len := shl(5, hashes.length)
            // Chunk hashes start right after the 16 header bytes and overwrite the zero padding.
            calldatacopy(add(f, 0x30), hashes.offset, len)
            // A chain without the 0x02 precompile returns nothing: check the size, not only
            // the success flag, or a stale word would be read as the hash.
            // (Two statements: Yul evaluates arguments right to left, so returndatasize() in
            // the same expression would be read before the call.)
            let ok := staticcall(gas(), 0x02, f, add(len, 0x30), 0, 0x20)
            if iszero(and(ok, eq(returndatasize(), 0x20))) { revert(0, 0) }
            c := mload(0)
        }
    }

    /// @dev Public inputs of every chunk, flattened chunk-major, in the order of
    ///      docs/PROTOCOL.md section 2: c, B_inf, B_2^2, w_1..w_n, h(M_t[c]), h(M_{t+1}[c]),
    ///      h(Delta_1[c])..h(Delta_n[c]), acc_in = acc[c], acc_out = acc[c + 1].
    function _publicInputs(Round calldata r, uint256 k) private pure returns (uint256[] memory inputs) {
        inputs = new uint256[](k * NUM_INPUTS);
        uint256 bInf = r.bInf;
        uint256 b2Sq = r.b2Sq;
        // Calldata offsets, read once; lengths were checked in _checkShape, so the assembly
        // below reads inside every array without per-element bounds checks.
        uint256 w;
        uint256 oldH;
        uint256 newH;
        uint256 upd;
        uint256 acc;
        {
            uint256[NUM_SLOTS] calldata ws = r.weights;
            uint256[] calldata a = r.oldModelHashes;
            uint256[] calldata b = r.newModelHashes;
            assembly ("memory-safe") {
                w := ws
                oldH := a.offset
                newH := b.offset
            }
        }
        {
            uint256[] calldata a = r.updateHashes;
            uint256[] calldata b = r.accumulators;
            assembly ("memory-safe") {
                upd := a.offset
                acc := b.offset
            }
        }
        assembly ("memory-safe") {
            let out := add(inputs, 0x20)
            for { let c := 0 } lt(c, k) { c := add(c, 1) } {
                let cc := shl(5, c)
                mstore(out, c)
                mstore(add(out, 0x20), bInf)
                mstore(add(out, 0x40), b2Sq)
                calldatacopy(add(out, 0x60), w, shl(5, NUM_SLOTS))
                let q := add(add(out, 0x60), shl(5, NUM_SLOTS))
                mstore(q, calldataload(add(oldH, cc)))
                mstore(add(q, 0x20), calldataload(add(newH, cc)))
                q := add(q, 0x40)
                for { let i := 0 } lt(i, NUM_SLOTS) { i := add(i, 1) } {
                    mstore(q, calldataload(add(upd, shl(5, add(mul(i, k), c)))))
                    q := add(q, 0x20)
                }
                mstore(q, calldataload(add(acc, cc)))
                mstore(add(q, 0x20), calldataload(add(acc, add(cc, 0x20))))
                out := add(out, shl(5, NUM_INPUTS))
            }
        }
    }
}
