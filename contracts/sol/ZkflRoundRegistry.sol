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
        /// The enrolled client that signed slot i, address(0) for an empty slot.
        address[NUM_SLOTS] clients;
        /// Slot i's EIP-712 signature r || s || v at bytes [65 i, 65 i + 65), all zero for an
        /// empty slot; length 65 n. Packed because it is the cheapest layout: 65 bytes a slot,
        /// against 96 for (r, s, v) words or 160 for a bytes element per slot.
        bytes signatures;
        /// The registry's current roster, exactly as `roster()` returns it; checked against
        /// `rosterHash` (one storage read a round instead of one cold read per client).
        address[] roster;
        /// Slot i's client is roster[rosterIndex[i]]; 0 for an empty slot.
        uint256[NUM_SLOTS] rosterIndex;
        /// SHA-256 of the new model's file (model.safetensors, round.json's model_file), or
        /// zero when the round records none. Attested by the coordinator, not proven: the
        /// registry only carries it into RoundAccepted for whoever fetches the file.
        bytes32 modelFile;
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
    /// @notice Slot `slot` has weight `weight` > 0 but no client (clients[slot] is address(0)).
    error Unsigned(uint256 slot, uint256 weight);
    /// @notice Slot `slot` is empty (weight 0) but names a client or carries signature bytes.
    error SignedEmptySlot(uint256 slot);
    /// @notice Slot `slot` is signed by `client`, who is not enrolled (never, or revoked).
    error NotEnrolled(uint256 slot, address client);
    /// @notice Slot `slot`'s signature is not r || s || v with v in {27, 28} and 0 < r, s < n.
    error MalformedSignature(uint256 slot);
    /// @notice Slot `slot`'s signature has s > n / 2: the high-s twin of a valid signature.
    error HighS(uint256 slot);
    /// @notice Slot `slot`'s signature does not recover to `client` for UpdateCommitment{this
    ///         round, the stored model, the slot's update commitment, its weight} under this
    ///         registry's EIP-712 domain (another round, model, update, weight, chain or registry).
    error BadSignature(uint256 slot, address client);
    /// @notice `client` signed slots `first` and `second`: a client contributes once per round.
    error DuplicateClient(uint256 first, uint256 second, address client);
    /// @notice Slot `slot`'s client is below `previous`, the client of the signed slot before
    ///         it: signed slots are in strictly ascending client order.
    error ClientsOutOfOrder(uint256 slot, address client, address previous);
    /// @notice Only `clients` slots are signed; the round needs at least `minClients`.
    error BelowQuorum(uint256 clients, uint256 minClients);
    /// @notice enroll of a client that is already enrolled.
    error AlreadyEnrolled(address client);
    /// @notice revoke of an address that is not enrolled.
    error NotAClient(address client);
    /// @notice minClients must be in 1..NUM_SLOTS.
    error InvalidMinClients(uint256 value);
    /// @notice The round's roster is not the registry's (enrolled or revoked since it was read).
    error RosterMismatch(bytes32 stored, bytes32 sent);
    /// @notice Enrolling would make a round of numChunks chunks exceed the size limits.
    error RosterTooLarge(uint256 size, uint256 maxSize);

    /// @notice A round was accepted and `newModel` is now the current model commitment.
    /// @param bounds [B_inf, B_2^2].
    event RoundAccepted(
        uint256 indexed round,
        bytes32 prevModel,
        bytes32 newModel,
        bytes32[NUM_SLOTS] updateCommitments,
        uint256[NUM_SLOTS] weights,
        uint256[2] bounds,
        address[NUM_SLOTS] clients,
        bytes32 modelFile
    );
    /// @notice `client` may now sign rounds.
    event ClientEnrolled(address indexed client);
    /// @notice `client` may no longer sign rounds.
    event ClientRevoked(address indexed client);
    /// @notice The quorum changed.
    event MinClientsChanged(uint256 previous, uint256 current);
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

    /// @notice EIP-712 type hash of what a client signs.
    bytes32 public constant UPDATE_TYPEHASH =
        keccak256("UpdateCommitment(uint256 round,bytes32 prevModel,bytes32 commitment,uint256 weight)");
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    /// @dev secp256k1's group order n and n / 2 (EIP-2: only s <= n / 2 is accepted).
    uint256 private constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    uint256 private constant SECP256K1_HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
    /// @dev The domain separator for the chain and address of deployment; recomputed if either
    ///      differs (a chain fork, or code run at another address), as OpenZeppelin's EIP712 does.
    bytes32 private immutable CACHED_DOMAIN_SEPARATOR;
    uint256 private immutable CACHED_CHAIN_ID;
    address private immutable CACHED_THIS;

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
    /// @notice The fewest signed slots a round may have (the task's quorum), 1..NUM_SLOTS.
    ///         Next to `coordinator`, with `lastRound`: all three share the storage slot
    ///         submitRound reads first (one cold read instead of three).
    uint32 public minClients;
    /// @notice Index of the last accepted round (0 = only the genesis model).
    uint64 public lastRound;
    /// @notice keccak256 of the enrolled clients, each as a 32-byte word, in `roster()`
    ///         order: what a round's `roster` must hash to (docs/PROTOCOL.md section 10).
    bytes32 public rosterHash;
    /// @dev Clients whose signatures count, mirroring the task's roster.json: enrolment order,
    ///      a revoked client's place taken by the last one.
    address[] private clientList;
    /// @dev 1 + a client's index in clientList, 0 if not enrolled.
    mapping(address => uint256) private clientPosition;
    /// @notice Commitment C_t of the current global model (genesis: C_0).
    bytes32 public modelCommitment;

    /// @param coordinator_ account allowed to submit rounds
    /// @param genesisModel top-level commitment C_0 of the initial model
    /// @param d number of model parameters
    /// @param k number of chunks, must equal ceil(d / m)
    /// @param m parameters per chunk
    /// @param minClients_ the task's quorum, 1..NUM_SLOTS; clients are enrolled afterwards
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
        uint8 normBits_,
        uint256 minClients_
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
        // A round must have room for a roster of at least the quorum.
        if (!roundFits(k, minClients_)) revert RoundTooLarge(k, maxChunks(minClients_));
        if (minClients_ == 0 || minClients_ > NUM_SLOTS) revert InvalidMinClients(minClients_);
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
        minClients = uint32(minClients_);
        _rehash();
        CACHED_CHAIN_ID = block.chainid;
        CACHED_THIS = address(this);
        CACHED_DOMAIN_SEPARATOR = _buildDomainSeparator();
        emit OwnershipTransferred(address(0), msg.sender);
        emit MinClientsChanged(0, minClients_);
        emit CoordinatorChanged(address(0), coordinator_);
        emit GenesisModel(genesisModel, d, k, m);
    }

    /// @notice Calldata bytes of submitRound for a round of k chunks and a roster of
    ///         `clients`: the selector, then 20 + 3n + ceil(65 n / 32) + clients + k (11 + n)
    ///         words (docs/PROTOCOL.md section 8, contracts/README.md).
    function roundCalldataBytes(uint256 k, uint256 clients) public pure returns (uint256) {
        return 4 + 32 * (20 + 3 * NUM_SLOTS + (65 * NUM_SLOTS + 31) / 32 + clients + k * (11 + NUM_SLOTS));
    }

    /// @notice An upper bound on the gas of an accepted submitRound of k chunks, intrinsic
    ///         cost included. Precompile prices (EIP-1108) and memory expansion are exact; the
    ///         interpreted overhead is bounded by constants measured in revm with margin (the
    ///         contracts test `gas_bound_holds_up_to_the_largest_round` checks bound >= measured
    ///         for k = 1 up to maxChunks()).
    function roundGasBound(uint256 k, uint256 clients) public pure returns (uint256) {
        uint256 cd = roundCalldataBytes(k, clients);
        // Peak memory in words: the k*l input array, then the larger of the calldata copy
        // hashed for the seed and the batch scratch (l + 1 scalars, 5 words, k + 3 pairs).
        uint256 scratch = NUM_INPUTS + 6 + 6 * (k + 3);
        uint256 words = 32 + k * NUM_INPUTS + (cd / 32 > scratch ? cd / 32 + 1 : scratch);
        uint256 memoryGas = 3 * words + words * words / 512;
        // Precompiles: one (k + 3)-pair pairing, 2 ecMul + 1 ecAdd per proof, l + 2 ecMul and
        // l ecAdd for the input and alpha terms.
        uint256 precompiles = 45_000 + 34_000 * (k + 3) + 12_150 * k + 6_150 * NUM_INPUTS + 12_000;
        uint256 interpreted = GAS_FIXED + GAS_PER_SIGNED_SLOT * NUM_SLOTS + GAS_PER_ROSTER_CLIENT * clients
            + k * (GAS_PER_CHUNK + GAS_PER_CHUNK_SLOT * NUM_SLOTS);
        return 21_000 + 16 * cd + memoryGas + precompiles + interpreted;
    }

    /// @dev Interpreted-code overhead of submitRound beyond precompiles, memory and
    ///      intrinsic gas (storage, the event, sha256 input, keccak, input assembly). Measured
    ///      with solc 0.8.37 (tests/limits.rs): the largest rounds use 96-98% of the bound
    ///      with GAS_PER_CHUNK = 4,000; 5,000 leaves room for other compiler versions.
    uint256 internal constant GAS_FIXED = 100_000;
    uint256 internal constant GAS_PER_CHUNK = 5_000;
    uint256 internal constant GAS_PER_CHUNK_SLOT = 400;
    /// @dev A signed slot: ecrecover (3,000 and its call), two keccaks, the roster lookup, the
    ///      client in the event, and a share of the rosterHash read; measured 5,472 a slot
    ///      with 5 of 8 signed (tests/registry signed_slot_gas), bounded with margin.
    uint256 internal constant GAS_PER_SIGNED_SLOT = 6_000;
    /// @dev A roster client: hashing its word (copy, keccak, the calldata seed) and memory.
    uint256 internal constant GAS_PER_ROSTER_CLIENT = 100;

    /// @notice Whether a round of k chunks with a roster of `clients` fits both
    ///         MAX_CALLDATA_BYTES and TX_GAS_CAP.
    function roundFits(uint256 k, uint256 clients) public pure returns (bool) {
        return roundCalldataBytes(k, clients) <= MAX_CALLDATA_BYTES && roundGasBound(k, clients) <= TX_GAS_CAP;
    }

    /// @notice The largest K a round of this shape's slot count can have with a roster of
    ///         `clients`.
    function maxChunks(uint256 clients) public pure returns (uint256 hi) {
        // Both bounds grow with k; binary search over [0, 2^16) (calldata alone caps k far
        // below 2^16).
        uint256 lo = 0;
        hi = 1 << 16;
        while (lo < hi) {
            uint256 mid = (lo + hi + 1) / 2;
            if (roundFits(mid, clients)) lo = mid;
            else hi = mid - 1;
        }
    }

    /// @notice The largest roster this registry's rounds (numChunks chunks) can carry.
    function maxRoster() public view returns (uint256 hi) {
        uint256 k = numChunks;
        uint256 lo = 0;
        hi = 1 << 16;
        while (lo < hi) {
            uint256 mid = (lo + hi + 1) / 2;
            if (roundFits(k, mid)) lo = mid;
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

    /// @notice Whether `client`'s signatures count.
    function enrolled(address client) external view returns (bool) {
        return clientPosition[client] != 0;
    }

    /// @notice The enrolled clients in the order a round's `roster` must list them.
    function roster() external view returns (address[] memory) {
        return clientList;
    }

    /// @notice Enrolls `client`: its signatures count from the next round on. Owner only.
    function enroll(address client) external {
        _enroll(client);
        _rehash();
    }

    /// @notice Enrolls every client in `clients` (a roster in one transaction). Owner only.
    function enrollMany(address[] calldata clients) external {
        for (uint256 i; i < clients.length; ++i) {
            _enroll(clients[i]);
        }
        _rehash();
    }

    /// @notice Revokes `client`: no round from now on may carry its signature. Owner only.
    function revoke(address client) external {
        _revoke(client);
        _rehash();
    }

    /// @notice Revokes every client in `clients`. Owner only.
    function revokeMany(address[] calldata clients) external {
        for (uint256 i; i < clients.length; ++i) {
            _revoke(clients[i]);
        }
        _rehash();
    }

    function _enroll(address client) private {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (client == address(0)) revert ZeroAddress();
        if (clientPosition[client] != 0) revert AlreadyEnrolled(client);
        clientList.push(client);
        uint256 size = clientList.length;
        if (!roundFits(numChunks, size)) revert RosterTooLarge(size, maxRoster());
        clientPosition[client] = size;
        emit ClientEnrolled(client);
    }

    /// @dev The last client takes the revoked one's place.
    function _revoke(address client) private {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        uint256 position = clientPosition[client];
        if (position == 0) revert NotAClient(client);
        uint256 last = clientList.length;
        if (position != last) {
            address moved = clientList[last - 1];
            clientList[position - 1] = moved;
            clientPosition[moved] = position;
        }
        clientList.pop();
        delete clientPosition[client];
        emit ClientRevoked(client);
    }

    /// @dev rosterHash = keccak256 of clientList as 32-byte words (= abi.encodePacked).
    function _rehash() private {
        rosterHash = keccak256(abi.encodePacked(clientList));
    }

    /// @notice Sets the quorum, 1..NUM_SLOTS. Owner only.
    function setMinClients(uint256 next) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (next == 0 || next > NUM_SLOTS) revert InvalidMinClients(next);
        emit MinClientsChanged(minClients, next);
        minClients = uint32(next);
    }

    /// @notice The EIP-712 domain separator: name "zkfl", version "1", this chain, this registry.
    function domainSeparator() public view returns (bytes32) {
        if (block.chainid == CACHED_CHAIN_ID && address(this) == CACHED_THIS) {
            return CACHED_DOMAIN_SEPARATOR;
        }
        return _buildDomainSeparator();
    }

    /// @notice The EIP-712 hash a client signs for UpdateCommitment{round, prevModel, update,
    ///         weight} under this registry's domain (equal to zkfl_task::signing_hash).
    function updateDigest(uint256 round, bytes32 prevModel, bytes32 update, uint256 weight)
        external
        view
        returns (bytes32)
    {
        return _digest(domainSeparator(), round, prevModel, update, weight);
    }

    function _buildDomainSeparator() private view returns (bytes32) {
        return keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("zkfl"), keccak256("1"), block.chainid, address(this))
        );
    }

    /// @dev keccak256(0x1901 || separator || keccak256(UPDATE_TYPEHASH || round || prevModel
    ///      || update || weight)), in scratch memory (abi.encode would allocate twice a slot).
    function _digest(bytes32 separator, uint256 round, bytes32 prevModel, bytes32 update, uint256 weight)
        private
        pure
        returns (bytes32 d)
    {
        bytes32 typehash = UPDATE_TYPEHASH;
        assembly ("memory-safe") {
            let f := mload(0x40)
            mstore(f, typehash)
            mstore(add(f, 0x20), round)
            mstore(add(f, 0x40), prevModel)
            mstore(add(f, 0x60), update)
            mstore(add(f, 0x80), weight)
            let s := keccak256(f, 0xa0)
            mstore(f, shl(240, 0x1901))
            mstore(add(f, 0x02), separator)
            mstore(add(f, 0x22), s)
            d := keccak256(f, 0x42)
        }
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
    ///      commitment, the clients' signatures (zkfl_task::check_round's rule, in its order),
    ///      then the batched proof check (the expensive part) last. The work is split into
    ///      private helpers to stay within the EVM's 16 reachable stack slots.
    function submitRound(Round calldata r) external {
        if (msg.sender != coordinator) revert NotCoordinator(msg.sender);
        uint256 expected = uint256(lastRound) + 1;
        if (r.round != expected) revert UnexpectedRound(expected, r.round);
        uint256 k = _checkShape(r);

        bytes32 prev = modelCommitment;
        bytes32 computedPrev = _commitment(DOMAIN_MODEL, r.oldModelHashes);
        if (computedPrev != prev) revert PreviousModelMismatch(prev, computedPrev);

        bytes32[NUM_SLOTS] memory updates;
        for (uint256 i; i < NUM_SLOTS; ++i) {
            updates[i] = _commitment(DOMAIN_UPDATE, r.updateHashes[i * k:(i + 1) * k]);
        }
        _checkClients(r, prev, updates);

        _verifyBatch(r.proofs, _publicInputs(r, k), _calldataSeed());

        bytes32 next = _commitment(DOMAIN_MODEL, r.newModelHashes);
        modelCommitment = next;
        // 2^64 rounds never happen, but a truncated index would reopen round 0.
        if (expected > type(uint64).max) revert UnexpectedRound(expected, r.round);
        lastRound = uint64(expected);
        emit RoundAccepted(r.round, prev, next, updates, r.weights, [r.bInf, r.b2Sq], r.clients, r.modelFile);
    }

    /// @dev Every slot of weight > 0 is signed by an enrolled client over UpdateCommitment{
    ///      round, prev, updates[i], weight} with a low-s signature; empty slots carry nothing;
    ///      clients strictly ascend in slot order (so none signs twice); at least minClients
    ///      slots are signed. Same cases and order as zkfl_task::check_round. "Enrolled" means
    ///      listed at the slot's rosterIndex in the round's roster, once that roster hashes to
    ///      rosterHash.
    /// @dev The slot loop is one assembly block (Solidity's per-slot calls, struct reads and
    ///      bounds checks cost ~1,000 gas a slot, against ~300 here); it stops at the first
    ///      fault and _slotFault reverts with the fault's custom error. Calldata offsets were
    ///      checked by the ABI decoder, the signature length by _checkLength. Scratch memory
    ///      past the free pointer, from f:
    ///        [0x00, 0xa0)   typehash, round, prev, update, weight: the struct hash input
    ///        [0xa0, 0xe2)   0x1901, separator, struct hash: the EIP-712 digest input
    ///        [0x100, 0x180) digest, v, r, s: ecrecover's input
    ///        [0x180, 0x280) calldata offsets of weights, signatures, roster, the roster
    ///                       length, the updates pointer, clients, rosterIndex; the slot of
    ///                       the last signed client
    function _checkClients(Round calldata r, bytes32 prev, bytes32[NUM_SLOTS] memory updates) private view {
        uint256 f;
        {
            bytes calldata sigs = r.signatures;
            _checkLength(5, 65 * NUM_SLOTS, sigs.length);
            (uint256 lo, uint256 ll) = _roster(r.roster);
            assembly ("memory-safe") {
                f := mload(0x40)
                mstore(add(f, 0x1a0), sigs.offset)
                mstore(add(f, 0x1c0), lo)
                mstore(add(f, 0x1e0), ll)
                mstore(add(f, 0x200), updates)
            }
        }
        {
            bytes32 separator = domainSeparator();
            bytes32 typehash = UPDATE_TYPEHASH;
            uint256 round = r.round;
            assembly ("memory-safe") {
                mstore(f, typehash)
                mstore(add(f, 0x20), round)
                mstore(add(f, 0x40), prev)
                mstore(add(f, 0xa0), shl(240, 0x1901))
                mstore(add(f, 0xa2), separator)
            }
        }
        {
            uint256[NUM_SLOTS] calldata ws = r.weights;
            address[NUM_SLOTS] calldata cs = r.clients;
            uint256[NUM_SLOTS] calldata xs = r.rosterIndex;
            assembly ("memory-safe") {
                mstore(add(f, 0x180), ws)
                mstore(add(f, 0x220), cs)
                mstore(add(f, 0x240), xs)
            }
        }
        uint256 fault;
        uint256 slot;
        uint256 count;
        uint256 last;
        assembly ("memory-safe") {
            for {} lt(slot, NUM_SLOTS) { slot := add(slot, 1) } {
                let at := shl(5, slot)
                let w := calldataload(add(mload(add(f, 0x180)), at))
                let raw := calldataload(add(mload(add(f, 0x220)), at))
                // An address word with high bits set is not ABI: refused as the decoder would.
                if shr(160, raw) {
                    fault := 1
                    break
                }
                let p := add(mload(add(f, 0x1a0)), mul(slot, 65))
                let sr := calldataload(p)
                let ss := calldataload(add(p, 0x20))
                let v := byte(0, calldataload(add(p, 0x40)))
                let index := calldataload(add(mload(add(f, 0x240)), at))
                if iszero(w) {
                    if or(or(raw, index), or(or(sr, ss), v)) {
                        fault := 2
                        break
                    }
                    continue
                }
                if iszero(raw) {
                    fault := 3
                    break
                }
                // An index past the roster names no one (address 0 is never enrolled).
                let listed := 0
                if lt(index, mload(add(f, 0x1e0))) { listed := calldataload(add(mload(add(f, 0x1c0)), shl(5, index))) }
                if iszero(eq(listed, raw)) {
                    fault := 4
                    break
                }
                if or(
                    or(iszero(or(eq(v, 27), eq(v, 28))), or(iszero(sr), iszero(lt(sr, SECP256K1_N)))),
                    or(iszero(ss), iszero(lt(ss, SECP256K1_N)))
                ) {
                    fault := 5
                    break
                }
                if gt(ss, SECP256K1_HALF_N) {
                    fault := 6
                    break
                }
                mstore(add(f, 0x60), mload(add(mload(add(f, 0x200)), at)))
                mstore(add(f, 0x80), w)
                mstore(add(f, 0xc2), keccak256(f, 0xa0))
                mstore(add(f, 0x100), keccak256(add(f, 0xa0), 0x42))
                mstore(add(f, 0x120), v)
                mstore(add(f, 0x140), sr)
                mstore(add(f, 0x160), ss)
                // ecrecover succeeds with no output when it finds no key: zero the word and
                // check the size, or a stale word would be read as the signer.
                mstore(0, 0)
                if iszero(staticcall(gas(), 0x01, add(f, 0x100), 0x80, 0, 0x20)) { revert(0, 0) }
                let signer := 0
                if eq(returndatasize(), 0x20) { signer := mload(0) }
                if iszero(eq(signer, raw)) {
                    fault := 7
                    break
                }
                if count {
                    if eq(raw, last) {
                        fault := 8
                        break
                    }
                    if lt(raw, last) {
                        fault := 9
                        break
                    }
                }
                mstore(add(f, 0x260), slot)
                last := raw
                count := add(count, 1)
            }
        }
        if (fault != 0) _slotFault(fault, slot, last, f);
        uint256 quorum = minClients;
        if (count < quorum) revert BelowQuorum(count, quorum);
    }

    /// @dev Reverts with the custom error of _checkClients' fault at `slot` (scratch at f).
    function _slotFault(uint256 fault, uint256 slot, uint256 last, uint256 f) private pure {
        uint256 w;
        uint256 raw;
        uint256 first;
        assembly ("memory-safe") {
            w := calldataload(add(mload(add(f, 0x180)), shl(5, slot)))
            raw := calldataload(add(mload(add(f, 0x220)), shl(5, slot)))
            first := mload(add(f, 0x260))
        }
        address client = address(uint160(raw));
        if (fault == 1) revert();
        if (fault == 2) revert SignedEmptySlot(slot);
        if (fault == 3) revert Unsigned(slot, w);
        if (fault == 4) revert NotEnrolled(slot, client);
        if (fault == 5) revert MalformedSignature(slot);
        if (fault == 6) revert HighS(slot);
        if (fault == 7) revert BadSignature(slot, client);
        if (fault == 8) revert DuplicateClient(first, slot, client);
        revert ClientsOutOfOrder(slot, client, address(uint160(last)));
    }

    /// @dev Checks that `list` hashes to rosterHash; returns its calldata offset and length.
    function _roster(address[] calldata list) private view returns (uint256 offset, uint256 length) {
        bytes32 sent;
        assembly ("memory-safe") {
            // The words as sent: an address word with high bits set hashes differently from
            // every stored roster, so no separate cleanliness check is needed.
            let f := mload(0x40)
            let len := shl(5, list.length)
            calldatacopy(f, list.offset, len)
            sent := keccak256(f, len)
            offset := list.offset
            length := list.length
        }
        bytes32 stored = rosterHash;
        if (sent != stored) revert RosterMismatch(stored, sent);
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
