#!/usr/bin/env bash
# The agent-vs-Node comparison of issue 11, regenerated whole (benchmarks/README.md, "Agent vs Node.js peer"):
#   benchmarks/compare.sh [--quick] [--profile] [--rounds=N]
# Installs Debian's wrk if missing (and strace for --profile), installs the Node peer's packages (npm ci in
# tests/node-peer), publishes the agent as it ships (./publish-arm64.sh --rid linux-x64, into artifacts/compare) and builds
# the hello world and the harness in Release, then runs the harness
# (tests/CreditEdge.Benchmarks -- compare), which writes benchmarks/results/comparison.md and comparison.png
# (--quick: comparison-quick.md/.png, one short round, for trying it). Loopback only. Under 10 minutes on 2 cores.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

profile=false
for arg in "$@"; do
  case $arg in
    --quick | --rounds=* | --out=* | --agent=* | --hello=* | --peer=*) ;;
    --profile) profile=true ;;
    *) echo "compare.sh: unknown argument '$arg' (usage: benchmarks/compare.sh [--quick] [--profile] [--rounds=N] [--out=DIR])" >&2; exit 2 ;;
  esac
done

need_apt() {
  local missing=()
  for pkg in "$@"; do command -v "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]} (apt)"
    if [ "$(id -u)" -ne 0 ]; then
      echo "compare.sh: ${missing[*]} missing and not root: sudo apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
    apt-get install -y "${missing[@]}" >/dev/null || { apt-get update >/dev/null && apt-get install -y "${missing[@]}" >/dev/null; }
  fi
}

command -v node >/dev/null || { echo "compare.sh: node (>= 20) is needed for the peer: apt-get install -y nodejs npm" >&2; exit 1; }
need_apt wrk
if $profile; then
  need_apt strace
  echo "== dotnet-counters (local tool, benchmarks/dotnet-tools.json)"
  (cd benchmarks && dotnet tool restore >/dev/null) || echo "compare.sh: dotnet tool restore failed; the report will say dotnet-counters is missing" >&2
fi

echo "== Node peer packages"
# --ignore-scripts: onnxruntime-node's postinstall only fetches GPU providers from the internet; the CPU build is in the package
if (cd tests/node-peer && npm ls --omit=dev >/dev/null 2>&1); then
  echo "   already installed as package-lock.json says"
else
  (cd tests/node-peer && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

echo "== the agent's release artefact for linux-x64 (./publish-arm64.sh --rid linux-x64 --no-package artifacts/compare)"
./publish-arm64.sh --rid linux-x64 --no-package artifacts/compare >/dev/null
echo "== Release builds: hello world, harness"
dotnet build -c Release benchmarks/hello -nologo -v q
dotnet build -c Release tests/CreditEdge.Benchmarks -nologo -v q

echo "== measuring"
exec dotnet tests/CreditEdge.Benchmarks/bin/Release/net10.0/CreditEdge.Benchmarks.dll compare --agent=artifacts/compare/creditedge-agent "$@"
