#!/usr/bin/env bash
# Measures each release layout publish-arm64.sh offers: unpacked size and tarball size for linux-x64 and linux-arm64,
# and start-to-ready on this (x64) machine: process start until GET /readyz answers 200, polled every 10 ms, for a first
# start (empty data directory: key, salt, store and the variant trial are made) and a restart (the same directory again).
# All layouts are published first; then the runs go round-robin over the layouts, so a busy machine slows them alike.
# Prints Markdown for benchmarks/results/release-artefact.md, with the 1-minute load average before and after the runs.
# Publishes into the repository's obj folders: do not run it while tests or builds run in the same checkout.
# Usage: benchmarks/release-artefact.sh [RUNS] [LAYOUT...]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shift || true
layouts=("$@")
[ ${#layouts[@]} -gt 0 ] || layouts=(single-file-r2r single-file single-file-compressed trimmed framework-dependent)
work=$(mktemp -d "${TMPDIR:-/tmp}/creditedge-artefact-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# start_to_ready TREE DATA: milliseconds from exec until /readyz is 200 ("fail" if never); the agent is stopped after.
start_to_ready() {
  local tree=$1 data=$2 start now pid code
  start=$(date +%s%N)
  "$tree/creditedge-agent" --DataDirectory="$data" --Api:Urls="http://127.0.0.1:$port" --DeviceId=bench >"$work/agent.log" 2>&1 &
  pid=$!
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)
    [ "$code" = 200 ] && break
    if ! kill -0 "$pid" 2>/dev/null || [ $(( ($(date +%s%N) - start) / 1000000 )) -gt 60000 ]; then
      kill "$pid" 2>/dev/null || true
      echo "$tree: not ready:" >&2
      tail -n 20 "$work/agent.log" >&2
      echo fail
      return
    fi
    sleep 0.01
  done
  now=$(date +%s%N)
  kill -TERM "$pid"
  wait "$pid" || true
  echo $(( (now - start) / 1000000 ))
}

stats() { sort -n | awk '{ v[NR] = $1 } END { printf "%d / %d / %d", v[1], v[int((NR + 1) / 2)], v[NR] }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
load() { cut -d' ' -f1 /proc/loadavg; }

declare -A sizes
for layout in "${layouts[@]}"; do
  for rid in linux-x64 linux-arm64; do
    if ./publish-arm64.sh --rid "$rid" --layout "$layout" --version 0.0.0 --artifacts "$work/$layout" "$work/$layout/$rid" >"$work/$layout-$rid.log" 2>&1; then
      sizes[$layout-$rid]="$(mib "$(du -sb "$work/$layout/$rid" | cut -f1)") | $(mib "$(stat -c %s "$work/$layout/creditedge-0.0.0-$rid.tar.gz")")"
    else
      sizes[$layout-$rid]="publish failed | –"
      grep -E " error " "$work/$layout-$rid.log" | sed 's/ \[.*//' | sort -u | head -n 5 >&2 || true
    fi
  done
done

before=$(load)
for round in $(seq 1 "$runs"); do
  for layout in "${layouts[@]}"; do
    tree=$work/$layout/linux-x64
    [ -x "$tree/creditedge-agent" ] || continue
    echo "$(start_to_ready "$tree" "$work/data-$layout-$round")" >>"$work/$layout.first"
    echo "$(start_to_ready "$tree" "$work/data-$layout-$round")" >>"$work/$layout.restart"
  done
done
after=$(load)

echo "| layout | x64 unpacked | x64 tarball | arm64 unpacked | arm64 tarball | x64 first start, ms (min / median / max) | x64 restart, ms (min / median / max) |"
echo "|---|---|---|---|---|---|---|"
for layout in "${layouts[@]}"; do
  row="| $layout | ${sizes[$layout-linux-x64]} | ${sizes[$layout-linux-arm64]}"
  if [ ! -f "$work/$layout.first" ]; then
    row+=" | – | –"
  elif grep -q fail "$work/$layout.first" "$work/$layout.restart"; then
    row+=" | not ready | not ready"
  else
    row+=" | $(stats <"$work/$layout.first") | $(stats <"$work/$layout.restart")"
  fi
  echo "$row |"
done
echo
echo "$runs runs per layout, round-robin; load average (1 min) $before before the runs, $after after; $(nproc) CPUs."
