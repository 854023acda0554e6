"""Scale-out on Ray: many snapshots (or validation folders) over a cluster.

The one piece of orchestration written in Python. Planning (which inputs, which outputs, which
already exist), computing and the atomic writes are the Rust library's (the same code as
``yuma batch``); this module only cuts the plan into chunks, hands them to Ray tasks, and
gathers the outcomes. Ray is imported when a function here is called, never by ``import yuma``.

Start a real cluster first (one head, any number of workers), then pass its address::

    ray start --head --port=6379                 # on the head machine
    ray start --address=HEAD_IP:6379             # on every worker machine
    yuma.distributed.batch(["snapshots/"], "epochs/", address="HEAD_IP:6379")

Every node needs this package installed (``pip install ./python``) and the inputs and the output
folder on a shared path. ``address=None`` starts a local Ray instead.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple


def _ray(address: Optional[str]):
    import ray  # imported here only: `import yuma` never needs Ray

    if not ray.is_initialized():
        if address is None:
            ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
        else:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
    return ray


def _gpu_count(ray) -> int:
    return int(ray.cluster_resources().get("GPU", 0))


def _chunks(items: Sequence[Any], size: int) -> List[Sequence[Any]]:
    size = max(1, int(size))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _run_chunk(jobs: List[Tuple[str, str]], backend: str) -> List[Optional[str]]:
    from yuma import _yuma

    return _yuma.run_batch_jobs(jobs, backend)


def _validate_chunk(pairs: List[Tuple[str, str]], backend: str) -> List[Dict[str, Any]]:
    from yuma import _yuma

    out = []
    for snapshot, recorded in pairs:
        try:
            report = _yuma.validate(snapshot, recorded, backend=backend)
            out.append(report["folders"][0])
        except Exception as e:  # an unreadable input: recorded as this pair's error
            out.append(
                {"snapshot": snapshot, "recorded": recorded, "status": "error", "error": str(e), "report": None}
            )
    return out


class _Progress:
    """One status line on stderr (a terminal), updated as chunks finish."""

    def __init__(self, total: int, unit: str, show: bool):
        self.total, self.unit, self.done, self.start = total, unit, 0, time.monotonic()
        self.show = show and sys.stderr.isatty()

    def add(self, k: int) -> None:
        self.done += k
        if self.show:
            rate = self.done / max(time.monotonic() - self.start, 1e-9)
            sys.stderr.write(f"\r{self.done}/{self.total} {self.unit}  {rate:.1f}/s ")
            sys.stderr.flush()

    def close(self) -> None:
        if self.show:
            sys.stderr.write("\n")


def _submit(ray, fn, chunks, backend: str, max_retries: int):
    """Ray tasks for `chunks`: GPU tasks with the GPU backend when the cluster has GPUs and the
    backend allows it, else CPU tasks with the CPU backend."""
    use_gpu = backend in ("auto", "gpu") and _gpu_count(ray) > 0
    if backend == "gpu" and not use_gpu:
        raise RuntimeError("backend='gpu': the Ray cluster has no GPU resources")
    remote = ray.remote(fn).options(
        num_cpus=1, num_gpus=1 if use_gpu else 0, max_retries=max_retries, retry_exceptions=False
    )
    task_backend = "gpu" if use_gpu else ("cpu" if backend == "auto" else backend)
    return {remote.remote(list(c), task_backend): c for c in chunks}


def _gather(ray, refs: Dict[Any, Sequence[Any]], progress: _Progress, on_result, on_lost):
    pending = list(refs)
    while pending:
        ready, pending = ray.wait(pending, num_returns=1)
        for ref in ready:
            chunk = refs[ref]
            try:
                on_result(chunk, ray.get(ref))
            except Exception as e:  # the task failed for good (e.g. its worker died every try)
                on_lost(chunk, f"{type(e).__name__}: {e}".splitlines()[0])
            progress.add(len(chunk))
    progress.close()


def _validation_doc(folders: List[Dict[str, Any]], backend: str) -> Dict[str, Any]:
    """The yuma-validation/1 document of per-folder outcomes (``yuma validate --json``)."""
    count = lambda s: sum(1 for f in folders if f["status"] == s)  # noqa: E731
    return {
        "format": "yuma-validation/1",
        "backend": backend,
        "passed": count("pass"),
        "failed": count("fail"),
        "errors": count("error"),
        "folders": folders,
    }


def batch(
    inputs: Iterable[os.PathLike | str],
    out_dir: os.PathLike | str,
    address: Optional[str] = None,
    backend: str = "auto",
    chunk: int = 16,
    resume: bool = True,
    progress: bool = True,
    max_retries: int = 3,
) -> Dict[str, Any]:
    """``yuma batch`` over a Ray cluster.

    Names outputs exactly as ``yuma batch`` does (``x.json`` → ``OUT/x.epoch.json``,
    ``A/snapshot.json`` → ``OUT/A/epoch.json``, sub-folders mirrored) and writes them atomically,
    so an existing output is complete: completed outputs are never recomputed, a task lost with
    its worker is retried by Ray (``max_retries``), and calling ``batch`` again after a crash
    resumes. Returns ``{"done": int, "failed": [(input, reason)], "skipped": int}`` (skipped =
    outputs that already existed).
    """
    from yuma import _yuma

    todo, skipped = _yuma.plan_batch([str(p) for p in inputs], str(out_dir), resume=resume)
    summary: Dict[str, Any] = {"done": 0, "failed": [], "skipped": skipped}
    if not todo:
        return summary
    ray = _ray(address)
    jobs = [(str(i), str(o)) for i, o in todo]
    refs = _submit(ray, _run_chunk, _chunks(jobs, chunk), backend, max_retries)

    def on_result(chunk_jobs, outcomes):
        for (inp, _), reason in zip(chunk_jobs, outcomes):
            if reason is None:
                summary["done"] += 1
            else:
                summary["failed"].append((inp, reason))

    def on_lost(chunk_jobs, reason):
        summary["failed"].extend((inp, reason) for inp, _ in chunk_jobs)

    _gather(ray, refs, _Progress(len(jobs), "epochs", progress), on_result, on_lost)
    return summary


def validate(
    dirs: Iterable[os.PathLike | str],
    address: Optional[str] = None,
    backend: str = "auto",
    chunk: int = 16,
    progress: bool = True,
    max_retries: int = 3,
) -> Dict[str, Any]:
    """``yuma validate DIR...`` over a Ray cluster: every folder below ``dirs`` holding
    snapshot.json + recorded.json, validated on its own. Returns the yuma-validation/1 report
    (the same document ``yuma validate --json`` writes), folders in plan order."""
    from yuma import _yuma

    pairs = [(str(s), str(r)) for s, r in _yuma.validation_pairs([str(d) for d in dirs])]
    ray = _ray(address)
    refs = _submit(ray, _validate_chunk, _chunks(pairs, chunk), backend, max_retries)
    by_pair: Dict[Tuple[str, str], Dict[str, Any]] = {}

    def on_result(chunk_pairs, folders):
        for p, f in zip(chunk_pairs, folders):
            by_pair[tuple(p)] = f

    def on_lost(chunk_pairs, reason):
        for s, r in chunk_pairs:
            by_pair[(s, r)] = {"snapshot": s, "recorded": r, "status": "error", "error": reason, "report": None}

    _gather(ray, refs, _Progress(len(pairs), "folders", progress), on_result, on_lost)
    return _validation_doc([by_pair[p] for p in pairs], backend)


def _sweep_shard(args: List[Tuple[str, List[str], Optional[int], Optional[str], str]], backend: str) -> Dict[str, Any]:
    from yuma import _yuma

    (input, sets, epochs, yuma, shard), = args
    return _yuma.sweep(input, sets, epochs=epochs, yuma=yuma, backend=backend, shard=shard)


def sweep(
    input: str,
    sets: Sequence[str],
    epochs: Optional[int] = None,
    yuma: Optional[str] = None,
    address: Optional[str] = None,
    backend: str = "auto",
    tasks: Optional[int] = None,
    progress: bool = True,
    max_retries: int = 3,
) -> Dict[str, Any]:
    """``yuma sweep`` over a Ray cluster: the grid is split into ``tasks`` shards (grid points at
    positions ≡ I mod N, the Rust ``--shard`` rule; default: the cluster's CPU count), each run
    as one Ray task, and the rows are put back in point order. Returns the yuma-sweep/1
    document, equal to a single-machine ``yuma.sweep`` of the same grid."""
    ray = _ray(address)
    n = max(1, int(tasks or ray.cluster_resources().get("CPU", 1)))
    chunks = [[(input, list(sets), epochs, yuma, f"{i}/{n}")] for i in range(n)]
    refs = _submit(ray, _sweep_shard, chunks, backend, max_retries)
    docs: List[Dict[str, Any]] = []
    lost: List[str] = []
    _gather(
        ray,
        refs,
        _Progress(n, "shards", progress),
        lambda _chunk, doc: docs.append(doc),
        lambda chunk, reason: lost.append(f"{chunk[0][4]}: {reason}"),
    )
    if lost:
        raise RuntimeError("sweep shards failed: " + "; ".join(lost))
    rows = sorted((r for d in docs for r in d["rows"]), key=lambda r: r["point"])
    return {**docs[0], "rows": rows}


def _fetch_validate_chunk(items: List[Tuple[str, int, int, str]], backend: str) -> List[Dict[str, Any]]:
    from yuma import _yuma

    out = []
    for url, netuid, block, folder in items:
        snapshot, recorded = os.path.join(folder, "snapshot.json"), os.path.join(folder, "recorded.json")
        try:
            if not (os.path.isfile(snapshot) and os.path.isfile(recorded)):
                _yuma.fetch(url, netuid, block, out_dir=folder)
            report = _yuma.validate(snapshot, recorded, backend=backend)
            out.append({"netuid": netuid, "block": block, **report["folders"][0]})
        except Exception as e:  # a refusal or a bad document: this pair's error
            out.append(
                {"netuid": netuid, "block": block, "snapshot": snapshot, "recorded": recorded,
                 "status": "error", "error": str(e), "report": None}
            )
    return out


def fetch_and_validate(
    url: str,
    epochs: Iterable[Tuple[int, int]],
    out_dir: os.PathLike | str,
    address: Optional[str] = None,
    backend: str = "auto",
    chunk: int = 4,
    progress: bool = True,
    max_retries: int = 3,
) -> Dict[str, Any]:
    """Validate a history over a Ray cluster: for every ``(netuid, block)`` of ``epochs``, fetch
    the epoch from the node at ``url`` into ``out_dir/netuid_N/block_B/`` (skipped when both
    files are already there, so a rerun resumes) and validate it. Returns the
    yuma-validation/1 report, one folder entry per pair (with ``netuid`` and ``block``), in the
    given order; a refused fetch is that pair's error."""
    items = [
        (url, int(n), int(b), os.path.join(str(out_dir), f"netuid_{int(n)}", f"block_{int(b)}"))
        for n, b in epochs
    ]
    ray = _ray(address)
    refs = _submit(ray, _fetch_validate_chunk, _chunks(items, chunk), backend, max_retries)
    by_item: Dict[Tuple[int, int], Dict[str, Any]] = {}

    def on_result(chunk_items, folders):
        for it, f in zip(chunk_items, folders):
            by_item[(it[1], it[2])] = f

    def on_lost(chunk_items, reason):
        for _, n, b, folder in chunk_items:
            by_item[(n, b)] = {"netuid": n, "block": b, "snapshot": folder, "recorded": folder,
                               "status": "error", "error": reason, "report": None}

    _gather(ray, refs, _Progress(len(items), "epochs", progress), on_result, on_lost)
    return _validation_doc([by_item[(it[1], it[2])] for it in items], backend)
