"""A real local Ray cluster (a head and a worker node, separate processes on 127.0.0.1) running
``yuma.distributed.batch``: outputs equal the single-machine ``yuma.batch``; a worker node killed
mid-run costs nothing but time (Ray retries its tasks on the head); a driver killed mid-run is
resumed by calling ``batch`` again, and completed outputs are not recomputed.

Run by tests/test_ray.py inside a private network namespace (``unshare -n``), where Ray can only
bind the loopback address. Exits non-zero, with the reason, on any failure.
"""

import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

import yuma

PORT = 6391
WORKER_NM_PORT = 6411
ENV = dict(os.environ, RAY_USAGE_STATS_ENABLED="0", PYTHONUNBUFFERED="1")
DRIVER = """
import sys, yuma
r = yuma.distributed.batch([sys.argv[1]], sys.argv[2], address="127.0.0.1:{port}", backend="cpu", chunk=2, progress=False)
assert not r["failed"], r["failed"]
print("SUMMARY", r["done"], r["skipped"])
"""


def sh(*args, check=True):
    return subprocess.run([str(a) for a in args], env=ENV, check=check, capture_output=True, text=True)


def ray(*args):
    out = sh(sys.executable, "-m", "ray.scripts.scripts", *args, check=False)
    if out.returncode != 0:
        raise SystemExit(f"ray {' '.join(map(str, args))} failed:\n{out.stdout}\n{out.stderr}")


def worker_node_pids():
    """PIDs of the worker node's raylet (found by its node-manager port) and its children."""
    pids = []
    for p in pathlib.Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            cmd = (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if f"--node_manager_port={WORKER_NM_PORT}" in cmd:
            pids.append(int(p.name))
    return pids


def count(out_dir: pathlib.Path) -> int:
    return sum(1 for _ in out_dir.rglob("epoch.json")) if out_dir.exists() else 0


def run_driver(inputs, out_dir, kill_driver_after=None, kill_worker_after=None):
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER.format(port=PORT), str(inputs), str(out_dir)],
        env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    killed_worker = False
    while proc.poll() is None:
        n = count(out_dir)
        if kill_worker_after is not None and not killed_worker and n >= kill_worker_after:
            pids = worker_node_pids()
            if not pids:
                raise SystemExit("worker node raylet not found")
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
            killed_worker = True
            print(f"killed the worker node at {n} outputs", flush=True)
        if kill_driver_after is not None and n >= kill_driver_after:
            proc.kill()
            proc.wait()
            print(f"killed the driver at {n} outputs", flush=True)
            return None
        time.sleep(0.02)
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"driver failed ({proc.returncode}):\n{out}\n{err}")
    if kill_worker_after is not None and not killed_worker:
        raise SystemExit("the job ended before the worker could be killed: use more inputs")
    line = [l for l in out.splitlines() if l.startswith("SUMMARY")][-1].split()
    return int(line[1]), int(line[2])


def same_files(a: pathlib.Path, b: pathlib.Path, total: int):
    files = sorted(p.relative_to(a) for p in a.rglob("epoch.json"))
    if len(files) != total:
        raise SystemExit(f"{b}: {len(files)} outputs, expected {total}")
    for f in files:
        if (a / f).read_bytes() != (b / f).read_bytes():
            raise SystemExit(f"{f}: the distributed output differs from the single-machine one")


def main():
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="yuma-ray-"))
    inputs, total = tmp / "in", 240
    for k in range(total):
        (inputs / f"s{k:03d}").mkdir(parents=True)
        (inputs / f"s{k:03d}" / "snapshot.json").write_text(
            yuma.gen(1024, 128, seed=k + 1, yuma3=k % 2 == 0).to_json()
        )
    single = tmp / "single"
    r = yuma.batch([inputs], single, backend="cpu")
    assert r["done"] == total and not r["failed"], r

    common = ["--num-cpus=1", "--object-store-memory=80000000", "--disable-usage-stats"]
    ray("start", "--head", f"--port={PORT}", "--include-dashboard=false", *common)
    try:
        ray("start", f"--address=127.0.0.1:{PORT}", f"--node-manager-port={WORKER_NM_PORT}", *common)
        # 1. A worker node dies mid-run: Ray retries its tasks on the head; nothing is lost.
        out1 = tmp / "dist1"
        done, skipped = run_driver(inputs, out1, kill_worker_after=20)
        same_files(single, out1, total)
        print(f"worker killed: done {done}, skipped {skipped}", flush=True)
        # 2. The driver crashes mid-run; batch again resumes and recomputes nothing finished.
        ray("start", f"--address=127.0.0.1:{PORT}", f"--node-manager-port={WORKER_NM_PORT}", *common)
        out2 = tmp / "dist2"
        run_driver(inputs, out2, kill_driver_after=30)
        # Tasks already running when the driver died may still finish their chunk: wait until
        # no output appears for 3 s, then take the state the resume starts from.
        last, still = count(out2), 0.0
        while still < 3.0:
            time.sleep(0.5)
            now = count(out2)
            still = still + 0.5 if now == last else 0.0
            last = now
        before = {p: p.stat().st_mtime_ns for p in out2.rglob("epoch.json")}
        done, skipped = run_driver(inputs, out2)
        if skipped != len(before) or done + skipped != total:
            raise SystemExit(f"resume: done {done} skipped {skipped}, {len(before)} existed, {total} inputs")
        for p, t in before.items():
            if p.stat().st_mtime_ns != t:
                raise SystemExit(f"{p}: recomputed although it was complete")
        same_files(single, out2, total)
        print(f"driver killed and resumed: {len(before)} kept, {done} computed", flush=True)
        # 3. A sweep split over the cluster equals the single-machine sweep.
        snap = tmp / "sweep.json"
        snap.write_text(yuma.gen(128, 16, seed=9, yuma3=True).to_json())
        sets = ["kappa=0.2:0.8:0.1", "yuma3=false,true"]
        whole = yuma.sweep(str(snap), sets, epochs=2, backend="cpu")
        import ray as _ray

        _ray.init(address=f"127.0.0.1:{PORT}", log_to_driver=False)
        split = yuma.distributed.sweep(str(snap), sets, epochs=2, backend="cpu", tasks=3, progress=False)
        _ray.shutdown()
        if split != whole or len(whole["rows"]) != 14:
            raise SystemExit("the distributed sweep differs from the single-machine one")
        print("sweep over 3 tasks equals the single-machine sweep", flush=True)
        # 4. Fetch + validate a history over the cluster, from a local test node.
        goldens = pathlib.Path(os.environ.get("YUMA_GOLDENS", pathlib.Path(__file__).resolve().parents[3] / "shared" / "goldens"))
        cases = [goldens / "random" / "r00_n64_v8_yuma2", goldens / "random" / "r02_n64_v16_yuma3_la"]
        node_script = pathlib.Path(__file__).resolve().parents[2] / "tests" / "node" / "fake_node.py"
        node = subprocess.Popen([sys.executable, str(node_script), *map(str, cases)], stdout=subprocess.PIPE, text=True, env=ENV)
        try:
            url = node.stdout.readline().strip().removeprefix("listening on ")
            pairs = []
            for c in cases:
                doc = json.loads((c / "snapshot.json").read_text())
                pairs.append((doc["netuid"], doc["block"]))
            _ray.init(address=f"127.0.0.1:{PORT}", log_to_driver=False)
            report = yuma.distributed.fetch_and_validate(url, pairs + [(pairs[0][0], 1)], tmp / "history", backend="cpu", chunk=1, progress=False)
            _ray.shutdown()
        finally:
            node.kill()
            node.wait()
        statuses = [f["status"] for f in report["folders"]]
        if statuses != ["pass", "pass", "error"] or not report["folders"][2]["error"]:
            raise SystemExit(f"fetch_and_validate: {statuses} {report['folders'][2]}")
        print("fetch + validate over the cluster: 2 passed, 1 refused block reported", flush=True)
    finally:
        sh(sys.executable, "-m", "ray.scripts.scripts", "stop", "--force", check=False)
    print("RAY CLUSTER CHECK PASSED")


if __name__ == "__main__":
    main()
