#!/usr/bin/env bash
# Issue 13's scale simulation (README "The fleet page and the scale simulation"), regenerated whole:
#   benchmarks/office-scale.sh [--devices=1000] [--rate=R] [--duration=S] [--rounds=3] [--workers="1 2 4"] [--out=DIR]
# Starts its own Mosquitto for every round (loopback, free port, persistence on) and its own PostgreSQL cluster (initdb as an unprivileged
# user into a temp dir, pg_ctl on a free loopback port, fsync on), then for each worker count and round: a fresh database,
# the office with N ingest workers, and creditedge-office-sim with --devices simulated devices (each its own MQTT 5 client)
# sending --rate decisions/s for --duration s. Measured from the database afterwards: rows/s (steady window), end-to-end
# lag p50/p99 (received_at − the decision's createdAt, which the simulator sets when it sends), and CPU seconds of
# mosquitto, postgres (every process of the cluster) and the office (from /proc/PID/stat utime+stime). Writes
# benchmarks/results/office-scale.md and office-scale.png (tests/CreditEdge.Benchmarks -- office-scale-report).
# Loopback only. About 6–8 minutes on 2 cores with the defaults.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

devices=1000 rate=4000 duration=10 rounds=3 workers="1 2 4" out="$root/benchmarks/results"
for arg in "$@"; do
  case $arg in
    --devices=*) devices=${arg#*=} ;;
    --rate=*) rate=${arg#*=} ;;
    --duration=*) duration=${arg#*=} ;;
    --rounds=*) rounds=${arg#*=} ;;
    --workers=*) workers=${arg#*=} ;;
    --out=*) out=${arg#*=} ;;
    *) echo "office-scale.sh: unknown argument '$arg' (usage: benchmarks/office-scale.sh [--devices=N] [--rate=R] [--duration=S] [--rounds=N] [--workers=\"1 2 4\"] [--out=DIR])" >&2; exit 2 ;;
  esac
done

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$pg_bin/initdb" ] || { echo "office-scale.sh: PostgreSQL is missing (apt-get install -y postgresql)" >&2; exit 1; }
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || { echo "office-scale.sh: mosquitto is missing (apt-get install -y mosquitto)" >&2; exit 1; }
mosquitto_bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
psql_bin="$pg_bin/psql"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
ticks() { # utime+stime of the given pids, in clock ticks (pids that are gone count 0)
  local sum=0 pid f
  for pid in "$@"; do
    if f=$(cat "/proc/$pid/stat" 2>/dev/null); then
      f=${f##*) }  # fields after the command name: state is field 3, utime 14, stime 15
      set -- $f
      sum=$((sum + ${12} + ${13}))
    fi
  done
  echo $sum
}
pg_pids() { echo "$pg_master" $(pgrep -P "$pg_master" || true); }

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
work=$(mktemp -d /tmp/office-scale.XXXXXX)
chmod 755 "$work" # the cluster runs as an unprivileged user who must reach its directories
mosquitto_pid="" pg_master="" office_pid=""
cleanup() {
  [ -n "$office_pid" ] && kill "$office_pid" 2>/dev/null || true
  [ -n "$mosquitto_pid" ] && kill "$mosquitto_pid" 2>/dev/null || true
  if [ -n "$pg_master" ]; then
    runuser -u "$pg_user" -- "$pg_bin/pg_ctl" -D "$work/pg" stop -m fast >/dev/null 2>&1 || kill "$pg_master" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ "${OFFICE_SCALE_NO_BUILD:-}" != 1 ]; then
echo "== Release builds: office, simulator, report"
dotnet build -c Release src/CreditEdge.Office -nologo -v q
dotnet build -c Release src/CreditEdge.Office.Simulation -nologo -v q
dotnet build -c Release tests/CreditEdge.Benchmarks -nologo -v q
fi
office_dll="$root/src/CreditEdge.Office/bin/Release/net10.0/creditedge-office.dll"
sim_dll="$root/src/CreditEdge.Office.Simulation/bin/Release/net10.0/creditedge-office-sim.dll"

echo "== PostgreSQL cluster (initdb as an unprivileged user, loopback, fsync on)"
pg_user=nobody
pg_port=$(free_port)
mkdir -p "$work/pg" "$work/pgsock"
chown "$pg_user" "$work/pg" "$work/pgsock"
chmod 700 "$work/pg"
runuser -u "$pg_user" -- "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 --no-instructions >/dev/null
runuser -u "$pg_user" -- "$pg_bin/pg_ctl" -D "$work/pg" -w -l "$work/pgsock/log" \
  -o "-p $pg_port -k $work/pgsock -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=100 -c shared_buffers=256MB" start >/dev/null
pg_master=$(head -1 "$work/pg/postmaster.pid")
psql() { "$psql_bin" -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

# a fresh broker for every round: no retained messages or shared-subscription sessions left by the previous round
# (Mosquitto keeps queuing a share of the group's messages for a member whose session outlives it: README "Beyond one broker")
start_mosquitto() {
  local dir="$work/mosquitto-$1"
  mq_port=$(free_port)
  mkdir -p "$dir"
  cat > "$dir/mosquitto.conf" <<CONF
listener $mq_port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $dir/
autosave_interval 60
# the office's shared-subscription sessions queue whatever the ingest has not taken yet: no cap, so nothing is dropped
max_queued_messages 0
CONF
  "$mosquitto_bin" -c "$dir/mosquitto.conf" >"$dir/log" 2>&1 &
  mosquitto_pid=$!
  sleep 0.3
}

results="$work/results.tsv"
printf 'workers\tround\tsent\trows\tduplicates\trows_per_s\tlag_p50_ms\tlag_p99_ms\tsent_per_s\twall_s\tmosquitto_cpu_s\tpostgres_cpu_s\toffice_cpu_s\tsimulator_cpu_s\n' >"$results"
clk=$(getconf CLK_TCK)
for n in $workers; do
  for r in $(seq 1 "$rounds"); do
    db="scale_w${n}_r${r}"
    start_mosquitto "$db"
    psql -d postgres -c "CREATE DATABASE $db"
    conn="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$db"
    http_port=$(free_port)
    dotnet "$office_dll" --Office:Broker="mqtt://127.0.0.1:$mq_port" --Office:Database="$conn" --Office:Workers="$n" \
      --Office:Urls="http://127.0.0.1:$http_port" >"$work/office-$db.log" 2>&1 &
    office_pid=$!
    for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
    curl -fs "http://127.0.0.1:$http_port/readyz" >/dev/null || { echo "office-scale.sh: the office did not get ready (log: $work/office-$db.log)" >&2; tail -20 "$work/office-$db.log" >&2; exit 1; }

    t0=$(date +%s.%N); m0=$(ticks "$mosquitto_pid"); p0=$(ticks $(pg_pids)); o0=$(ticks "$office_pid")
    report=$(dotnet "$sim_dll" simulate --broker "mqtt://127.0.0.1:$mq_port" --devices "$devices" --rate "$rate" \
      --duration "00:00:$(printf '%02d' "$duration")" --telemetry-interval 00:00:10 --prefix "w${n}r${r}-" --package models/default \
      2>>"$work/sim.log")
    sent=$(echo "$report" | python3 -c 'import json,sys; print(json.load(sys.stdin)["decisionsAcknowledged"])')
    sent_rate=$(echo "$report" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["sentPerSecond"],1))')
    sim_cpu=$(echo "$report" | python3 -c 'import json,sys; h,m,s=json.load(sys.stdin)["processorTime"].split(":"); print(round(int(h)*3600+int(m)*60+float(s),2))')
    # drained: every acknowledged decision is a row (or 120 s passed: the table then shows the shortfall)
    drain_end=$((SECONDS + 120))
    while :; do
      rows=$(psql -d "$db" -c "SELECT count(*) FROM decisions")
      { [ "$rows" -ge "$sent" ] || [ $SECONDS -ge $drain_end ]; } && break
      sleep 0.1
    done
    t1=$(date +%s.%N); m1=$(ticks "$mosquitto_pid"); p1=$(ticks $(pg_pids)); o1=$(ticks "$office_pid")
    dup=$(psql -d "$db" -c "SELECT count(*) - count(DISTINCT decision_id) FROM decisions")
    steady=$(psql -d "$db" -c "
      WITH w AS (SELECT min(received_at) + interval '1 second' AS lo, max(received_at) - interval '1 second' AS hi FROM decisions)
      SELECT round(count(*) / greatest(extract(epoch FROM max(w.hi) - max(w.lo)), 0.001), 1)
      FROM decisions, w WHERE received_at BETWEEN w.lo AND w.hi")
    lag=$(psql -d "$db" -F ' ' -c "
      SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 1), round(percentile_cont(0.99) WITHIN GROUP (ORDER BY x)::numeric, 1)
      FROM (SELECT extract(epoch FROM received_at - created_at) * 1000 AS x FROM decisions) l")
    wall=$(python3 -c "print(round($t1 - $t0, 2))")
    cpu() { python3 -c "print(round(($2 - $1) / $clk, 2))"; }
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$r" "$sent" "$rows" "$dup" "$steady" ${lag% *} ${lag#* } "$sent_rate" "$wall" \
      "$(cpu "$m0" "$m1")" "$(cpu "$p0" "$p1")" "$(cpu "$o0" "$o1")" "$sim_cpu" | tee -a "$results"
    stalls=$(grep -c "receive path stalled" "$work/office-$db.log" || true)
    [ "${stalls:-0}" -eq 0 ] || echo "  workers=$n round=$r: the office replaced $stalls connection(s) whose echo probe did not return" >&2

    kill "$office_pid"; wait "$office_pid" 2>/dev/null || true; office_pid=""
    kill "$mosquitto_pid"; wait "$mosquitto_pid" 2>/dev/null || true; mosquitto_pid=""
    psql -d postgres -c "DROP DATABASE $db"
  done
done

mkdir -p "$out"
dotnet tests/CreditEdge.Benchmarks/bin/Release/net10.0/CreditEdge.Benchmarks.dll office-scale-report "$results" "$out" \
  "benchmarks/office-scale.sh $*" "$devices" "$rate" "$duration" "$load_at_start"
