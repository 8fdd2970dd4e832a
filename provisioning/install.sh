#!/usr/bin/env bash
# Installs a CreditEdge release (publish-arm64.sh makes it) as the systemd service creditedge-agent. Idempotent: run it
# again to upgrade or repair; an existing /etc/creditedge/agent.json is never overwritten. The .deb's postinst runs it too.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: sudo ./install.sh [--root DIR] [RELEASE]

  RELEASE     an unpacked release directory, or creditedge-<version>-<rid>.tar.gz
              (default: the directory this script is in)
  --root DIR  install into DIR as if it were / (an image being built, a test): no users are created, nothing is
              chowned (files get their modes only) and the agent is enabled offline (systemctl --root), not started

Installs:
  /opt/creditedge/                         the agent, its default model, enroll.sh, this script (0755, root)
  /var/lib/creditedge/                     decisions, keys, model slots (0700, creditedge)
  /etc/creditedge/agent.json               from agent.json.example, only if absent (0640, root:creditedge; dir 0750)
  /etc/systemd/system/creditedge-agent.service
and with systemd running: systemctl daemon-reload, then enable --now (restart when it already runs).
EOF
}

invocation="$0 $*"
die() { echo "install.sh: $*" >&2; exit 1; }

root=
release=
while [ $# -gt 0 ]; do
  case "$1" in
    --root) [ $# -ge 2 ] && [ -n "$2" ] || die "--root needs a directory"; root=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "install.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) [ -z "$release" ] || die "more than one release given ('$release', '$1')"; release=$1; shift ;;
  esac
done

here=$(cd "$(dirname "$0")" && pwd)
release=${release:-$here}
if [ -n "$root" ]; then
  mkdir -p "$root"
  root=$(cd "$root" && pwd)
  [ "$root" != / ] || root=
elif [ "$(id -u)" -ne 0 ]; then
  die "run as root: sudo $invocation"
fi

if [ -f "$release" ]; then
  case "$release" in *.tar.gz|*.tgz) ;; *) die "$release is neither a directory nor a .tar.gz release" ;; esac
  unpacked=$(mktemp -d "${TMPDIR:-/tmp}/creditedge-install.XXXXXX")
  trap 'rm -rf "$unpacked"' EXIT
  tar -xzf "$release" -C "$unpacked" --strip-components=1 --no-same-owner || die "cannot unpack $release"
  release=$unpacked
elif [ -d "$release" ]; then
  release=$(cd "$release" && pwd)
else
  die "no such release: $release"
fi
[ -x "$release/creditedge-agent" ] || die "$release holds no creditedge-agent: give an unpacked release directory or creditedge-<version>-<rid>.tar.gz (./publish-arm64.sh makes them)"
for file in creditedge-agent.service agent.json.example; do
  [ -f "$release/$file" ] || die "$release/$file is missing: is this a release made by publish-arm64.sh?"
done

# On the board itself, refuse an agent built for another CPU (an x64 artefact on a Pi fails later, less clearly).
if [ -z "$root" ]; then
  elf_machine=$(od -An -t u2 -j 18 -N 2 "$release/creditedge-agent" | tr -d ' ')
  case "$elf_machine" in 183) built_for=aarch64 ;; 62) built_for=x86_64 ;; *) built_for="ELF machine $elf_machine" ;; esac
  [ "$built_for" = "$(uname -m)" ] || die "the agent in $release is built for $built_for, this machine is $(uname -m): install the creditedge-*-linux-$( [ "$(uname -m)" = aarch64 ] && echo arm64 || echo x64) release"
fi

# Owners only on a real install: under --root the creditedge user does not exist on the machine writing the files.
if [ -z "$root" ]; then
  as_root=(-o root -g root)
  as_agent=(-o creditedge -g creditedge)
  as_config=(-o root -g creditedge)
  getent group creditedge >/dev/null || groupadd --system creditedge
  id -u creditedge >/dev/null 2>&1 || useradd --system --gid creditedge --home-dir /var/lib/creditedge --no-create-home \
    --shell /usr/sbin/nologin --comment "CreditEdge agent" creditedge
  # The unit's SupplementaryGroups=gpio: Raspberry Pi OS has the group (it owns /dev/gpiochip*); without it the unit fails.
  getent group gpio >/dev/null || groupadd --system gpio
else
  as_root=() as_agent=() as_config=()
fi

mkdir -p "$root/opt" "$root/var/lib" "$root/etc/systemd/system"
install -d -m 0700 "${as_agent[@]}" "$root/var/lib/creditedge"
install -d -m 0750 "${as_config[@]}" "$root/etc/creditedge"

# The release tree replaces /opt/creditedge as a whole (new tree beside it, then two renames): a running agent keeps
# its open files, and no file of an earlier release is left behind. The .deb has already put it there.
opt=$root/opt/creditedge
if [ "$release" != "$opt" ]; then
  rm -rf "$opt.new" "$opt.old"
  install -d -m 0755 "${as_root[@]}" "$opt.new"
  cp -R --preserve=mode,timestamps "$release/." "$opt.new/"
  chmod -R u+rwX,go+rX,go-w "$opt.new"
  [ -n "$root" ] || chown -R root:root "$opt.new"
  [ ! -e "$opt" ] || mv "$opt" "$opt.old"
  mv "$opt.new" "$opt"
  rm -rf "$opt.old"
fi

install -m 0644 "${as_root[@]}" "$release/creditedge-agent.service" "$root/etc/systemd/system/creditedge-agent.service"

config=$root/etc/creditedge/agent.json
if [ -e "$config" ]; then
  echo "kept $config"
else
  install -m 0640 "${as_config[@]}" "$release/agent.json.example" "$config"
  echo "wrote $config from agent.json.example: set DeviceId and Mqtt:Broker"
fi
# No storage key here: the agent creates <DataDirectory>/storage.key (32 random bytes, 0600, its own user) on first
# start, and only when no decision store exists yet (a new key could not open an existing one). Back it up after.

if [ -n "$root" ]; then
  if command -v systemctl >/dev/null 2>&1; then
    systemctl --root="$root" --quiet enable creditedge-agent.service
  fi
  echo "installed into $root (not started)"
elif [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  if systemctl --quiet is-active creditedge-agent.service; then
    systemctl --quiet enable creditedge-agent.service
    systemctl restart creditedge-agent.service
  else
    systemctl --quiet enable --now creditedge-agent.service
  fi
  echo "installed and started: systemctl status creditedge-agent; journalctl -u creditedge-agent"
else
  echo "installed; systemd is not running here: start it later with systemctl enable --now creditedge-agent"
fi
echo "next: /opt/creditedge/enroll.sh (device key and certificate), edit $config, systemctl restart creditedge-agent"
