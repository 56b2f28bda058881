"""zkfl: zero-knowledge proofs that a federated-learning round was aggregated honestly.

Each round, the coordinator proves with Groth16 (BN254) that every client update it used
stayed within the round's bounds (|Δ| ≤ B∞ per coordinate, ‖Δ‖² ≤ B₂²) and that the new
global model is exactly the weighted fixed-point FedAvg of those committed updates applied
to the committed previous model. Anyone checks the proof with :func:`verify_round`,
:func:`verify_history` or the standalone ``zkfl-verify``.

Tensors are dicts of numpy arrays (name → float32/float64 array), read in canonical order
(names sorted, each array row-major), exactly as the ``zkfl`` CLI reads safetensors, .npy
and .npz files; errors carry the CLI's messages. What is proven: ``docs/PROTOCOL.md``.

For Flower, see :mod:`zkfl.flwr`.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

import numpy as np

from . import _native
from ._native import (
    Commitment,
    InsecureKeyError,
    Keys,
    Opening,
    Params,
    SignedUpdate,
    VerificationError,
)

__all__ = [
    "Arrays",
    "Commitment",
    "InsecureKeyError",
    "Keys",
    "Opening",
    "Params",
    "PreparedRound",
    "Report",
    "RoundReport",
    "RoundResult",
    "SignedUpdate",
    "Update",
    "VerificationError",
    "check_update",
    "commit",
    "commit_model",
    "commit_signed",
    "prepare_round",
    "prove_round",
    "read_tensors",
    "setup",
    "verify_history",
    "verify_round",
]

Arrays = Mapping[str, Any]
"""Named tensors: tensor name → numpy array (or anything ``np.asarray`` accepts)."""

PathLike = Union[str, "os.PathLike[str]"]


def _to_native(arrays: Arrays, what: str) -> list[tuple[str, str, list[int], bytes]]:
    """Arrays as ``(name, dtype.str, shape, bytes)`` in C order, dtype untouched so that the
    Rust side refuses an unsupported dtype by name."""
    if not isinstance(arrays, Mapping):
        raise TypeError(f"{what}: expected a dict of name → numpy array, got {type(arrays).__name__}")
    out = []
    for name, value in arrays.items():
        if not isinstance(name, str):
            raise TypeError(f"{what}: tensor names must be str, got {name!r}")
        a = np.ascontiguousarray(np.asarray(value))
        data = b"" if a.dtype.hasobject else a.tobytes()
        out.append((name, a.dtype.str, list(a.shape), data))
    return out


def _from_native(arrays: Sequence[tuple[str, str, Sequence[int], bytes]]) -> dict[str, np.ndarray]:
    return {
        name: np.frombuffer(data, dtype=np.dtype(descr)).reshape(tuple(shape)).copy()
        for name, descr, shape, data in arrays
    }


def read_tensors(path: PathLike) -> dict[str, np.ndarray]:
    """Reads a tensor file (safetensors, .npy or .npz) as zkfl reads it."""
    return _from_native(_native.read_tensors(os.fspath(path)))


def setup(
    out_dir: PathLike,
    slots: int,
    chunk: int | None = None,
    *,
    log_domain: int = 16,
    frac_bits: int = 16,
    update_bits: int = 16,
    model_bits: int = 32,
    weight_bits: int = 16,
    norm_bits: int = 64,
    seed: int | None = None,
) -> Keys:
    """Generates proving and verifying keys for one circuit shape into ``out_dir``
    (``pk.bin``, ``vk.bin``, ``params.json``), like ``zkfl setup``.

    ``slots`` is the most clients a round can have; ``chunk`` the parameters per chunk
    proof (``None`` fills an FFT domain of 2^``log_domain``). These are single-party
    development keys: whoever ran the setup (with ``seed``: anyone who knows the seed) can
    forge proofs, so :func:`verify_round`, :func:`verify_history` and ``zkfl-verify`` refuse
    them unless told ``allow_insecure_keys=True`` (``--allow-insecure-keys``). For real
    audits, :meth:`Keys.load` keys from a ceremony (``zkfl ceremony export-keys``). The GIL
    is released while the keys are generated.
    """
    if seed is not None:
        warnings.warn(
            f"zkfl.setup(seed={seed}): these keys are INSECURE, anyone who knows the seed can "
            "forge proofs; use seeded keys for tests and demos only",
            stacklevel=2,
        )
    return _native.setup(
        os.fspath(out_dir),
        slots,
        chunk,
        log_domain=log_domain,
        frac_bits=frac_bits,
        update_bits=update_bits,
        model_bits=model_bits,
        weight_bits=weight_bits,
        norm_bits=norm_bits,
        seed=seed,
    )


def commit(
    arrays: Arrays, params: Keys | Params, *, clip: bool = False, name: str = "update"
) -> tuple[Commitment, Opening]:
    """Commits to a client update Δ (trained − received model) under fresh salts, as
    ``zkfl commit`` does.

    Returns the public :class:`Commitment` and the private :class:`Opening` (hand it, with
    the update, only to the coordinator). Raises ``ValueError`` naming the tensor and element
    for NaN, ±Inf or a value outside the update range (``clip=True`` saturates instead), and
    for a dtype other than float32/float64.
    """
    return _native.commit(_to_native(arrays, name), params, clip=clip, name=name)


def commit_model(
    arrays: Arrays, params: Keys | Params, *, clip: bool = False, name: str = "model"
) -> tuple[Commitment, Opening]:
    """Commits to a genesis model: for a coordinator that announces the model commitment
    before round 1. Pass the opening to :func:`prepare_round` with ``genesis=True``."""
    return _native.commit_model(_to_native(arrays, name), params, clip=clip, name=name)


def commit_signed(
    arrays: Arrays,
    params: Keys | Params,
    *,
    task: PathLike,
    round: int,
    prev_model: Commitment | str,
    weight: int,
    key: str,
    roster: PathLike | None = None,
    clip: bool = False,
    name: str = "update",
) -> tuple[Commitment, Opening, SignedUpdate]:
    """Commits to a client update as :func:`commit` does and signs it for one round of a
    signed task, as ``zkfl commit --task`` does: the :class:`SignedUpdate` is the same
    ``zkfl-signed-update/1`` record (``*.signed.json``) that ``zkfl prove --task --signed``
    takes, covering ``round``, the model the client trained on (``prev_model``: its
    :class:`Commitment` from :func:`commit_model`, or the previous round's
    ``new_model_commitment`` as ``0x`` + 64 hex digits), the update's commitment and the
    client's FedAvg ``weight`` (positive).

    ``task`` is the task's ``task.json``; ``key`` the client's secp256k1 private key (64 hex
    digits, ``0x`` optional). With ``roster`` (``roster.json``) the key must be enrolled.
    Raises ``ValueError`` for a bad tensor, task, key or weight, and for a key that is not
    enrolled.
    """
    if isinstance(prev_model, Commitment):
        if prev_model.kind != "model":
            raise ValueError(
                f"prev_model {prev_model.hex} is an update commitment; give the model's (from commit_model or the previous round)"
            )
        prev_model = prev_model.hex
    return _native.commit_signed(
        _to_native(arrays, name),
        params,
        task=os.fspath(task),
        round=round,
        prev_model=prev_model,
        weight=weight,
        key=key,
        roster=None if roster is None else os.fspath(roster),
        clip=clip,
        name=name,
    )


def check_update(
    params: Keys | Params,
    arrays: Arrays,
    opening: Opening,
    linf: float,
    l2: float,
    *,
    commitment: str | None = None,
    name: str = "update",
    client: int = 0,
    clip: bool = False,
) -> None:
    """Screens one client update before it joins a round: the update quantises, ``opening``
    opens its commitment (and that commitment is ``commitment``, when given), and the update
    is within the bounds. Raises ``ValueError`` naming ``name``, the tensor and the element.
    """
    _native.check_update(
        params,
        _to_native(arrays, name),
        opening,
        linf,
        l2,
        commitment=commitment,
        name=name,
        client=client,
        clip=clip,
    )


@dataclass
class Update:
    """One client's contribution to a round: its update Δ, the opening of its commitment,
    and its FedAvg weight (e.g. its number of training examples, a positive integer)."""

    arrays: Arrays
    opening: Opening
    weight: int
    name: str | None = None
    """How errors name this client (default ``updates[i]``)."""


def _updates_to_native(updates: Sequence[Update | tuple[Arrays, Opening, int]]) -> list:
    out = []
    for i, u in enumerate(updates):
        if not isinstance(u, Update):
            arrays, opening, weight = u
            u = Update(arrays, opening, weight)
        name = u.name or f"updates[{i}]"
        out.append((name, _to_native(u.arrays, name), u.opening, int(u.weight)))
    return out


class RoundResult:
    """A proven round: :attr:`bundle_dir` holds ``round.json`` (the proofs),
    ``model.safetensors`` (the new model) and ``model.opening.json``."""

    def __init__(self, native: _native.RoundResult) -> None:
        self._native = native

    round = property(lambda self: self._native.round, doc="Round index t.")
    bundle_dir = property(lambda self: self._native.bundle_dir, doc="The round directory.")
    model_commitment = property(lambda self: self._native.model_commitment, doc="Commitment to M_t.")
    new_model_commitment = property(
        lambda self: self._native.new_model_commitment, doc="Commitment to M_{t+1}."
    )
    update_commitments = property(
        lambda self: self._native.update_commitments,
        doc="Commitment to each slot's update (empty slots included).",
    )
    model_opening = property(
        lambda self: self._native.model_opening, doc="Opening of M_{t+1}: the next round's model_opening."
    )
    chunks = property(lambda self: self._native.chunks, doc="Number of chunk proofs.")
    prove_seconds = property(lambda self: self._native.prove_seconds, doc="Seconds spent proving and writing.")

    @property
    def model(self) -> dict[str, np.ndarray]:
        """The proven new model M_{t+1}: the fixed-point FedAvg (values k/2^f), with the
        input's names, shapes and dtypes (float32 tensors whose values need more than an
        f32's 24-bit significand come back as float64)."""
        return _from_native(self._native.model)

    def __repr__(self) -> str:
        return repr(self._native)


class PreparedRound:
    """A round checked and aggregated, not yet proven. :attr:`model` is already the model
    the proof will state, so a coordinator can hand it on and :meth:`prove` meanwhile."""

    def __init__(self, native: _native.PreparedRound) -> None:
        self._native = native

    round = property(lambda self: self._native.round, doc="Round index t.")
    chunks = property(lambda self: self._native.chunks, doc="Chunk proofs the round needs.")
    genesis = property(lambda self: self._native.genesis, doc="Whether this round commits M_t.")
    model_commitment = property(lambda self: self._native.model_commitment, doc="Commitment to M_t.")
    new_model_commitment = property(
        lambda self: self._native.new_model_commitment, doc="Commitment to M_{t+1}."
    )
    update_commitments = property(
        lambda self: self._native.update_commitments,
        doc="Commitment to each slot's update (empty slots included).",
    )
    model_opening = property(
        lambda self: self._native.model_opening, doc="Opening of M_{t+1}: the next round's model_opening."
    )

    @property
    def model(self) -> dict[str, np.ndarray]:
        """The new model M_{t+1} (see :attr:`RoundResult.model`)."""
        return _from_native(self._native.model)

    def prove(
        self,
        out_dir: PathLike,
        progress: Callable[[int, int], object] | None = None,
        *,
        jobs: int | None = None,
    ) -> RoundResult:
        """Proves every chunk and writes ``out_dir`` atomically (it must not exist). The GIL
        is released while proving; ``progress(done, total)`` is called after each chunk."""
        return RoundResult(self._native.prove(os.fspath(out_dir), progress, jobs))

    def __repr__(self) -> str:
        return repr(self._native)


def prepare_round(
    keys: Keys,
    round: int,
    model: Arrays,
    updates: Sequence[Update | tuple[Arrays, Opening, int]],
    linf: float,
    l2: float,
    *,
    model_opening: Opening | None = None,
    genesis: bool | None = None,
    clip: bool = False,
) -> PreparedRound:
    """Checks the model, every update and its opening, and aggregates: everything
    ``zkfl prove`` does before proving, without proving.

    ``model_opening`` is the previous round's :attr:`RoundResult.model_opening`; without it
    the model is committed afresh (a genesis round). ``genesis=True`` with an opening marks a
    model the coordinator committed with :func:`commit_model` before this first round.
    Raises ``ValueError`` naming the update, tensor and element at fault.
    """
    return PreparedRound(
        _native.prepare_round(
            keys,
            round,
            _to_native(model, "model"),
            _updates_to_native(updates),
            linf,
            l2,
            model_opening=model_opening,
            genesis=genesis,
            clip=clip,
        )
    )


def prove_round(
    keys: Keys,
    round: int,
    model: Arrays,
    updates: Sequence[Update | tuple[Arrays, Opening, int]],
    linf: float,
    l2: float,
    out_dir: PathLike,
    progress: Callable[[int, int], object] | None = None,
    *,
    model_opening: Opening | None = None,
    genesis: bool | None = None,
    clip: bool = False,
    jobs: int | None = None,
) -> RoundResult:
    """Aggregates and proves round ``round`` into ``out_dir``, like ``zkfl prove``.

    ``updates`` holds one :class:`Update` (or ``(arrays, opening, weight)``) per client.
    The GIL is released while proving; ``progress(done, total)`` is called after each chunk.
    The result carries the proven new model as arrays, the commitments and the bundle path.
    """
    if os.path.lexists(out_dir):
        raise ValueError(f"{os.fspath(out_dir)} already exists; choose a new out_dir (nothing was proven)")
    prepared = prepare_round(
        keys, round, model, updates, linf, l2, model_opening=model_opening, genesis=genesis, clip=clip
    )
    return prepared.prove(out_dir, progress, jobs=jobs)


@dataclass(frozen=True)
class RoundReport:
    """What a verified round established (the fields of ``zkfl-verify round --json``)."""

    round: int
    genesis: bool
    d: int
    chunks: int
    active_slots: int
    total_weight: int
    linf_proven: float
    l2_proven: float
    model_commitment: str
    new_model_commitment: str
    update_commitments: list[str]
    signatures: str
    """``"unsigned"`` (a ``zkfl-round/1`` bundle), ``"not_checked"`` (signed, verified without
    a task) or ``"checked"`` (every weighted slot signed by an enrolled client)."""
    clients: list[str | None] | None
    """The client address of each slot (``None`` for empty slots) when signatures were checked."""
    raw: dict

    @classmethod
    def _of(cls, r: dict) -> RoundReport:
        return cls(
            round=r["round"],
            genesis=r["genesis"],
            d=r["d"],
            chunks=r["chunks"],
            active_slots=r["active_slots"],
            total_weight=r["total_weight"],
            linf_proven=r["linf_proven"],
            l2_proven=r["l2_proven"],
            model_commitment=r["model_commitment"],
            new_model_commitment=r["new_model_commitment"],
            update_commitments=list(r["update_commitments"]),
            signatures=r["signatures"],
            clients=r["clients"],
            raw=r,
        )


@dataclass(frozen=True)
class Report:
    """A verified history: rounds ``first_round..=last_round`` chained from
    ``initial_model`` to ``final_model``."""

    first_round: int
    last_round: int
    initial_model: str
    final_model: str
    proofs: int
    rounds: list[RoundReport]


def _verified(raw: str, allow_insecure_keys: bool) -> dict:
    """The native JSON answer's report, warning (as ``zkfl-verify --allow-insecure-keys``
    does) when the key was accepted only because the caller allowed insecure keys."""
    answer = json.loads(raw)
    if answer["insecure_key"] is not None:
        warnings.warn(
            f"verified under an INSECURE key ({answer['insecure_key']}); allow_insecure_keys=True "
            "is for tests and demos only, never a real audit",
            stacklevel=3,
        )
    return answer["report"]


def _task_args(task: PathLike | None, roster: PathLike | None) -> dict:
    return {
        "task": None if task is None else os.fspath(task),
        "roster": None if roster is None else os.fspath(roster),
    }


def verify_round(
    vk: Keys | PathLike,
    dir: PathLike,
    *,
    allow_insecure_keys: bool = False,
    task: PathLike | None = None,
    roster: PathLike | None = None,
) -> RoundReport:
    """Verifies one round directory against a verifying key (:class:`Keys` or the path of
    ``vk.bin``), through the same library as ``zkfl-verify round``: same verdict, same
    messages. Raises :class:`VerificationError` naming the round, chunk and input when it
    does not verify, ``OSError`` or ``ValueError`` when an input cannot be read.

    With ``task`` and ``roster`` (``task.json``, ``roster.json``) every client signature is
    checked too, and an unsigned round is invalid (``zkfl-verify --task --roster``).

    Keys from :func:`setup` (single-party, or seeded) let their maker forge proofs, so they
    are refused with :class:`InsecureKeyError` (a :class:`VerificationError`) unless
    ``allow_insecure_keys=True``: tests and demos only.
    """
    vk = vk if isinstance(vk, Keys) else os.fspath(vk)
    raw = _native.verify_round(
        vk, os.fspath(dir), allow_insecure_keys=allow_insecure_keys, **_task_args(task, roster)
    )
    return RoundReport._of(_verified(raw, allow_insecure_keys))


def verify_history(
    vk: Keys | PathLike,
    dir: PathLike,
    *,
    allow_insecure_keys: bool = False,
    task: PathLike | None = None,
    roster: PathLike | None = None,
) -> Report:
    """Verifies every round under ``dir`` (one subdirectory per round) and the model chain
    between them (``zkfl-verify history``). Raises :class:`VerificationError` when the
    history does not verify; ``task``, ``roster`` and :class:`InsecureKeyError` as
    :func:`verify_round`."""
    vk = vk if isinstance(vk, Keys) else os.fspath(vk)
    raw = _native.verify_history(
        vk, os.fspath(dir), allow_insecure_keys=allow_insecure_keys, **_task_args(task, roster)
    )
    r = _verified(raw, allow_insecure_keys)
    return Report(
        first_round=r["first_round"],
        last_round=r["last_round"],
        initial_model=r["initial_model"],
        final_model=r["final_model"],
        proofs=r["proofs"],
        rounds=[RoundReport._of(x) for x in r["rounds"]],
    )
