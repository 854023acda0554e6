"""The package against the goldens and the CLI: same documents, exact dtypes, the same errors."""

import json
import subprocess

import numpy as np
import pytest

import yuma
from conftest import golden_cases

CASES = golden_cases()
U16 = ["stake", "consensus", "validator_trust", "incentive", "dividend"]
U64 = ["stake_weight", "server_emission", "validator_emission", "emission"]


def test_every_golden_through_python_equals_the_chains_document():
    assert len(CASES) >= 161
    bad = []
    for case in CASES:
        e = yuma.epoch(yuma.load_snapshot(case / "snapshot.json"), backend="cpu")
        if e.to_dict() != json.loads((case / "epoch.json").read_text()):
            bad.append(case.name)
        if e.to_json() != (case / "epoch.json").read_text():
            bad.append(case.name + " (bytes)")
    assert not bad, bad


@pytest.mark.parametrize("case", [c for c in CASES if c.parent.name in ("mechanisms", "edge")][:12], ids=lambda c: c.name)
def test_goldens_on_the_gpu_backend(case):
    e = yuma.epoch(yuma.load_snapshot(case / "snapshot.json"), backend="gpu")
    assert e.to_dict() == json.loads((case / "epoch.json").read_text())


def test_dtypes_and_shapes(goldens):
    s = yuma.load_snapshot(goldens / "mechanisms" / "m3_split_yuma3_la" / "snapshot.json")
    e = yuma.epoch(s, backend="cpu")
    n = s.n
    for f in U16:
        assert getattr(e, f).dtype == np.uint16 and getattr(e, f).shape == (n,), f
    for f in U64:
        assert getattr(e, f).dtype == np.uint64 and getattr(e, f).shape == (n,), f
    assert e.active.dtype == np.bool_ and e.new_validator_permit.dtype == np.bool_
    assert len(e.mechanisms) == 3 and e.mechanism_emission.dtype == np.uint64
    assert all(isinstance(w, int) for w in e.mechanism_weight)
    assert e.to_dict()["mechanism_weight"] == [str(w) for w in e.mechanism_weight]
    indptr, indices, data = e.bonds[1]
    assert (indptr.dtype, indices.dtype, data.dtype) == (np.int64, np.uint16, np.uint16)
    m1 = e.mechanisms[1]
    assert m1.raw["consensus"].dtype == np.int64
    ip, ix, dv = m1.raw["ema_bonds"]
    assert dv.dtype == np.int64 and ip.shape == (n + 1,)
    d = e.to_dict()
    assert m1.to_dict() == d["mechanisms"][1]
    assert list(m1.consensus) == d["mechanisms"][1]["consensus"]
    assert e.raw is None and m1.raw is not None


def test_trace_equals_the_cli_trace(goldens, yuma_bin, tmp_path):
    case = goldens / "edge" / "baseline_yuma3"
    e = yuma.epoch(yuma.load_snapshot(case / "snapshot.json"), trace=True)
    assert e.trace == json.loads((case / "trace.json").read_text())


def test_to_pandas(goldens):
    e = yuma.epoch(yuma.load_snapshot(goldens / "edge" / "baseline_yuma2" / "snapshot.json"), backend="cpu")
    df = e.to_pandas()
    assert list(df.index) == list(range(e.n))
    assert df["dividend"].dtype == np.uint16 and df["emission"].dtype == np.uint64
    assert (df["consensus"].to_numpy() == e.consensus).all()


def _arrays_of(doc):
    def csr(rows):
        indptr = np.cumsum([0] + [len(r) for r in rows]).astype(np.int64)
        idx = np.array([j for r in rows for j, _ in r], dtype=np.uint16)
        val = np.array([v for r in rows for _, v in r], dtype=np.uint16)
        return indptr, idx, val

    return dict(
        netuid=doc["netuid"],
        block=doc["block"],
        hyperparams=doc["hyperparams"],
        alpha_stake=np.array(doc["alpha_stake"], dtype=np.uint64),
        tao_stake=np.array(doc["tao_stake"], dtype=np.uint64),
        validator_permit=np.array(doc["validator_permit"], dtype=bool),
        block_at_registration=np.array(doc["block_at_registration"], dtype=np.uint64),
        last_update=np.array(doc["last_update"], dtype=np.uint64),
        commit_block=doc["commit_block"],
        weights=csr(doc["weights"]),
        bonds=csr(doc["bonds"]),
        owner_uid=doc["owner_uid"],
        last_mechanism_step_block=doc["last_mechanism_step_block"],
        rao_emission=doc["rao_emission"],
    )


def test_from_arrays_and_from_dict_rebuild_every_single_mechanism_golden_exactly():
    for case in CASES:
        doc = json.loads((case / "snapshot.json").read_text())
        if "mechanisms" in doc:
            continue
        s = yuma.Snapshot.from_arrays(**_arrays_of(doc))
        assert s.to_json() == (case / "snapshot.json").read_text(), case.name
        assert yuma.Snapshot.from_dict(doc).to_dict() == doc


def test_from_arrays_with_mechanisms(goldens):
    case = goldens / "mechanisms" / "m3_split_yuma3_la"
    doc = json.loads((case / "snapshot.json").read_text())
    base = _arrays_of({**doc, **doc["mechanisms"][0]})
    for k in ("last_update", "commit_block", "weights", "bonds"):
        base.pop(k)
    mechs = []
    for m in doc["mechanisms"]:
        a = _arrays_of({**doc, **m})
        mechs.append({k: a[k] for k in ("last_update", "commit_block", "weights", "bonds")})
    s = yuma.Snapshot.from_arrays(**base, mechanisms=mechs, mechanism_emission_split=np.array(doc["mechanism_emission_split"], dtype=np.uint16))
    assert s.to_json() == (case / "snapshot.json").read_text()


def test_errors_name_file_field_and_uid(goldens, yuma_bin, tmp_path):
    case = goldens / "edge" / "baseline_yuma2"
    doc = json.loads((case / "snapshot.json").read_text())
    bad = dict(doc)
    bad["weights"] = [list(r) for r in doc["weights"]]
    bad["weights"][3] = [[70000, 1]]
    with pytest.raises(yuma.SnapshotError) as err:
        yuma.Snapshot.from_dict(bad)
    assert err.value.field == "weights[3][0]" and err.value.uid == 3
    # The same message as the CLI's, file name aside.
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    cli = subprocess.run([yuma_bin, "epoch", path], capture_output=True, text=True)
    with pytest.raises(yuma.SnapshotError) as err2:
        yuma.load_snapshot(path)
    assert cli.returncode != 0 and str(err2.value) in cli.stderr
    assert err2.value.file == str(path)
    # Floats are refused, never rounded.
    floats = dict(doc, alpha_stake=[float(x) for x in doc["alpha_stake"]])
    with pytest.raises(yuma.SnapshotError) as err3:
        yuma.Snapshot.from_dict(floats)
    assert err3.value.field == "alpha_stake" and err3.value.uid == 0
    a = _arrays_of(doc)
    a["alpha_stake"] = a["alpha_stake"].astype(np.float64)
    with pytest.raises(yuma.SnapshotError, match="not an integer type") as err4:
        yuma.Snapshot.from_arrays(**a)
    assert err4.value.field == "alpha_stake"
    a = _arrays_of(doc)
    a["tao_stake"] = a["tao_stake"][:-1]
    with pytest.raises(yuma.SnapshotError, match="expected n") as err5:
        yuma.Snapshot.from_arrays(**a)
    assert err5.value.field == "tao_stake"
    a = _arrays_of(doc)
    a["last_update"] = np.array([-1] + [0] * (len(doc["alpha_stake"]) - 1))
    with pytest.raises(yuma.SnapshotError) as err6:
        yuma.Snapshot.from_arrays(**a)
    assert (err6.value.field, err6.value.uid) == ("last_update", 0)
    with pytest.raises(yuma.YumaError):
        yuma.epoch(yuma.load_snapshot(case / "snapshot.json"), backend="tpu")
