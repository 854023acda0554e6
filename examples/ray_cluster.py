"""A batch over a Ray cluster. Start the cluster first (each node needs `pip install ./python`
and the input/output folders on a shared path):

    ray start --head --port=6379                      # head machine
    ray start --address=HEAD_IP:6379                  # every worker machine
    python3 examples/ray_cluster.py HEAD_IP:6379 INPUT_DIR OUT_DIR

Without an address argument a local Ray is started. Interrupted? Run it again: completed
outputs are kept and only the rest is computed.
"""

import sys

import yuma

address = sys.argv[1] if len(sys.argv) > 3 else None
inputs, out = sys.argv[-2], sys.argv[-1]
summary = yuma.distributed.batch([inputs], out, address=address, backend="auto")
print(f"done {summary['done']}, skipped {summary['skipped']}, failed {len(summary['failed'])}")
for path, reason in summary["failed"][:10]:
    print("  failed:", path, reason)
