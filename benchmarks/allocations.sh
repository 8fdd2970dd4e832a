#!/usr/bin/env bash
# benchmarks/allocations.sh [--clients=N] [--out=FILE]
# Who allocates per decision, and what the GC costs: the agent (Release build, started with the unit's DOTNET_ lines,
# durable, fresh data directory on 127.0.0.1) under wrk at N clients (default 64); dotnet-counters over 9 s (bytes
# allocated per decision, time in GC pauses, collections per second), then dotnet-trace --profile gc-verbose over 6 s,
# read by benchmarks/allocations (allocation ticks by type, first frame and stack). Writes
# benchmarks/results/profiles/agent-allocations.md. About 1 minute; installs wrk if missing (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
clients=64
out=benchmarks/results/profiles/agent-allocations.md
for arg in "$@"; do
  case $arg in
    --clients=*) clients=${arg#*=} ;;
    --out=*) out=${arg#*=} ;;
    *) echo "allocations.sh: unknown argument '$arg' (usage: benchmarks/allocations.sh [--clients=N] [--out=FILE])" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
work=$(mktemp -d)
trap 'kill $agent 2>/dev/null || true; rm -rf "$work"' EXIT

echo "== building the agent and the trace reader (Release)"
dotnet build -c Release src/CreditEdge.Agent >/dev/null
dotnet build -c Release benchmarks/allocations >/dev/null
(cd benchmarks && dotnet tool restore >/dev/null)

# the bodies: the 200 golden applicants, as benchmarks/compare.sh sends them
python3 - "$work/bodies.txt" <<'PY'
import json, sys
with open("models/default/golden.jsonl") as f, open(sys.argv[1], "w") as out:
    for i, line in enumerate(l for l in f if l.strip()):
        out.write(json.dumps({"applicationId": f"bench-{i:03d}", "features": json.loads(line)["features"]}) + "\n")
PY

# the unit's runtime settings, as on a board
unit_env=$(sed -n 's/^Environment=\(DOTNET_[A-Za-z0-9_]*=.*\)$/\1/p' provisioning/creditedge-agent.service | tr '\n' ' ')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
env $unit_env dotnet src/CreditEdge.Agent/bin/Release/net10.0/creditedge-agent.dll --Api:Urls=$url --DataDirectory="$work/data" \
  --Models:Variant=fp32 --Storage:Durable=true > "$work/agent.log" 2>&1 &
agent=$!
for _ in $(seq 1 200); do curl -sf "$url/readyz" >/dev/null && break; sleep 0.1; done
curl -sf "$url/readyz" >/dev/null || { echo "allocations.sh: the agent did not get ready:" >&2; tail -20 "$work/agent.log" >&2; exit 1; }
load() { WRK_BODIES="$work/bodies.txt" wrk -t2 -c"$clients" -d"$1"s --timeout 10s -s benchmarks/wrk/score.lua "$url"; }

echo "== warm-up, then counters under load ($clients clients)"
load 4 >/dev/null
load 13 > "$work/wrk-counters.txt" &
sleep 2
(cd benchmarks && dotnet dotnet-counters collect -p $agent --counters System.Runtime --format csv -o "$work/counters.csv" \
  --refresh-interval 2 --duration 00:00:00:09 >/dev/null)
wait %2 2>/dev/null || true
rps=$(awk '/Requests\/sec/{print $2}' "$work/wrk-counters.txt")

echo "== allocation trace under load"
load 12 > "$work/wrk-trace.txt" &
sleep 2
(cd benchmarks && dotnet dotnet-trace collect -p $agent --profile gc-verbose --duration 00:00:00:06 -o "$work/alloc.nettrace" >/dev/null)
wait %2 2>/dev/null || true

summary=$(awk -F, -v rps="$rps" '
  /total_allocated/ {a += $NF; na++}
  /gc.pause.time/ {p += $NF; np++}
  /collections/ && /gen0/ {g0 += $NF; n0++}
  /collections/ && /gen2/ {g2 += $NF; n2++}
  END { printf "| %s | %.0f | %.1f %% | %.0f | %.1f |\n", rps, (a/na)/2/rps, 100*(p/np)/2, (g0/n0)/2, (n2 ? (g2/n2)/2 : 0) }' "$work/counters.csv")
{
  echo "# Allocations per decision (issue 11)"
  echo
  echo "Command (from the repository root): \`benchmarks/allocations.sh --clients=$clients\`"
  echo
  echo "- Date (UTC): $(date -u '+%Y-%m-%d %H:%M')"
  echo "- Machine: nproc = $(nproc); $(lscpu | sed -n 's/^Model name: *//p' | head -1); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- Agent: Release build run by \`dotnet\`, durable, fresh data directory, \`--Models:Variant=fp32\`, with the unit's runtime settings: \`${unit_env% }\`"
  echo "- Load: wrk, $clients connections on 127.0.0.1, the 200 golden applicants in turn"
  echo
  echo "dotnet-counters (System.Runtime, 2 s samples over 9 s of load):"
  echo
  echo "| req/s | bytes allocated per decision | time in GC pauses | gen0 collections / s | gen2 collections / s |"
  echo "|---|---|---|---|---|"
  echo "$summary"
  echo
  echo "dotnet-trace (\`--profile gc-verbose\`, 6 s of load), read by \`benchmarks/allocations\`:"
  echo
  dotnet run -c Release --no-build --project benchmarks/allocations -- "$work/alloc.nettrace"
} > "$out"
echo "written to $out"
