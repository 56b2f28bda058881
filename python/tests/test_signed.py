"""Signed updates from Python (issue 11's client side): `zkfl.commit_signed` writes the same
`zkfl-signed-update/1` record as `zkfl commit --task`, which `zkfl prove --task` takes and
`zkfl-verify --task` (and `zkfl.verify_round(task=...)`) accepts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import zkfl
from conftest import model, run, update

LINF, L2 = 0.05, 1.0
# Anvil's public test accounts 1..3 (test keys known to everyone: never for real funds).
CLIENTS = [
    ("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
     "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
    ("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
     "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
]
NOT_ENROLLED = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"


def test_python_signed_updates_prove_and_verify_with_the_cli(keys: zkfl.Keys, tmp_path: Path) -> None:
    task_dir = tmp_path / "task"
    run("zkfl", "task", "--name", "py", "--chain-id", 31337,
        "--registry", "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "--client", CLIENTS[0][1], "--client", CLIENTS[1][1], "--quorum", 2, "--out", task_dir)
    task, roster = task_dir / "task.json", task_dir / "roster.json"

    m = model()
    np.savez(tmp_path / "model.npz", **m)
    genesis, genesis_opening = zkfl.commit_model(m, keys)
    (tmp_path / "genesis.opening.json").write_text(genesis_opening.to_json())

    prove_args: list[object] = []
    for i, ((key, address), weight) in enumerate(zip(CLIENTS, [3, 1])):
        u = update(1.0 + i)
        commitment, opening, signed = zkfl.commit_signed(
            u, keys.params, task=task, round=1, prev_model=genesis, weight=weight, key=key, roster=roster)
        record = json.loads(signed.to_json())
        assert record["format"] == "zkfl-signed-update/1"
        assert (signed.signer, signed.round, signed.weight) == (address, 1, weight)
        assert (signed.prev_model, signed.commitment) == (genesis.hex, commitment.hex)
        assert zkfl.SignedUpdate.from_json(signed.to_json()) == signed
        np.savez(tmp_path / f"c{i}.npz", **u)
        (tmp_path / f"c{i}.opening.json").write_text(opening.to_json())
        (tmp_path / f"c{i}.signed.json").write_text(signed.to_json())
        prove_args += ["--update", tmp_path / f"c{i}.npz", "--opening", tmp_path / f"c{i}.opening.json",
                       "--signed", tmp_path / f"c{i}.signed.json"]

    out = tmp_path / "rounds" / "round-1"
    run("zkfl", "prove", "--keys", keys.dir, "--round", 1, "--model", tmp_path / "model.npz",
        "--genesis-opening", tmp_path / "genesis.opening.json", *prove_args,
        "--task", task, "--roster", roster, "--linf", LINF, "--l2", L2, "--out", out)

    report = zkfl.verify_round(keys, out, allow_insecure_keys=True, task=task, roster=roster)
    assert (report.signatures, report.total_weight) == ("checked", 4)
    # Slots in ascending signer order (the report's addresses are lowercase hex, as in
    # `zkfl-verify --json`), the third (empty) slot without a client.
    assert report.clients == sorted(a.lower() for _, a in CLIENTS) + [None]
    assert "VALID" in run("zkfl-verify", "round", "--allow-insecure-keys", "--vk", keys.vk_path,
                          "--task", task, "--roster", roster, out).stdout
    # Without the task the proofs verify and the report says the signatures were not checked.
    assert zkfl.verify_round(keys, out, allow_insecure_keys=True).signatures == "not_checked"
    with pytest.raises(ValueError, match="task and roster together"):
        zkfl.verify_round(keys, out, allow_insecure_keys=True, task=task)


def test_commit_signed_refuses_what_the_cli_refuses(keys: zkfl.Keys, tmp_path: Path) -> None:
    task_dir = tmp_path / "task"
    run("zkfl", "task", "--name", "py", "--chain-id", 31337,
        "--registry", "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "--client", CLIENTS[0][1], "--quorum", 1, "--out", task_dir)
    task, roster = task_dir / "task.json", task_dir / "roster.json"
    genesis, _ = zkfl.commit_model(model(), keys)
    u = update(1.0)
    sign = lambda **kw: zkfl.commit_signed(u, keys, **{  # noqa: E731
        "task": task, "round": 1, "prev_model": genesis, "weight": 1, "key": CLIENTS[0][0], **kw})
    with pytest.raises(ValueError, match=r"0x90F79bf6EB2c4f870365E785982E1f101E93b906, which is not enrolled"):
        sign(key=NOT_ENROLLED, roster=roster)
    with pytest.raises(ValueError, match=r"weight 0 is an empty slot"):
        sign(weight=0)
    with pytest.raises(ValueError, match=r"does not hold a secp256k1 private key"):
        sign(key="0x1234")
    with pytest.raises(ValueError, match=r"is an update commitment"):
        sign(prev_model=zkfl.commit(u, keys)[0])
    with pytest.raises(ValueError, match=r"is not 0x and 64 hex digits"):
        sign(prev_model="0x12")
    # Without a roster the key need not be enrolled (as `zkfl commit --task` without --roster).
    assert sign(key=NOT_ENROLLED)[2].signer == "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
