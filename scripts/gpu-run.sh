#!/usr/bin/env bash
# A GPU run prepared in advance.
#
#   scripts/gpu-run.sh [DIR]        (here, with the Rust toolchain; DIR defaults to .gpurun)
#
# builds the release `yuma` and the test executables (`cargo test --release --no-run`), and lays
# out DIR (git-ignored; with the repository's tracked files at most 64 MiB, less 1 MiB) with:
#   bin/yuma.gz, bin/<test>.gz   the binary and the GPU test executables (gpu_*, *_gpu,
#                          shaders, and the library's unit tests as unit_gpu, run for the
#                          `gpu::` ones), stripped and gzipped (run.sh unpacks them inside DIR)
#   goldens/               a copy of the golden cases ($YUMA_GOLDENS, else ../shared/goldens)
#   debs/                  the Vulkan loader package (libvulkan1, amd64)
#   run.sh                 the one command to run on the GPU machine
#
# On the GPU machine (x86-64, NVIDIA H100/H200, no Rust toolchain, no network), from the folder
# that holds DIR:
#
#   bash DIR/run.sh [REPORT]
#
# unpacks the executables and the loader into DIR (nothing is written outside it), runs every
# GPU test executable
# with YUMA_REQUIRE_GPU=1 and YUMA_GOLDENS=DIR/goldens, then `yuma info`, `yuma bench --quick
# --backend gpu` and `yuma bench --backend gpu` (the last one within what is left of a 5-minute
# budget), and writes everything to REPORT ($OUT/gpu-report.txt when $OUT is set, else
# DIR/report.txt). Set YUMA_GPU_RUN_QUICK=1 for a cut-down bench (checking the script on a
# software adapter).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dir="${1:-.gpurun}"
limit=$((64 * 1024 * 1024))

goldens="${YUMA_GOLDENS:-$root/../shared/goldens}"
if [ ! -d "$goldens" ]; then
    echo "gpu-run: no goldens at $goldens (set YUMA_GOLDENS)" >&2
    exit 1
fi

echo "gpu-run: building the release binary and the test executables"
cargo build --release --locked
tests_json="$(mktemp)"
trap 'rm -f "$tests_json"' EXIT
cargo test --release --locked --no-run --message-format=json >"$tests_json"

rm -rf "$dir"
mkdir -p "$dir/bin" "$dir/debs" "$dir/goldens"
cp target/release/yuma "$dir/bin/yuma"
# The GPU test executables: the test targets named gpu_*, *_gpu and shaders, and the library's
# unit tests (unit_gpu; run.sh runs only its `gpu::` tests).
python3 - "$tests_json" "$dir/bin" <<'EOF'
import json, shutil, sys
src, out = sys.argv[1], sys.argv[2]
found = []
for line in open(src):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") != "compiler-artifact" or not m.get("executable"):
        continue
    t = m["target"]
    name = t["name"]
    if "test" in t["kind"] and (name.startswith("gpu_") or name.endswith("_gpu") or name == "shaders"):
        shutil.copy(m["executable"], f"{out}/{name}")
        found.append(name)
    elif "lib" in t["kind"] and m.get("profile", {}).get("test"):
        shutil.copy(m["executable"], f"{out}/unit_gpu")
        found.append("unit_gpu")
if not found:
    sys.exit("gpu-run: no GPU test executable was built")
print("gpu-run: test executables:", " ".join(sorted(found)))
EOF
strip "$dir"/bin/* 2>/dev/null || true
gzip -9 "$dir"/bin/*
cp -r "$goldens"/. "$dir/goldens/"

# The Vulkan loader, downloaded for amd64 whatever this machine's architecture.
lists=/tmp/gpu-run-apt-amd64
mkdir -p "$lists/partial"
apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
apt-get "${apt_opts[@]}" update >/dev/null
(cd "$dir/debs" && apt-get "${apt_opts[@]}" -oAPT::Sandbox::User=root download libvulkan1 >/dev/null)

cat >"$dir/run.sh" <<'EOF'
#!/usr/bin/env bash
# The GPU machine's command (written by scripts/gpu-run.sh): GPU tests, then the bench.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
report="${1:-${OUT:+$OUT/gpu-report.txt}}"
report="${report:-$here/report.txt}"
start=$SECONDS
budget=${YUMA_GPU_RUN_BUDGET:-290}

main() {

# The executables, unpacked inside this folder.
mkdir -p "$here/unpacked"
for z in "$here"/bin/*.gz; do
    x="$here/unpacked/$(basename "$z" .gz)"
    gzip -dc "$z" >"$x" && chmod +x "$x"
done
bin="$here/unpacked"

# The Vulkan loader, unpacked here when the machine has none (YUMA_GPU_RUN_UNPACK=1: always);
# the NVIDIA driver's own files stay where the machine has them.
if [ -n "${YUMA_GPU_RUN_UNPACK:-}" ] || ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 '; then
    echo "(Vulkan loader: unpacked from $(ls "$here"/debs))"
    for f in "$here"/debs/*.deb; do dpkg -x "$f" "$here/sysroot"; done
    export LD_LIBRARY_PATH="$here/sysroot/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
nv=/usr/local/nvidia
if [ -d "$nv/lib64" ]; then
    export LD_LIBRARY_PATH="$nv/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$nv/share/vulkan/icd.d/nvidia_icd.json" ] \
    && ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
    export VK_DRIVER_FILES="$nv/share/vulkan/icd.d/nvidia_icd.json"
    export __EGL_VENDOR_LIBRARY_FILENAMES="$nv/share/glvnd/egl_vendor.d/10_nvidia.json"
fi
export YUMA_REQUIRE_GPU=1 YUMA_GOLDENS="$here/goldens"

echo "== machine"
date -u
uname -m
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>/dev/null || echo "(no nvidia-smi)"
nproc
"$bin/yuma" info

failed=0
echo "== GPU tests (YUMA_REQUIRE_GPU=1, YUMA_GOLDENS=$YUMA_GOLDENS)"
for t in "$bin"/*; do
    name="$(basename "$t")"
    [ "$name" = yuma ] && continue
    echo "-- $name"
    t0=$SECONDS
    # unit_gpu runs its gpu:: tests; the others, every test.
    if [ "$name" = unit_gpu ]; then set -- gpu::; else set --; fi
    if ! "$t" "$@"; then
        failed=1
        echo "FAILED: $name"
    fi
    echo "-- $name: $((SECONDS - t0)) s"
done

echo "== yuma bench --quick --backend gpu"
if [ -n "${YUMA_GPU_RUN_QUICK:-}" ]; then
    "$bin/yuma" bench --quick --backend gpu --gpu-batch 8 || failed=1
else
    "$bin/yuma" bench --quick --backend gpu || failed=1
    left=$((budget - (SECONDS - start)))
    echo "== yuma bench --backend gpu (within the $left s left of the budget)"
    if [ "$left" -gt 30 ]; then
        timeout "$left" "$bin/yuma" bench --backend gpu || echo "(the full bench stopped: status $?)"
    else
        echo "(skipped: too little of the budget left)"
    fi
fi
echo "== done in $((SECONDS - start)) s; tests $([ $failed = 0 ] && echo passed || echo FAILED); report: $report"
return $failed
}

main 2>&1 | tee "$report"
exit "${PIPESTATUS[0]}"
EOF
chmod +x "$dir/run.sh"

# The folder travels with the repository's tracked files: both together stay within 64 MiB.
# Past that, the executables of other rooms' GPU checks (*_gpu) are left out first.
tracked=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
room=$((limit - tracked - 1024 * 1024))
size=$(du -sb "$dir" | cut -f1)
if [ "$size" -gt "$room" ]; then
    for extra in "$dir"/bin/*_gpu.gz; do
        [ -e "$extra" ] || continue
        echo "gpu-run: leaving out $(basename "$extra" .gz) to stay within 64 MiB with the repository"
        rm -f "$extra"
    done
    size=$(du -sb "$dir" | cut -f1)
fi
echo "gpu-run: laid out $dir: $((size / 1024 / 1024)) MiB ($size bytes; the tracked files: $tracked bytes)"
if [ "$size" -gt "$room" ]; then
    echo "gpu-run: $dir and the tracked files are over 64 MiB together" >&2
    exit 1
fi
echo "gpu-run: on the GPU machine, from the folder holding $dir: bash $dir/run.sh"
