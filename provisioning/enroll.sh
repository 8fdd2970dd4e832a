#!/usr/bin/env bash
# Enrols a board with the fleet: its TLS identity for the broker (EC P-256 key and a CSR whose CN is the DeviceId — the
# broker's use_identity_as_username makes the CN the MQTT user name the ACL sees), optionally signed by a development
# CA, and the operator's package-signing public key in the agent's trust directory. Idempotent: an existing device key
# and development CA are kept. Run after install.sh.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: sudo ./enroll.sh [--device-id ID] [--dev-ca DIR [--broker-host NAME]...] [--trust FILE] [--data-dir DIR] [--root DIR]

  --device-id ID      the device's id (default: DeviceId in /etc/creditedge/agent.json); when given and different,
                      agent.json's DeviceId is set to it: the certificate's CN and the DeviceId must be the same
  --dev-ca DIR        development only: a CA in DIR (created if absent: ca.key, ca.crt) signs the device's certificate
                      and a broker certificate (DIR/broker.key, DIR/broker.crt) for Mosquitto's TLS listener
  --broker-host NAME  a DNS name or IP address of the broker for its certificate (repeatable; localhost and 127.0.0.1
                      are always in it); given, the broker certificate is issued again
  --trust FILE        the operator's package-signing public key (PEM, SubjectPublicKeyInfo; cedge keys generate writes
                      signing.pub.pem): copied into <data dir>/trust, where the agent requires package signatures by it
  --data-dir DIR      the agent's DataDirectory (default /var/lib/creditedge, as the unit sets it); the trust directory is
                      DIR/trust unless agent.json sets Models:TrustDirectory
  --root DIR          work inside DIR as if it were / (an image being built, a test): nothing is chowned

Writes /etc/creditedge/tls/: device.key (0640 root:creditedge, kept if present), device.csr, and with --dev-ca
device.crt and ca.crt. Without --dev-ca, have the fleet CA sign device.csr and put the certificate at
/etc/creditedge/tls/device.crt and the CA certificate at /etc/creditedge/tls/ca.crt (agent.json.example points there).
EOF
}

invocation="$0 $*"
die() { echo "enroll.sh: $*" >&2; exit 1; }

root=
device_id=
dev_ca=
broker_hosts=()
trust=
data_dir=/var/lib/creditedge
while [ $# -gt 0 ]; do
  case "$1" in
    --device-id) [ $# -ge 2 ] || die "--device-id needs a value"; device_id=$2; shift 2 ;;
    --dev-ca) [ $# -ge 2 ] && [ -n "$2" ] || die "--dev-ca needs a directory"; dev_ca=$2; shift 2 ;;
    --broker-host) [ $# -ge 2 ] && [ -n "$2" ] || die "--broker-host needs a name or address"; broker_hosts+=("$2"); shift 2 ;;
    --trust) [ $# -ge 2 ] && [ -n "$2" ] || die "--trust needs a public key file"; trust=$2; shift 2 ;;
    --data-dir) [ $# -ge 2 ] && [ -n "$2" ] || die "--data-dir needs a directory"; data_dir=$2; shift 2 ;;
    --root) [ $# -ge 2 ] && [ -n "$2" ] || die "--root needs a directory"; root=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "enroll.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[ ${#broker_hosts[@]} -eq 0 ] || [ -n "$dev_ca" ] || die "--broker-host only makes sense with --dev-ca"
command -v openssl >/dev/null 2>&1 || die "openssl is missing: apt-get install openssl"

# The trust anchor is checked before anything is written.
if [ -n "$trust" ]; then
  [ -f "$trust" ] || die "no such file: $trust"
  ! grep -q "PRIVATE KEY" "$trust" || die "$trust holds a private key: give the public key (signing.pub.pem); the signing key never goes to a device"
  openssl pkey -pubin -in "$trust" -noout 2>/dev/null || die "$trust is not a PEM public key (SubjectPublicKeyInfo)"
fi

if [ -n "$root" ]; then
  [ -d "$root" ] || die "--root $root is not a directory"
  root=$(cd "$root" && pwd)
  [ "$root" != / ] || root=
elif [ "$(id -u)" -ne 0 ]; then
  die "run as root: sudo $invocation"
fi
config_dir=$root/etc/creditedge
config=$config_dir/agent.json
[ -d "$config_dir" ] || die "$config_dir does not exist: run install.sh first"
if [ -z "$root" ]; then
  getent group creditedge >/dev/null || die "there is no group creditedge: run install.sh first"
  as_config=(-o root -g creditedge)
else
  as_config=()
fi

# The DeviceId: given, or agent.json's. The template's placeholder is refused: every board would enrol as it.
configured_id=
if [ -f "$config" ]; then
  configured_id=$(sed -n 's/^[[:space:]]*"DeviceId"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$config" | head -n 1)
fi
here=$(cd "$(dirname "$0")" && pwd)
template_id=
if [ -f "$here/agent.json.example" ]; then
  template_id=$(sed -n 's/^[[:space:]]*"DeviceId"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$here/agent.json.example" | head -n 1)
fi
if [ -z "$device_id" ]; then
  [ -n "$configured_id" ] || die "no DeviceId in $config: pass --device-id ID"
  [ "$configured_id" != "$template_id" ] || die "$config still has the template's DeviceId '$template_id': pass --device-id ID (or set DeviceId there first)"
  device_id=$configured_id
fi
[[ "$device_id" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] || die "device id '$device_id' must be 1-64 letters, digits, '.', '_' or '-' and start with a letter or digit (it appears in MQTT topics)"
if [ -f "$config" ] && [ "$configured_id" != "$device_id" ]; then
  if [ -n "$configured_id" ]; then
    sed -i "0,/\"DeviceId\"[[:space:]]*:[[:space:]]*\"[^\"]*\"/s//\"DeviceId\": \"$device_id\"/" "$config"
    echo "set DeviceId in $config to $device_id (was $configured_id)"
  else
    echo "warning: $config sets no DeviceId; add \"DeviceId\": \"$device_id\" (the agent would use the host name)" >&2
  fi
fi

tls=$config_dir/tls
install -d -m 0750 "${as_config[@]}" "$tls"

# The device key never leaves the board; the agent's user reads it through its group.
if [ -f "$tls/device.key" ]; then
  echo "kept $tls/device.key"
else
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tls/device.key.tmp" 2>/dev/null) \
    || die "openssl could not create an EC P-256 key"
  chmod 0640 "$tls/device.key.tmp"
  [ -n "$root" ] || chown root:creditedge "$tls/device.key.tmp"
  mv "$tls/device.key.tmp" "$tls/device.key"
  echo "wrote $tls/device.key (EC P-256)"
fi
openssl req -new -key "$tls/device.key" -subj "/CN=$device_id" -sha256 -out "$tls/device.csr" 2>/dev/null || die "openssl could not write the CSR"
chmod 0644 "$tls/device.csr"
echo "wrote $tls/device.csr (CN=$device_id)"

if [ -n "$dev_ca" ]; then
  mkdir -p "$dev_ca"
  chmod 0700 "$dev_ca"
  dev_ca=$(cd "$dev_ca" && pwd)
  extensions=$(mktemp "${TMPDIR:-/tmp}/creditedge-enroll.XXXXXX")
  trap 'rm -f "$extensions"' EXIT
  if [ ! -f "$dev_ca/ca.key" ] || [ ! -f "$dev_ca/ca.crt" ]; then
    (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dev_ca/ca.key" 2>/dev/null)
    openssl req -x509 -new -key "$dev_ca/ca.key" -subj "/CN=CreditEdge development CA" -sha256 -days 825 \
      -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -addext "subjectKeyIdentifier=hash" -out "$dev_ca/ca.crt" 2>/dev/null || die "openssl could not create the development CA"
    echo "created the development CA in $dev_ca (ca.key, ca.crt) — never for a production fleet"
  fi

  # sign CSR OUT EXTENSIONS...: a certificate from the development CA, valid 825 days, random serial.
  sign() {
    local csr=$1 cert=$2
    shift 2
    printf '%s\n' "$@" > "$extensions"
    openssl x509 -req -in "$csr" -CA "$dev_ca/ca.crt" -CAkey "$dev_ca/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
      -days 825 -sha256 -extfile "$extensions" -out "$cert.tmp" 2>/dev/null || die "openssl could not sign $cert"
    chmod 0644 "$cert.tmp"
    mv "$cert.tmp" "$cert"
  }
  common=("basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid")

  if [ ! -f "$dev_ca/broker.crt" ] || [ ${#broker_hosts[@]} -gt 0 ]; then
    names=DNS:localhost,IP:127.0.0.1
    for host in "${broker_hosts[@]}"; do
      if [[ "$host" =~ ^[0-9.]+$ || "$host" == *:* ]]; then names+=",IP:$host"; else names+=",DNS:$host"; fi
    done
    [ -f "$dev_ca/broker.key" ] || (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dev_ca/broker.key" 2>/dev/null)
    openssl req -new -key "$dev_ca/broker.key" -subj "/CN=${broker_hosts[0]:-localhost}" -out "$dev_ca/broker.csr" 2>/dev/null
    sign "$dev_ca/broker.csr" "$dev_ca/broker.crt" "${common[@]}" "extendedKeyUsage=serverAuth" "subjectAltName=$names"
    rm -f "$dev_ca/broker.csr"
    echo "wrote $dev_ca/broker.crt ($names)"
  fi

  sign "$tls/device.csr" "$tls/device.crt" "${common[@]}" "extendedKeyUsage=clientAuth"
  openssl verify -CAfile "$dev_ca/ca.crt" "$tls/device.crt" >/dev/null || die "$tls/device.crt does not verify against $dev_ca/ca.crt"
  install -m 0644 "$dev_ca/ca.crt" "$tls/ca.crt"
  [ -n "$root" ] || chown root:creditedge "$tls/device.crt" "$tls/ca.crt"
  echo "wrote $tls/device.crt (CN=$device_id, signed by the development CA) and $tls/ca.crt"
  cat <<EOF
on the broker (provisioning/mosquitto/creditedge.conf expects these paths):
  install -m 0644 $dev_ca/ca.crt /etc/mosquitto/ca_certificates/creditedge-ca.crt
  install -m 0644 $dev_ca/broker.crt /etc/mosquitto/certs/broker.crt
  install -m 0640 -g mosquitto $dev_ca/broker.key /etc/mosquitto/certs/broker.key
EOF
elif [ ! -f "$tls/device.crt" ]; then
  echo "next: have the fleet CA sign $tls/device.csr; put the certificate at $tls/device.crt and the CA's at $tls/ca.crt"
fi

if [ -n "$trust" ]; then
  trust_dir=$root$data_dir/trust
  [ -d "$root$data_dir" ] || die "$root$data_dir does not exist: run install.sh first or pass --data-dir"
  install -d -m 0750 "${as_config[@]}" "$trust_dir"
  name=$(basename "$trust" .pem).pem
  install -m 0640 "${as_config[@]}" "$trust" "$trust_dir/$name"
  echo "wrote $trust_dir/$name: the agent now loads only packages signed by a key in $trust_dir (the default package"
  echo "  in the release is signed only if the release was built from a signed models/default: cedge model sign)"
fi

cat <<EOF
agent.json: DeviceId "$device_id"; Mqtt:Broker "mqtts://<broker>:8883"; Mqtt:CaFile, ClientCertificateFile and
ClientKeyFile as in agent.json.example ($tls/ca.crt, device.crt, device.key). Then: systemctl restart creditedge-agent
EOF
