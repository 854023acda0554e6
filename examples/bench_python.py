"""What calling yuma from Python costs over the Rust call itself (issue: at most 10 % on a
4,096-uid snapshot). Times `yuma.epoch(s)` from Python and the library call alone
(`yuma._yuma.time_epoch`, measured inside Rust) on the same snapshot, same process, and prints
both medians and their ratio.

    python3 examples/bench_python.py [--n 4096] [--validators 256] [--repeats 15] [--yuma3]
"""

import argparse
import statistics
import time

import yuma
from yuma import _yuma


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--validators", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--yuma3", action="store_true")
    ap.add_argument("--backend", default="cpu")
    a = ap.parse_args()
    s = yuma.gen(a.n, a.validators, seed=1, yuma3=a.yuma3)
    yuma.epoch(s, backend=a.backend)
    rust, py = [], []
    for _ in range(a.repeats):  # interleaved, so that load changes hit both sides alike
        rust.extend(_yuma.time_epoch(s, a.backend, 1))
        t = time.perf_counter()
        e = yuma.epoch(s, backend=a.backend)
        e.dividend, e.emission  # the arrays a user reads
        py.append(time.perf_counter() - t)
    rust, pym = statistics.median(rust), statistics.median(py)
    print(f"n = {a.n}, {a.validators} validators, {'Yuma 3' if a.yuma3 else 'Yuma 2'}, backend {a.backend}, {a.repeats} runs")
    print(f"Rust call (engine.run) median: {rust * 1e3:.2f} ms")
    print(f"yuma.epoch from Python median:  {pym * 1e3:.2f} ms  (+ reading two arrays)")
    print(f"ratio: {pym / rust:.3f}")


if __name__ == "__main__":
    main()
