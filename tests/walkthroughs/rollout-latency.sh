#!/bin/bash
# Scoring latency while a model is pushed: runs RolloutTests.Push_ToAnOnlineDeviceAndOneThatComesLater… N times (default 5)
# and writes each run's median and slowest request (and the rollout step the slowest fell in) to
# benchmarks/results/rollout-latency.md. Two clients score golden applicants throughout; the agent is warmed up first.
# Run after `dotnet build CreditEdge.sln`. The goal (issue 8): no request slower than 10x the median.
set -e
cd "$(dirname "$0")/../.."
runs=${1:-5}
out=benchmarks/results/rollout-latency.md
{
  echo "# Scoring latency during a model push"
  echo
  echo "\`tests/walkthroughs/rollout-latency.sh $runs\` — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), Debug build, test harness, Mosquitto and agent on the same cores."
  echo
  echo "| run | requests | median ms | slowest ms | slowest / median | slowest fell in step |"
  echo "|---|---|---|---|---|---|"
  for i in $(seq 1 "$runs"); do
    log=$(dotnet test tests/CreditEdge.Agent.Tests --no-build --filter "FullyQualifiedName~Push_ToAnOnlineDeviceAndOneThatComesLater" --logger "console;verbosity=detailed" 2>&1)
    line=$(grep -m1 "requests during the push" <<< "$log")
    slow=$(grep -m1 "^ *slow " <<< "$log")
    n=$(sed -E 's/^ *([0-9]+) requests.*/\1/' <<< "$line")
    median=$(sed -E 's/.*median ([0-9.]+) ms.*/\1/' <<< "$line")
    slowest=$(sed -E 's/.*slowest ([0-9.]+) ms.*/\1/' <<< "$line")
    step=$(sed -E 's/.*last event before: ([a-z-]*) .*/\1/' <<< "$slow")
    ratio=$(awk -v s="$slowest" -v m="$median" 'BEGIN { printf "%.1f", s / m }')
    echo "| $i | $n | $median | $slowest | $ratio | ${step:-before any} |"
  done
} > "$out"
cat "$out"
