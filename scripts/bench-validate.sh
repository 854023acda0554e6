#!/usr/bin/env bash
# Whole-process timing of `yuma validate` over 100 folders of a 256-uid subnet (issue 8's
# speed target: under 2 s on a 2-core machine), beside `yuma batch` on the same snapshots
# (computing and writing the epochs, no comparison). Prints each run and the median.
#   scripts/bench-validate.sh [RUNS]   (default 5; builds target/release/yuma first)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --quiet
y=target/release/yuma
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for s in $(seq 1 100); do
  d="$work/folders/e$s"
  mkdir -p "$d"
  flags=""
  [ $((s % 2)) = 0 ] && flags="--yuma3"
  # shellcheck disable=SC2086
  "$y" gen --n 256 --validators 64 --seed "$s" $flags -o "$d/snapshot.json"
  "$y" epoch "$d/snapshot.json" --backend cpu -o /dev/null --recorded "$d/recorded.json"
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_runs() {
  local label=$1; shift
  local t=()
  for _ in $(seq 1 "$runs"); do
    rm -rf "$work/out"
    /usr/bin/time -o "$work/t" -f "%e" "$@" >/dev/null 2>&1 || true
    t+=("$(cat "$work/t")")
  done
  echo "$label: runs ${t[*]} s; median $(printf '%s\n' "${t[@]}" | median) s"
}
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
time_runs "yuma validate, 100 folders, n = 256" "$y" validate "$work/folders" --backend cpu
time_runs "yuma batch (compute + write), same 100 snapshots" "$y" batch "$work/folders" -o "$work/out" --backend cpu
