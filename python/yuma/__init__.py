"""yuma: Bittensor's Yuma Consensus epoch, bit for bit as the chain computes it.

A thin face over the Rust library (the compiled module ``yuma._yuma``): every computation runs
in Rust, with the GIL released; results come back as numpy arrays of the exact dtypes (uint16
terms, uint64 rao, int64 raw I32F32 bits) or as plain Python values equal to the JSON documents
the ``yuma`` command writes.

    import yuma
    s = yuma.load_snapshot("fixtures/r03_n96_v12_yuma2/snapshot.json")
    e = yuma.epoch(s, backend="cpu")
    e.dividend            # numpy.ndarray, dtype uint16
    e.to_dict()           # == json.load(open("epoch.json"))

Scale-out: :mod:`yuma.distributed` (Ray, imported only when called).
"""

from ._yuma import (  # noqa: F401
    Epoch,
    Snapshot,
    SnapshotError,
    YumaError,
    batch,
    check,
    emission,
    epoch,
    explain,
    gen,
    load_snapshot,
    metrics,
    plan_batch,
    replay,
    run_batch_jobs,
    scenario,
    scenarios,
    sweep,
    validate,
    validation_pairs,
)
from ._metagraph import from_metagraph  # noqa: F401
from . import distributed  # noqa: F401  (imports Ray only when one of its functions is called)

__all__ = [
    "Epoch",
    "Snapshot",
    "SnapshotError",
    "YumaError",
    "batch",
    "check",
    "distributed",
    "emission",
    "epoch",
    "explain",
    "from_metagraph",
    "gen",
    "load_snapshot",
    "metrics",
    "plan_batch",
    "replay",
    "run_batch_jobs",
    "scenario",
    "scenarios",
    "sweep",
    "validate",
    "validation_pairs",
]
