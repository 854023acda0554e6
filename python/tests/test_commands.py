"""The CLI's capabilities as functions, compared with the CLI."""

import json
import subprocess
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

import yuma


def test_gen_equals_the_cli(yuma_bin, tmp_path):
    out = tmp_path / "g.json"
    subprocess.run([yuma_bin, "gen", "--n", "200", "--validators", "20", "--seed", "7", "--yuma3", "-o", out], check=True)
    assert yuma.gen(200, 20, seed=7, yuma3=True).to_json() == out.read_text()


def test_check(goldens):
    r = yuma.check(goldens / "edge", backend="cpu")
    assert r["failed"] == 0 and r["passed"] == len(r["cases"]) > 10


def test_validate_and_explain(goldens, tmp_path):
    case = goldens / "mechanisms" / "m3_split_yuma3_la"
    s = yuma.load_snapshot(case / "snapshot.json")
    e = yuma.epoch(s, backend="cpu")
    rec = e.to_dict()
    cut = {
        "format": "yuma-recorded/1", "netuid": rec["netuid"], "block": rec["block"], "n": rec["n"],
        "active": rec["active"], "stake": rec["stake"], "validator_permit": rec["new_validator_permit"],
        "consensus": rec["consensus"], "validator_trust": rec["validator_trust"], "dividend": rec["dividend"],
        "emission": rec["emission"],
        "mechanisms": [{"incentive": m["incentive"], "bonds": m["bonds"], "server_emission": m["server_emission"]} for m in rec["mechanisms"]],
        "skip_uids": [], "source": None,
    }
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "snapshot.json").write_text((case / "snapshot.json").read_text())
    (tmp_path / "a" / "recorded.json").write_text(json.dumps(cut))
    for report in (
        yuma.validate(s, tmp_path / "a" / "recorded.json", backend="cpu"),
        yuma.validate(tmp_path / "a" / "snapshot.json", tmp_path / "a" / "recorded.json", backend="cpu"),
        yuma.validate(tmp_path, backend="cpu"),
    ):
        assert (report["passed"], report["failed"], report["errors"]) == (1, 0, 0)
    cut["dividend"][2] ^= 1
    (tmp_path / "a" / "recorded.json").write_text(json.dumps(cut))
    report = yuma.validate(tmp_path, backend="cpu")
    m = report["folders"][0]["report"]["mismatches"]
    assert [(x["field"], x["uid"]) for x in m] == [("dividend", 2)]
    ex = yuma.explain(s, 2, mechanism=1)
    assert ex["format"] == "yuma-explain/1" and ex["uid"] == 2 and ex["mechanism"] == 1
    assert yuma.validation_pairs([tmp_path]) == [(tmp_path / "a" / "snapshot.json", tmp_path / "a" / "recorded.json")]


def test_replay_equals_the_cli(goldens, yuma_bin, tmp_path):
    seq = goldens / "sequences" / "seq_yuma3_la"
    epochs = yuma.replay(seq, backend="cpu", out_dir=tmp_path / "py")
    assert len(epochs) == 10
    for k, e in enumerate(epochs):
        assert e.to_dict() == json.loads((seq / f"epoch_{k:02d}" / "epoch.json").read_text())
    fwd = yuma.replay(seq / "epoch_00" / "snapshot.json", epochs=3, backend="cpu", out_dir=tmp_path / "fwd")
    subprocess.run([yuma_bin, "replay", seq / "epoch_00" / "snapshot.json", "--epochs", "3", "-o", tmp_path / "cli", "--backend", "cpu"], check=True, capture_output=True)
    for k in range(3):
        assert (tmp_path / "fwd" / f"epoch_{k:02d}" / "epoch.json").read_text() == (tmp_path / "cli" / f"epoch_{k:02d}" / "epoch.json").read_text()
        assert fwd[k].to_json() == (tmp_path / "cli" / f"epoch_{k:02d}" / "epoch.json").read_text()


def test_batch_resume_and_shards(goldens, yuma_bin, tmp_path):
    inputs = tmp_path / "in"
    for k in range(6):
        (inputs / f"s{k}").mkdir(parents=True)
        (inputs / f"s{k}" / "snapshot.json").write_text(yuma.gen(64, 8, seed=k).to_json())
    subprocess.run([yuma_bin, "batch", inputs, "-o", tmp_path / "cli", "--backend", "cpu"], check=True, capture_output=True)
    done = 0
    for i in range(3):
        r = yuma.batch([inputs], tmp_path / "py", backend="cpu", shard=f"{i}/3")
        assert r["failed"] == [] and r["skipped"] == 0
        done += r["done"]
    assert done == 6
    for k in range(6):
        assert (tmp_path / "py" / f"s{k}" / "epoch.json").read_text() == (tmp_path / "cli" / f"s{k}" / "epoch.json").read_text()
    again = yuma.batch([inputs], tmp_path / "py", backend="cpu")
    assert (again["done"], again["skipped"]) == (0, 6)
    todo, skipped = yuma.plan_batch([inputs], tmp_path / "fresh")
    assert skipped == 0 and [o.name == "epoch.json" for _, o in todo] == [True] * 6
    with pytest.raises(yuma.YumaError, match="shard"):
        yuma.batch([inputs], tmp_path / "x", shard="3/3")


def test_from_metagraph_warns_and_builds_an_approximate_snapshot():
    n = 4
    W = np.array([[0, 0.5, 0.5, 0], [0, 0, 1, 0], [0, 0, 0, 0], [0.25, 0.75, 0, 0]], dtype=np.float32)
    mg = SimpleNamespace(
        netuid=7, block=1000, n=n,
        alpha_stake=np.array([100.0, 50.0, 1.0, 0.0], dtype=np.float32),
        tao_stake=np.array([0.18, 0.0, 0.0, 0.0], dtype=np.float64),
        validator_permit=np.array([True, True, False, False]),
        last_update=np.array([990, 995, 900, 999]),
        block_at_registration=np.array([1, 2, 3, 4]),
        W=W, B=np.zeros((n, n), dtype=np.float32),
        hparams=SimpleNamespace(kappa=0.5, tempo=99, yuma_version=3, bonds_moving_avg=0.9, max_validators=2),
    )
    with pytest.warns(yuma._metagraph.ApproximationWarning, match="fetch"):
        s = yuma.from_metagraph(mg)
    d = s.to_dict()
    assert d["alpha_stake"] == [100_000_000_000, 50_000_000_000, 1_000_000_000, 0]
    assert d["tao_stake"] == [1_000_000_000, 0, 0, 0]
    assert d["weights"][0] == [[1, 65535], [2, 65535]] and d["weights"][3] == [[0, 21845], [1, 65535]]
    assert d["hyperparams"]["kappa"] == 32768 and d["hyperparams"]["yuma3_enabled"] is True
    assert d["hyperparams"]["tempo"] == 99 and d["hyperparams"]["max_allowed_validators"] == 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yuma.epoch(s, backend="cpu")


def test_analysis_functions_equal_the_cli(yuma_bin, tmp_path):
    names = [n for n, _ in yuma.scenarios()]
    assert len(names) >= 10 and "honest_baseline" in names
    r = yuma.scenario("copier_lag1", out_dir=tmp_path / "py", epochs=6, backend="cpu")
    subprocess.run([yuma_bin, "scenario", "copier_lag1", "-o", tmp_path / "cli", "--epochs", "6", "--backend", "cpu"], check=True, capture_output=True)
    for k in range(6):
        assert (tmp_path / "py" / f"epoch_{k:02d}" / "epoch.json").read_text() == (tmp_path / "cli" / f"epoch_{k:02d}" / "epoch.json").read_text()
        assert r["epochs"][k].to_json() == (tmp_path / "cli" / f"epoch_{k:02d}" / "epoch.json").read_text()
    assert r["summary"] == json.loads((tmp_path / "cli" / "summary.json").read_text())
    m = yuma.metrics(*r["epochs"])
    assert m == yuma.metrics(*[tmp_path / "cli" / f"epoch_{k:02d}" / "epoch.json" for k in range(6)])
    snap = tmp_path / "g.json"
    snap.write_text(yuma.gen(64, 8, seed=3).to_json())
    sw = yuma.sweep(str(snap), ["kappa=0.3:0.5:0.1"], backend="cpu")
    subprocess.run([yuma_bin, "sweep", snap, "--set", "kappa=0.3:0.5:0.1", "-o", tmp_path / "sw", "--backend", "cpu"], check=True, capture_output=True)
    cli = json.loads((tmp_path / "sw" / "sweep.json").read_text())
    assert sw["rows"] == cli["rows"] and len(sw["rows"]) == 3
    em = yuma.emission(10_000_000 * 10**9, years=30)
    cli = json.loads(subprocess.run([yuma_bin, "emission", "--issuance", str(10_000_000 * 10**9), "--years", "30", "--json"], check=True, capture_output=True, text=True).stdout)
    assert em == cli and isinstance(em["block_emission"], int)
