"""A distributed batch against a single-process `yuma batch` of the same inputs, on one machine
(issue: with a local 2-worker Ray cluster already running, at most 1.5 × the single-process
time). Start-up of the cluster is excluded: start it first, e.g.

    ray start --head --port=6379 --num-cpus=1 --include-dashboard=false
    ray start --address=127.0.0.1:6379 --num-cpus=1
    python3 examples/bench_ray.py --address 127.0.0.1:6379 [--count 2000] [--n 1024] [--validators 128]

Inputs are `yuma gen --n N --validators V --seed S` for S = 1 … count (made once, kept in
--work). Prints both wall times, the ratio, and the per-task overhead estimate (distributed −
single) / tasks.
"""

import argparse
import pathlib
import shutil
import subprocess
import time

import yuma

REPO = pathlib.Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--address", required=True)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--validators", type=int, default=128)
    ap.add_argument("--chunk", type=int, default=16)
    ap.add_argument("--work", default="/tmp/yuma-bench-ray")
    a = ap.parse_args()
    work = pathlib.Path(a.work)
    inputs = work / f"in_{a.n}_{a.validators}_{a.count}"
    if not inputs.exists():
        tmp = inputs.with_suffix(".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        for s in range(1, a.count + 1):
            d = tmp / f"s{s:05d}"
            d.mkdir(parents=True)
            (d / "snapshot.json").write_text(yuma.gen(a.n, a.validators, seed=s).to_json())
        tmp.rename(inputs)
    exe = REPO / "target" / "release" / "yuma"
    single_out, dist_out = work / "single", work / "dist"
    for d in (single_out, dist_out):
        shutil.rmtree(d, ignore_errors=True)
    t = time.perf_counter()
    subprocess.run([exe, "batch", inputs, "-o", single_out, "--backend", "cpu"], check=True, capture_output=True)
    single = time.perf_counter() - t
    import ray

    ray.init(address=a.address, log_to_driver=False)
    t = time.perf_counter()
    r = yuma.distributed.batch([inputs], dist_out, address=a.address, backend="cpu", chunk=a.chunk, progress=False)
    dist = time.perf_counter() - t
    assert r["done"] == a.count and not r["failed"], r
    tasks = -(-a.count // a.chunk)
    print(f"{a.count} snapshots, n = {a.n}, {a.validators} validators; cluster CPUs {ray.cluster_resources().get('CPU')}")
    print(f"single-process yuma batch: {single:.2f} s ({a.count / single:.0f} epochs/s)")
    print(f"yuma.distributed.batch:    {dist:.2f} s ({a.count / dist:.0f} epochs/s), {tasks} tasks of {a.chunk}")
    print(f"ratio distributed / single: {dist / single:.2f}; overhead per task ≈ {(dist - single) / tasks * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
