"""Proven FedAvg for Flower (flwr ≥ 1.42, Message API).

Two halves, in the style of Flower's differential-privacy wrappers:

- :class:`ProvenFedAvg` wraps a :class:`flwr.serverapp.strategy.FedAvg` on the server. Each
  round it sends the clients the round index, the bounds, the circuit parameters and the
  commitment to the global model; it checks every reply's update against the commitment and
  opening the client attached, leaves out (and names, and counts) a reply that does not
  match or breaks the bounds, proves the round with the rest, and **returns the proven
  fixed-point aggregate** (never a float FedAvg), so the model that is deployed is the model
  that was proven. Bundles go to ``out_dir/round-T/``, written atomically. Proving round t
  runs in a background thread while round t + 1 trains (the aggregate is fixed before the
  proof); :meth:`ProvenFedAvg.start` waits for the last proof.
- :func:`zkfl_commit_mod` is the client mod. It computes Δ = trained − received model over
  the outgoing arrays, commits to it and attaches the commitment and its opening to the
  reply. Put it **before** any clipping mod in ``ClientApp(mods=[...])`` (mods listed first
  wrap the ones after them), so that it sees the arrays that are actually sent:
  ``ClientApp(mods=[zkfl_commit_mod, fixedclipping_mod])``.

This does **not** combine with SecAgg+: the server must see each update to prove its
bounds, while SecAgg+ shows it only the masked sum.

Clients send their opening (the commitment's salts) to the server, exactly as ``zkfl
commit`` users hand theirs to the coordinator; the public record of the round holds only
the commitments.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from logging import INFO, WARNING
from pathlib import Path

import numpy as np
from flwr.app import (
    Array,
    ArrayRecord,
    ConfigRecord,
    Context,
    Error,
    Message,
    MessageType,
    MetricRecord,
)
from flwr.clientapp.typing import ClientAppCallable
from flwr.common.constant import ErrorCode
from flwr.serverapp import Grid
from flwr.serverapp.strategy import FedAvg, Result, Strategy
from flwr.supercore import log

import zkfl

__all__ = [
    "KEY_L2",
    "KEY_LINF",
    "KEY_MODEL_COMMITMENT",
    "KEY_PARAMS",
    "KEY_ROUND",
    "REPLY_RECORD",
    "ProvenFedAvg",
    "ProvenRound",
    "zkfl_commit_mod",
]

KEY_PARAMS = "zkfl-params"
"""Train config: the circuit parameters (``zkfl.Params`` JSON) clients commit with."""
KEY_ROUND = "zkfl-round"
"""Train config: the index T of the proven round this training round becomes."""
KEY_MODEL_COMMITMENT = "zkfl-model-commitment"
"""Train config: the commitment to the global model sent with it."""
KEY_LINF = "zkfl-linf"
"""Train config: the round's L∞ bound on every update coordinate."""
KEY_L2 = "zkfl-l2"
"""Train config: the round's L2 bound on every update."""
REPLY_RECORD = "zkfl"
"""Name of the ConfigRecord a client's reply carries: ``commitment`` (hex), ``opening``
(JSON, private) and ``round``. A signed commitment (zkfl issue 11) will add its signature
here."""


def _arrays(record: ArrayRecord) -> dict[str, np.ndarray]:
    return {name: record[name].numpy() for name in record.keys()}


def _delta(trained: dict[str, np.ndarray], received: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Δ = trained − received in float64: client and server compute it the same way, so
    the server's Δ is bit for bit the one the client committed to."""
    return {
        name: np.asarray(trained[name], dtype=np.float64) - np.asarray(received[name], dtype=np.float64)
        for name in received
    }


def _layout_mismatch(model: dict[str, np.ndarray], reply: dict[str, np.ndarray]) -> str | None:
    if set(model) != set(reply):
        return f"arrays {sorted(reply)} do not match the global model's {sorted(model)}"
    for name, a in model.items():
        if np.shape(reply[name]) != a.shape:
            return f"array '{name}' has shape {np.shape(reply[name])}, the global model {a.shape}"
    return None


@dataclass
class ProvenRound:
    """What :class:`ProvenFedAvg` did with one training round."""

    index: int
    """T: the round's index in the proven history (``out_dir/round-T``)."""
    server_round: int
    """Flower's round number."""
    accepted: list[int]
    """Node ids whose updates were aggregated, in slot order."""
    dropped: dict[int, str]
    """Node id → why its reply was left out."""
    bundle_dir: Path
    chunks: int
    prove_seconds: float | None = None
    """Seconds the proof took, once it is done."""
    future: Future | None = field(default=None, repr=False)


class ProvenFedAvg(Strategy):
    """FedAvg whose every round is proven with zkfl (see the module docs).

    Parameters
    ----------
    strategy : FedAvg
        Samples the nodes, builds the messages and aggregates the metrics; its array
        aggregation is replaced by the proven one. Sample at most ``keys`` slots per round.
    keys : zkfl.Keys
        The coordinator's proving keys (:func:`zkfl.setup`).
    out_dir : path
        Where ``round-T/`` bundles go; must not already hold them.
    linf, l2 : float
        Bounds every update must meet (per-coordinate L∞ and L2 norm, in model units).
    overlap : bool
        Prove round t in a background thread while round t + 1 trains (default). With
        ``False`` each round is proven before :meth:`aggregate_train` returns.
    jobs : int, optional
        Chunks proven at once (default: one per core).
    """

    def __init__(
        self,
        strategy: FedAvg,
        keys: zkfl.Keys,
        out_dir: str | os.PathLike[str],
        linf: float,
        l2: float,
        *,
        overlap: bool = True,
        jobs: int | None = None,
    ) -> None:
        super().__init__()
        self.strategy = strategy
        self.keys = keys
        self.out_dir = Path(out_dir)
        self.linf = float(linf)
        self.l2 = float(l2)
        self.overlap = overlap
        self.jobs = jobs
        self.rounds: list[ProvenRound] = []
        """Every proven round so far."""
        self._params_json = keys.params.to_json()
        self._index = 1
        self._model: dict[str, np.ndarray] | None = None
        self._model_opening: zkfl.Opening | None = None
        self._genesis = True
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zkfl-prove")

    # -- Strategy -----------------------------------------------------------------------

    def summary(self) -> None:
        """Log the configuration."""
        log(INFO, "\t├──> zkfl: every round proven (Groth16/BN254), bundles in %s", self.out_dir)
        log(INFO, "\t│\t├── bounds: L∞ %s, L2 %s", self.linf, self.l2)
        log(INFO, "\t│\t└── keys: %r", self.keys)
        self.strategy.summary()

    def configure_train(
        self, server_round: int, arrays: ArrayRecord, config: ConfigRecord, grid: Grid
    ) -> Iterable[Message]:
        """Commit to the global model (round 1) or check it is the last proven one, and send
        the round, the bounds, the parameters and the model commitment with it."""
        model = _arrays(arrays)
        if self._model_opening is None:
            commitment, self._model_opening = zkfl.commit_model(model, self.keys)
            self._model = model
            log(INFO, "zkfl: genesis model committed: %s", commitment.hex)
        elif not self._same_model(model):
            raise ValueError(
                "zkfl: the global model sent in round %d is not the last proven model; "
                "ProvenFedAvg must return the model every round (do not wrap it in another "
                "strategy that changes the arrays)" % server_round
            )
        config[KEY_ROUND] = self._index
        config[KEY_PARAMS] = self._params_json
        config[KEY_MODEL_COMMITMENT] = self._model_opening.commitment
        config[KEY_LINF] = self.linf
        config[KEY_L2] = self.l2
        messages = list(self.strategy.configure_train(server_round, arrays, config, grid))
        slots = self.keys.params.slots
        if len(messages) > slots:
            raise ValueError(
                f"zkfl: {len(messages)} nodes sampled for training but the keys have {slots} "
                "slots; sample fewer (FedAvg fraction_train/min_train_nodes) or set up keys "
                "with more slots"
            )
        return messages

    def aggregate_train(
        self, server_round: int, replies: Iterable[Message]
    ) -> tuple[ArrayRecord | None, MetricRecord | None]:
        """Screen every reply, prove the round with the accepted ones and return the proven
        aggregate with the inner strategy's metrics plus ``zkfl-accepted``,
        ``zkfl-dropped`` and ``zkfl-round``."""
        self._raise_failed_proofs()
        assert self._model is not None and self._model_opening is not None
        accepted: list[tuple[Message, zkfl.Update]] = []
        dropped: dict[int, str] = {}
        for msg in replies:
            node = msg.metadata.src_node_id
            if msg.has_error():
                dropped[node] = f"replied with an error: {msg.error.reason}"
                continue
            try:
                accepted.append((msg, self._screen(msg, node, len(accepted))))
            except ValueError as e:
                dropped[node] = str(e)
        for node, why in dropped.items():
            log(WARNING, "zkfl: round %d: left out node %d: %s", self._index, node, why)
        metrics = MetricRecord({"zkfl-accepted": len(accepted), "zkfl-dropped": len(dropped)})
        if dropped:
            metrics["zkfl-dropped-nodes"] = sorted(dropped)
        if not accepted:
            log(WARNING, "zkfl: no update passed the checks; the model is unchanged")
            return None, metrics

        prepared = zkfl.prepare_round(
            self.keys,
            self._index,
            self._model,
            [u for _, u in accepted],
            self.linf,
            self.l2,
            model_opening=self._model_opening,
            genesis=self._genesis,
        )
        proven = ProvenRound(
            index=self._index,
            server_round=server_round,
            accepted=[m.metadata.src_node_id for m, _ in accepted],
            dropped=dropped,
            bundle_dir=self.out_dir / f"round-{self._index}",
            chunks=prepared.chunks,
        )
        self.rounds.append(proven)
        if self.overlap:
            proven.future = self._executor.submit(self._prove, prepared, proven)
        else:
            self._prove(prepared, proven)

        new_model = prepared.model
        # The next round starts from the proven model, in the order the arrays came in.
        self._model = {name: new_model[name] for name in self._model}
        self._model_opening = prepared.model_opening
        self._genesis = False
        self._index += 1

        inner = self.strategy.train_metrics_aggr_fn(
            [m.content for m, _ in accepted], self.strategy.weighted_by_key
        )
        for key, value in inner.items():
            metrics[key] = value
        metrics["zkfl-round"] = proven.index
        return ArrayRecord({name: Array(a) for name, a in self._model.items()}), metrics

    def configure_evaluate(
        self, server_round: int, arrays: ArrayRecord, config: ConfigRecord, grid: Grid
    ) -> Iterable[Message]:
        """Evaluation is the inner strategy's."""
        return self.strategy.configure_evaluate(server_round, arrays, config, grid)

    def aggregate_evaluate(self, server_round: int, replies: Iterable[Message]) -> MetricRecord | None:
        """Evaluation is the inner strategy's."""
        return self.strategy.aggregate_evaluate(server_round, replies)

    def start(self, *args, **kwargs) -> Result:  # type: ignore[override]
        """Run the rounds (as :meth:`Strategy.start`), then wait for the last proof."""
        result = super().start(*args, **kwargs)
        self.wait()
        return result

    def wait(self) -> None:
        """Block until every proof is written; raise the first proving error."""
        for r in self.rounds:
            if r.future is not None:
                r.future.result()

    # -- internals ----------------------------------------------------------------------

    def _same_model(self, model: dict[str, np.ndarray]) -> bool:
        current = self._model or {}
        return set(model) == set(current) and all(
            model[k].dtype == current[k].dtype and np.array_equal(model[k], current[k]) for k in model
        )

    def _screen(self, msg: Message, node: int, slot: int) -> zkfl.Update:
        """One reply as a zkfl update, or ValueError saying why it is left out."""
        content = msg.content
        if len(content.array_records) != 1:
            raise ValueError(f"expected one ArrayRecord, got {len(content.array_records)}")
        reply = _arrays(next(iter(content.array_records.values())))
        assert self._model is not None
        mismatch = _layout_mismatch(self._model, reply)
        if mismatch:
            raise ValueError(mismatch)
        record = content.config_records.get(REPLY_RECORD)
        if record is None or "commitment" not in record or "opening" not in record:
            raise ValueError(
                f"no '{REPLY_RECORD}' ConfigRecord with a commitment and an opening "
                "(is zkfl_commit_mod installed in the ClientApp?)"
            )
        if record.get("round") != self._index:
            raise ValueError(f"committed for round {record.get('round')}, this is round {self._index}")
        weight = self._weight(content)
        opening = zkfl.Opening.from_json(str(record["opening"]))
        delta = _delta(reply, self._model)
        # Issue 11 (signed updates) checks the client's signature over
        # (round, model commitment, update commitment) here, before the update is opened.
        zkfl.check_update(
            self.keys,
            delta,
            opening,
            self.linf,
            self.l2,
            commitment=str(record["commitment"]),
            name=f"node {node}",
            client=slot,
        )
        return zkfl.Update(delta, opening, weight, name=f"node {node}")

    def _weight(self, content) -> int:
        key = self.strategy.weighted_by_key
        metrics = list(content.metric_records.values())
        if len(metrics) != 1 or key not in metrics[0]:
            raise ValueError(f"expected one MetricRecord with '{key}'")
        w = metrics[0][key]
        if isinstance(w, bool) or not isinstance(w, (int, float)) or w != int(w) or w < 1:
            raise ValueError(f"'{key}' = {w!r} is not a positive integer weight")
        return int(w)

    def _prove(self, prepared: zkfl.PreparedRound, proven: ProvenRound) -> None:
        def progress(done: int, total: int) -> None:
            log(INFO, "zkfl: round %d: %d/%d chunk proofs", proven.index, done, total)

        started = time.perf_counter()
        result = prepared.prove(proven.bundle_dir, progress, jobs=self.jobs)
        proven.prove_seconds = time.perf_counter() - started
        log(
            INFO,
            "zkfl: round %d proven in %.1f s (%d chunks, %d clients) -> %s",
            proven.index,
            proven.prove_seconds,
            result.chunks,
            len(proven.accepted),
            result.bundle_dir,
        )

    def _raise_failed_proofs(self) -> None:
        for r in self.rounds:
            if r.future is not None and r.future.done() and r.future.exception() is not None:
                raise RuntimeError(f"zkfl: proving round {r.index} failed") from r.future.exception()


def _find_config(msg: Message) -> ConfigRecord | None:
    for record in msg.content.config_records.values():
        if KEY_PARAMS in record:
            return record
    return None


def _mod_error(msg: Message, reason: str) -> Message:
    log(WARNING, "zkfl_commit_mod: %s", reason)
    return Message(Error(code=ErrorCode.MOD_FAILED_PRECONDITION, reason=f"zkfl_commit_mod: {reason}"), reply_to=msg)


def zkfl_commit_mod(msg: Message, ctxt: Context, call_next: ClientAppCallable) -> Message:
    """Client mod: commit to this client's update and attach the commitment and opening.

    On a train message from :class:`ProvenFedAvg`, it runs the ClientApp, computes
    Δ = trained − received over the outgoing arrays, commits to Δ with the parameters the
    server sent, and adds a ``zkfl`` ConfigRecord (commitment, opening, round) to the reply.
    Other messages pass through. List it before any clipping mod (``mods=[zkfl_commit_mod,
    fixedclipping_mod]``) so that it commits to the clipped update that is sent.
    """
    if msg.metadata.message_type != MessageType.TRAIN:
        return call_next(msg, ctxt)
    config = _find_config(msg)
    if config is None:
        return call_next(msg, ctxt)
    if len(msg.content.array_records) != 1:
        return _mod_error(msg, f"expected one ArrayRecord, got {len(msg.content.array_records)}")
    received = _arrays(next(iter(msg.content.array_records.values())))
    params = zkfl.Params.from_json(str(config[KEY_PARAMS]))

    reply = call_next(msg, ctxt)
    if reply.has_error():
        return reply
    if len(reply.content.array_records) != 1:
        return _mod_error(msg, f"the reply has {len(reply.content.array_records)} ArrayRecords, expected one")
    trained = _arrays(next(iter(reply.content.array_records.values())))
    mismatch = _layout_mismatch(received, trained)
    if mismatch:
        return _mod_error(msg, mismatch)
    try:
        commitment, opening = zkfl.commit(_delta(trained, received), params)
    except ValueError as e:
        return _mod_error(msg, str(e))
    reply.content[REPLY_RECORD] = ConfigRecord(
        {"commitment": commitment.hex, "opening": opening.to_json(), "round": config[KEY_ROUND]}
    )
    return reply
