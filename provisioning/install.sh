#!/usr/bin/env bash
# Installs a linux-arm64 publish (see publish-arm64.sh) as a systemd service on a board.
# Usage: sudo provisioning/install.sh artifacts/linux-arm64
set -euo pipefail
src=${1:?usage: install.sh PUBLISH_DIR}
here=$(cd "$(dirname "$0")" && pwd)

id creditedge >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin creditedge
getent group gpio >/dev/null || groupadd --system gpio
install -d -m 0755 /opt/creditedge
cp -a "$src"/. /opt/creditedge/
install -d -m 0750 -o root -g creditedge /etc/creditedge
[ -f /etc/creditedge/agent.json ] || install -m 0640 -o root -g creditedge "$here/agent.json.example" /etc/creditedge/agent.json
install -m 0644 "$here/creditedge-agent.service" /etc/systemd/system/creditedge-agent.service
systemctl daemon-reload
systemctl enable --now creditedge-agent
echo "installed; edit /etc/creditedge/agent.json (DeviceId, Mqtt:Broker) and: systemctl restart creditedge-agent"
