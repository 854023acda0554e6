#!/usr/bin/env python3
"""How long touching memory takes after it has sat idle, on this machine.

Usage: python3 scripts/idle-memory.py [MB] [IDLE_SECONDS ...]   (default: 64 MB; 0 1 3 10 20 40 s)

Allocates MB of memory and writes every page; then, for each idle time, writes every 64-byte line
once (hot), sleeps that long, and times one more write to every line, printing the time and the
page faults the kernel counted for it. Where memory keeps its speed, the pass after an idle spell
costs what a hot pass costs; on some virtual machines memory that has sat idle is slower to touch
again (presumably the host's memory management), with no page fault inside the guest. llvmpipe's
kernels leave yuma's host memory idle for seconds between a GPU batch's packing and its readback,
so on such a machine the batch's in-run host time includes that cost (BENCHMARKS.md, "GPU
batches").
"""

import resource
import sys
import time

import numpy as np

PAGE = 4096
LINE = 64


def faults() -> int:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_minflt + usage.ru_majflt


def touch(pages: np.ndarray) -> None:
    pages[:, ::LINE] += 1


def main() -> None:
    try:
        mb = int(sys.argv[1]) if len(sys.argv) > 1 else 64
        idles = [float(s) for s in sys.argv[2:]] or [0, 1, 3, 10, 20, 40]
        if mb < 1 or any(idle < 0 for idle in idles):
            raise ValueError
    except ValueError:
        sys.exit("usage: idle-memory.py [MB ≥ 1] [IDLE_SECONDS ≥ 0 ...]")
    pages = np.ones((mb * (1 << 20) // PAGE, PAGE), dtype=np.uint8)
    print(f"{mb} MB, {len(pages)} pages of {PAGE} bytes")
    for idle in idles:
        touch(pages)
        time.sleep(idle)
        before, start = faults(), time.perf_counter()
        touch(pages)
        took = time.perf_counter() - start
        print(
            f"idle {idle:5.1f} s: touching every line took {took * 1e3:8.2f} ms "
            f"({took / len(pages) * 1e6:.3f} µs per page), {faults() - before} page faults"
        )


if __name__ == "__main__":
    main()
