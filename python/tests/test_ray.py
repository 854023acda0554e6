"""The Ray glue on a real local cluster (head + worker node processes), run in a private network
namespace so that every Ray socket is on the loopback address."""

import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent


def test_distributed_batch_on_a_local_ray_cluster_survives_a_killed_worker_and_resumes():
    netns = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "--net", "--map-root-user"]
    script = f"ip link set lo up && exec {sys.executable} {HERE / 'ray_cluster_check.py'}"
    out = subprocess.run(netns + ["sh", "-c", script], capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, f"{out.stdout}\n{out.stderr[-4000:]}"
    assert "RAY CLUSTER CHECK PASSED" in out.stdout, out.stdout


def test_import_yuma_does_not_import_ray():
    code = "import sys, yuma; assert 'ray' not in sys.modules; print(yuma.distributed.batch.__name__)"
    subprocess.run([sys.executable, "-c", code], check=True)
