"""yuma from Python, end to end on the bundled example (run from the repository root after
`pip install ./python`):

    python3 examples/python_quickstart.py
"""

import json
import pathlib

import numpy as np

import yuma

ROOT = pathlib.Path(__file__).resolve().parents[1]
CASE = ROOT / "fixtures" / "r03_n96_v12_yuma2"

# 1. A snapshot from a file (or yuma.Snapshot.from_dict / from_arrays), its epoch on the CPU.
s = yuma.load_snapshot(CASE / "snapshot.json")
e = yuma.epoch(s, backend="cpu")
print(s, "->", e)

# 2. Every field is a numpy array of the chain's exact type; the document equals the CLI's.
print("dividend", e.dividend.dtype, e.dividend[:8])
print("emission (rao)", e.emission.dtype, int(e.emission.sum()))
assert e.to_dict() == json.loads((CASE / "epoch.json").read_text())

# 3. A table for pandas users (pip install pandas).
try:
    df = e.to_pandas()
    print(df.sort_values("dividend", ascending=False).head(5)[["stake", "dividend", "emission"]])
except yuma.YumaError as err:
    print(err)

# 4. The same epoch built from arrays: weights and bonds as raw CSR (indptr, indices, data),
#    rows as stored on chain (order and duplicates kept; do not let scipy sum or sort them).
doc = json.loads((CASE / "snapshot.json").read_text())


def csr(rows):
    indptr = np.cumsum([0] + [len(r) for r in rows]).astype(np.int64)
    return indptr, np.array([j for r in rows for j, _ in r], np.uint16), np.array([v for r in rows for _, v in r], np.uint16)


s2 = yuma.Snapshot.from_arrays(
    netuid=doc["netuid"], block=doc["block"], hyperparams=doc["hyperparams"],
    alpha_stake=np.array(doc["alpha_stake"], np.uint64), tao_stake=np.array(doc["tao_stake"], np.uint64),
    validator_permit=np.array(doc["validator_permit"]), block_at_registration=np.array(doc["block_at_registration"], np.uint64),
    last_update=np.array(doc["last_update"], np.uint64), commit_block=doc["commit_block"],
    weights=csr(doc["weights"]), bonds=csr(doc["bonds"]), owner_uid=doc["owner_uid"],
    last_mechanism_step_block=doc["last_mechanism_step_block"], rao_emission=doc["rao_emission"],
)
assert (yuma.epoch(s2, backend="cpu").dividend == e.dividend).all()

# 5. Validation and explanation.
report = yuma.validate(CASE / "snapshot.json", CASE / "recorded.json", backend="cpu")
print("validate:", report["passed"], "passed,", report["failed"], "failed")
top = int(np.argmax(e.dividend))
why = yuma.explain(s, top)
print(f"uid {top}:", [(i["name"], i["raw"]) for i in why["items"] if i["section"] == "validator"])

# 6. Errors name the field and the uid.
bad = dict(doc, tao_stake=doc["tao_stake"][:-1])
try:
    yuma.Snapshot.from_dict(bad)
except yuma.SnapshotError as err:
    print("SnapshotError:", err.field, err.uid, "-", err)
