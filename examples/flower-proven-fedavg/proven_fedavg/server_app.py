"""The ServerApp: FedAvg wrapped in zkfl's ProvenFedAvg, centralised accuracy per round.

It makes fresh (secure, OS-random) keys in `out-dir/keys`, proves every round into
`out-dir/rounds/round-T/`, and writes `out-dir/final_model.npz` (the model Flower ends with)
and `out-dir/summary.json` (accuracy and proof time per round, who was left out and why).
"""

from __future__ import annotations

import json
from logging import INFO
from pathlib import Path

import numpy as np
from flwr.app import Array, ArrayRecord, Context, MetricRecord
from flwr.serverapp import Grid, ServerApp
from flwr.serverapp.strategy import FedAvg
from flwr.supercore import log

import zkfl
from zkfl.flwr import ProvenFedAvg

from .task import accuracy, init_model, load_data

app = ServerApp()


@app.main()
def main(grid: Grid, context: Context) -> None:
    """Set up keys, run the proven rounds, report."""
    cfg = context.run_config
    out = Path(str(cfg["out-dir"])).resolve()
    keys = zkfl.setup(out / "keys", slots=int(cfg["slots"]), chunk=int(cfg["chunk"]))
    log(INFO, "zkfl keys: %r", keys)

    x_test, y_test = load_data(seed=7, n=1000)
    accuracies: dict[int, float] = {}

    def evaluate(server_round: int, arrays: ArrayRecord) -> MetricRecord:
        model = {name: a.numpy() for name, a in arrays.items()}
        accuracies[server_round] = accuracy(model, x_test, y_test)
        return MetricRecord({"accuracy": accuracies[server_round]})

    strategy = ProvenFedAvg(
        FedAvg(
            fraction_train=1.0,
            fraction_evaluate=0.0,
            min_train_nodes=int(cfg["nodes"]),
            min_available_nodes=int(cfg["nodes"]),
        ),
        keys,
        out / "rounds",
        linf=float(cfg["linf"]),
        l2=float(cfg["l2"]),
    )
    result = strategy.start(
        grid=grid,
        initial_arrays=ArrayRecord({name: Array(a) for name, a in init_model().items()}),
        num_rounds=int(cfg["num-server-rounds"]),
        evaluate_fn=evaluate,
    )

    final = {name: a.numpy() for name, a in result.arrays.items()}
    np.savez(out / "final_model.npz", **final)
    rounds = [
        {
            "round": r.index,
            "server_round": r.server_round,
            "accuracy": accuracies.get(r.server_round),
            "prove_seconds": r.prove_seconds,
            "chunks": r.chunks,
            "accepted_nodes": r.accepted,
            "dropped": {str(node): why for node, why in r.dropped.items()},
        }
        for r in strategy.rounds
    ]
    summary = {"initial_accuracy": accuracies.get(0), "vk": str(keys.vk_path), "rounds": rounds}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))

    log(INFO, "zkfl: round | accuracy | proof time | clients | left out")
    log(INFO, "zkfl:     0 |   %.3f  |          - |       - | -", accuracies.get(0, float("nan")))
    for r in rounds:
        log(
            INFO,
            "zkfl: %5d |   %.3f  | %8.2f s | %7d | %s",
            r["round"],
            r["accuracy"],
            r["prove_seconds"],
            len(r["accepted_nodes"]),
            ", ".join(f"node {n}: {why}" for n, why in r["dropped"].items()) or "-",
        )
