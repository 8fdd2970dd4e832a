#!/bin/bash
# The operator's walk-through of README "Operating a rollout", run for real on loopback: a Mosquitto, one agent (kiosk-7),
# keys, signing, a push with shadow trial and probation, status, a rollback. Needs mosquitto, mosquitto-clients, curl, jq.
# Output: benchmarks/results/rollout-walkthrough.txt (the last run).
set -e
cd "$(dirname "$0")/../.."   # the repository; run after `dotnet build CreditEdge.sln`
W=/tmp/walk; rm -rf $W; mkdir -p $W/data/trust
cedge() { dotnet src/CreditEdge.Cli/bin/Debug/net10.0/cedge.dll "$@"; }
PORT=18883
cat > $W/mosquitto.conf <<CONF
listener $PORT 127.0.0.1
allow_anonymous true
persistence true
persistence_location $W/
CONF
mosquitto -c $W/mosquitto.conf -d
sleep 0.5
echo '$ cedge keys generate --out keys'
cedge keys generate --out $W/keys
# the package devices have today, and the new one (here: the default package re-versioned; normally `cedge model build`)
cp -r models/default $W/taiwan-1.1.1
cp -r models/default $W/taiwan-1.2.0
jq '.version = "1.2.0" | .sequence = 5' $W/taiwan-1.2.0/manifest.json > $W/m.json && mv $W/m.json $W/taiwan-1.2.0/manifest.json
echo '$ cedge model sign taiwan-1.1.1 --key keys/signing.key.pem'
cedge model sign $W/taiwan-1.1.1 --key $W/keys/signing.key.pem
echo '$ cedge model sign taiwan-1.2.0 --key keys/signing.key.pem'
cedge model sign $W/taiwan-1.2.0 --key $W/keys/signing.key.pem
cp $W/keys/signing.pub.pem $W/data/trust/operator.pem
dotnet src/CreditEdge.Agent/bin/Debug/net10.0/creditedge-agent.dll --DataDirectory=$W/data --DeviceId=kiosk-7 \
  --ModelDirectory=$W/taiwan-1.1.1 --Mqtt:Broker=mqtt://127.0.0.1:$PORT --Mqtt:Group=branch-north \
  --Api:Urls=http://127.0.0.1:15080 --Logging:LogLevel:Default=Warning > $W/agent.log 2>&1 &
AGENT=$!
until curl -sf http://127.0.0.1:15080/readyz > /dev/null; do sleep 0.2; done
mosquitto_sub -p $PORT -t 'creditedge/devices/+/model/events' > $W/events.jsonl &
SUB=$!
jq -c '{features: .features}' models/default/golden.jsonl > $W/applicants.jsonl   # 200 real applicants, scored in turn
( while true; do while read -r BODY; do curl -s -o /dev/null -H 'Content-Type: application/json' -d "$BODY" http://127.0.0.1:15080/v1/score; done < $W/applicants.jsonl; done ) &
LOAD=$!
echo '$ cedge fleet push taiwan-1.2.0 --broker mqtt://127.0.0.1:18883 --group branch-north --key keys/signing.key.pem --shadow-decisions 100 --probation-decisions 200 --probation-duration 00:00:10'
cedge fleet push $W/taiwan-1.2.0 --broker mqtt://127.0.0.1:$PORT --group branch-north --key $W/keys/signing.key.pem --shadow-decisions 100 --probation-decisions 200 --probation-duration 00:00:10 2>&1
until grep -q '"event":"probation-passed"\|"event":"rolled-back"\|"event":"rejected"' $W/events.jsonl; do sleep 0.5; done
echo '$ mosquitto_sub -t "creditedge/devices/+/model/events"   # what the device reported'
jq -c '{event, sequence, version, progress, check, detail}' $W/events.jsonl
echo '$ curl -s http://127.0.0.1:15080/v1/model | jq .version'
curl -s http://127.0.0.1:15080/v1/model | jq .version
echo '$ cedge fleet status --broker mqtt://127.0.0.1:18883'
cedge fleet status --broker mqtt://127.0.0.1:$PORT
kill $SUB
mosquitto_sub -p $PORT -t 'creditedge/devices/+/model/events' > $W/events2.jsonl &
SUB=$!
sleep 0.3
echo '$ cedge fleet rollback --broker mqtt://127.0.0.1:18883 --group branch-north --to 1.1.1 --package taiwan-1.1.1 --key keys/signing.key.pem'
cedge fleet rollback --broker mqtt://127.0.0.1:$PORT --group branch-north --to 1.1.1 --package $W/taiwan-1.1.1 --key $W/keys/signing.key.pem 2>&1
until grep -q '"event":"active"\|"event":"rejected"' $W/events2.jsonl; do sleep 0.5; done
jq -c '{event, sequence, version, progress, check, detail}' $W/events2.jsonl
echo '$ cedge fleet status --broker mqtt://127.0.0.1:18883'
cedge fleet status --broker mqtt://127.0.0.1:$PORT
kill $LOAD $SUB $AGENT; wait $AGENT 2>/dev/null || true
pkill -f "mosquitto -c $W/mosquitto.conf" || true
