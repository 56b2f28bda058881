"""The in-memory API against the CLI: same commitments, same model, verifiable bundles;
errors that name the tensor; the GIL released while proving; tampered bundles refused."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import zkfl
from conftest import model, run, update

LINF, L2 = 0.05, 1.0


def test_round_trip_matches_the_cli(keys: zkfl.Keys, tmp_path: Path) -> None:
    m, u0, u1 = model(), update(1.0), update(2.0)
    for name, arrays in [("model", m), ("c0", u0), ("c1", u1)]:
        np.savez(tmp_path / f"{name}.npz", **arrays)
    # Client 0 commits with the CLI (reading .npz), client 1 from Python.
    run("zkfl", "commit", "--update", tmp_path / "c0.npz", "--params", keys.dir / "params.json",
        "--out", tmp_path / "c0.commit.json")
    cli_record = zkfl.Commitment.from_json((tmp_path / "c0.commit.json").read_text())
    cli_opening = zkfl.Opening.from_json((tmp_path / "c0.opening.json").read_text())
    py_commitment, py_opening = zkfl.commit(u1, keys.params)
    (tmp_path / "c1.opening.json").write_text(py_opening.to_json())
    # Python re-derives the CLI's commitment from the same arrays and the CLI's salts.
    zkfl.check_update(keys, u0, cli_opening, LINF, L2, commitment=cli_record.hex)
    assert py_commitment.d == cli_record.d == 40
    assert len(py_commitment.chunk_hashes) == 3

    progress: list[tuple[int, int]] = []
    py_round = zkfl.prove_round(
        keys, 1, m, [zkfl.Update(u0, cli_opening, 3), (u1, py_opening, 1)], LINF, L2,
        tmp_path / "py" / "round-1", lambda done, total: progress.append((done, total)),
    )
    run("zkfl", "prove", "--keys", keys.dir, "--round", 1, "--model", tmp_path / "model.npz",
        "--update", tmp_path / "c0.npz", "--opening", tmp_path / "c0.opening.json", "--weight", 3,
        "--update", tmp_path / "c1.npz", "--opening", tmp_path / "c1.opening.json", "--weight", 1,
        "--linf", LINF, "--l2", L2, "--out", tmp_path / "cli" / "round-1")

    assert sorted(progress) == [(1, 3), (2, 3), (3, 3)]
    cli_bundle = json.loads((tmp_path / "cli" / "round-1" / "round.json").read_text())
    py_bundle = json.loads((py_round.bundle_dir / "round.json").read_text())
    # The same update commitments (the CLI's and Python's own) in both bundles.
    assert py_bundle["update_commitments"][:2] == [cli_record.hex, py_commitment.hex]
    assert cli_bundle["update_commitments"] == py_bundle["update_commitments"]
    assert py_round.update_commitments == py_bundle["update_commitments"]
    # The same proven model, to the integer.
    values = lambda d: json.loads((d / "model.opening.json").read_text())["values"]
    assert values(tmp_path / "cli" / "round-1") == values(py_round.bundle_dir)
    cli_model = zkfl.read_tensors(tmp_path / "cli" / "round-1" / "model.safetensors")
    assert cli_model.keys() == py_round.model.keys()
    for k, v in py_round.model.items():
        assert v.dtype == np.float32 and np.array_equal(v, cli_model[k])
    # The proven model is the fixed-point FedAvg, within 1.5 units of the float one.
    fedavg = {k: m[k].astype(np.float64) + (3 * u0[k] + u1[k]) / 4 for k in m}
    for k in m:
        assert np.max(np.abs(py_round.model[k] - fedavg[k])) <= 1.5 / 2**16

    # Both bundles verify, with Python and with zkfl-verify.
    for d in [tmp_path / "cli" / "round-1", py_round.bundle_dir]:
        report = zkfl.verify_round(keys.vk_path, d, allow_insecure_keys=True)
        assert (report.round, report.chunks, report.active_slots, report.total_weight) == (1, 3, 2, 4)
        assert "VALID" in run("zkfl-verify", "round", "--allow-insecure-keys", "--vk", keys.vk_path, d).stdout

    # Round 2 from Python, chained on round 1 through its model opening: a history.
    u2 = update(3.0)
    _, op2 = zkfl.commit(u2, keys)
    second = zkfl.prove_round(keys, 2, py_round.model, [(u2, op2, 5)], LINF, L2,
                              tmp_path / "py" / "round-2", model_opening=py_round.model_opening)
    assert second.model_commitment == py_round.new_model_commitment
    history = zkfl.verify_history(keys, tmp_path / "py", allow_insecure_keys=True)
    assert (history.first_round, history.last_round, history.proofs) == (1, 2, 6)
    assert history.final_model == second.new_model_commitment
    assert "VALID" in run("zkfl-verify", "history", "--allow-insecure-keys", "--vk", keys.vk_path, tmp_path / "py").stdout


def test_bad_tensors_raise_value_error_naming_the_tensor(keys: zkfl.Keys, tmp_path: Path) -> None:
    m, good = model(), update(1.0)
    _, opening = zkfl.commit(good, keys)

    nan = {**good, "w": good["w"].copy()}
    nan["w"][0, 3] = np.nan
    with pytest.raises(ValueError, match=r"update tensor 'w' element 3: value #11 is NaN"):
        zkfl.commit(nan, keys)
    # The CLI says the same about the same array in a file.
    np.savez(tmp_path / "nan.npz", **nan)
    cli = run("zkfl", "commit", "--update", tmp_path / "nan.npz", "--params", keys.dir / "params.json",
              "--out", tmp_path / "nan.commit.json", ok=False)
    assert cli.returncode != 0 and "update tensor 'w' element 3: value #11 is NaN" in cli.stderr

    ints = {**good, "b": np.arange(8, dtype=np.int64)}
    with pytest.raises(ValueError, match=r"tensor 'b' has dtype I64; zkfl reads F32 and F64 tensors"):
        zkfl.commit(ints, keys)
    np.savez(tmp_path / "ints.npz", **ints)
    cli = run("zkfl", "commit", "--update", tmp_path / "ints.npz", "--params", keys.dir / "params.json",
              "--out", tmp_path / "ints.commit.json", ok=False)
    assert "tensor 'b' has dtype I64; zkfl reads F32 and F64 tensors" in cli.stderr
    with pytest.raises(ValueError, match=r"tensor 'b' has dtype \|O"):
        zkfl.commit({**good, "b": np.array([object()] * 8)}, keys)

    wrong_shape = {**good, "w": good["w"].reshape(8, 4)}
    _, wrong_opening = zkfl.commit(wrong_shape, keys)
    with pytest.raises(ValueError, match=r"updates\[0\]: client 0 update does not match the model model: tensor 'w' has shape \[8, 4\], expected \[4, 8\]"):
        zkfl.prepare_round(keys, 1, m, [(wrong_shape, wrong_opening, 1)], LINF, L2)
    # An update over the L∞ bound names the client, tensor and element.
    big = {**good, "b": good["b"].copy()}
    big["b"][5] = 0.06
    _, big_opening = zkfl.commit(big, keys)
    with pytest.raises(ValueError, match=r"node 7: client 0: tensor 'b' element 5 has \|Δ\| = 3932 fixed-point units > L∞ bound 3276"):
        zkfl.prepare_round(keys, 1, m, [zkfl.Update(big, big_opening, 1, name="node 7")], LINF, L2)
    # Arrays that do not open the commitment they came with.
    with pytest.raises(ValueError, match=r"does not open client 0's update updates\[0\]"):
        zkfl.prepare_round(keys, 1, m, [(update(9.0), opening, 1)], LINF, L2)


def test_proving_releases_the_gil(keys: zkfl.Keys, tmp_path: Path) -> None:
    u = update(1.0)
    _, opening = zkfl.commit(u, keys)
    prepared = zkfl.prepare_round(keys, 1, model(), [(u, opening, 1)], LINF, L2)
    ticks: list[float] = []
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=tick)
    t.start()
    time.sleep(0.05)
    start = time.perf_counter()
    prepared.prove(tmp_path / "round-1")
    end = time.perf_counter()
    stop.set()
    t.join()
    during = [s for s in ticks if start <= s <= end]
    gaps = np.diff([start, *during, end])
    # Held GIL: no tick at all while proving, one gap as long as the proof.
    assert end - start > 0.1, "the proof is too quick to tell"
    assert len(during) > 10 and gaps.max() < (end - start) / 2, (end - start, len(during), gaps.max())


def test_verify_round_rejects_a_tampered_bundle(keys: zkfl.Keys, tmp_path: Path) -> None:
    u = update(1.0)
    _, opening = zkfl.commit(u, keys)
    result = zkfl.prove_round(keys, 1, model(), [(u, opening, 2)], LINF, L2, tmp_path / "round-1")
    # Seeded single-party keys let anyone forge proofs: refused unless the caller opts in,
    # and then verified with a warning, as `zkfl-verify --allow-insecure-keys` does.
    with pytest.raises(zkfl.InsecureKeyError, match=r"fixed seed 7.*allow_insecure_keys=True"):
        zkfl.verify_round(keys, result.bundle_dir)
    with pytest.raises(zkfl.InsecureKeyError):
        zkfl.verify_history(keys.vk_path, tmp_path)
    with pytest.warns(UserWarning, match="INSECURE key"):
        assert zkfl.verify_round(keys, result.bundle_dir, allow_insecure_keys=True).round == 1
    bundle = json.loads((result.bundle_dir / "round.json").read_text())

    def tampered(name: str, edit) -> Path:
        d = tmp_path / name
        shutil.copytree(result.bundle_dir, d)
        b = json.loads(json.dumps(bundle))
        edit(b)
        (d / "round.json").write_text(json.dumps(b))
        return d

    def weight(b: dict) -> None:
        b["weights"][0] = 3
        for c in b["chunks"]:
            c["public_inputs"][3] = "3"

    def new_model(b: dict) -> None:
        b["new_model_commitment"] = b["model_commitment"]

    def proof(b: dict) -> None:
        b["chunks"][1]["proof"] = b["chunks"][0]["proof"]

    for name, edit, message in [
        ("weight", weight, r"round 1, chunk \d"),
        ("new-model", new_model, r"round 1: .*new.model"),
        ("proof", proof, r"round 1, chunk 1"),
    ]:
        with pytest.raises(zkfl.VerificationError, match=message):
            zkfl.verify_round(keys, tampered(name, edit), allow_insecure_keys=True)
