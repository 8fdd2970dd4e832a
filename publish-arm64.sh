#!/usr/bin/env bash
# Builds the release artefact for a board: the agent (self-contained, for 64-bit ARM by default) with the default model
# beside it, the systemd unit, install.sh, enroll.sh, agent.json.example and the README's "On a board" section.
#   OUT (default artifacts/<rid>)                    the unpacked tree; OUT/creditedge-agent is the agent
#   ARTIFACTS/creditedge-<version>-<rid>.tar.gz      the same tree under creditedge-<version>-<rid>/
#   ARTIFACTS/creditedge_<version>_<arch>.deb        installs it to /opt/creditedge; its postinst runs install.sh
# The default layout was chosen by measurement; the others exist to measure them (benchmarks/release-artefact.sh,
# benchmarks/results/release-artefact.md).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: ./publish-arm64.sh [--rid RID] [--version VERSION] [--layout LAYOUT] [--artifacts DIR] [--no-package] [OUT]

  --rid RID          linux-arm64 (default: Raspberry Pi 4/5, Jetson) or linux-x64
  --version VERSION  release version (default: 0.1.0, plus +g<commit> in a git checkout); must start with a digit
  --layout LAYOUT    single-file-r2r (default): self-contained single file, ONNX Runtime's .so beside it, the runtime,
                     framework and agent precompiled together (ReadyToRun; for a single file the SDK makes one
                     composite image)
                     single-file, single-file-compressed, trimmed, framework-dependent: the measured alternatives
  --artifacts DIR    where the tarball and the .deb go (default: artifacts)
  --no-package       only publish the tree to OUT (no tarball, no .deb)
  OUT                the unpacked release tree (default: artifacts/<rid>); replaced if it holds an earlier one
EOF
}

here=$(cd "$(dirname "$0")" && pwd)
rid=linux-arm64
version=
layout=single-file-r2r
artifacts=
package=true
out=
while [ $# -gt 0 ]; do
  case "$1" in
    --rid) rid=${2:?--rid needs a value}; shift 2 ;;
    --version) version=${2:?--version needs a value}; shift 2 ;;
    --layout) layout=${2:?--layout needs a value}; shift 2 ;;
    --artifacts) artifacts=${2:?--artifacts needs a directory}; shift 2 ;;
    --no-package) package=false; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "publish-arm64.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) [ -z "$out" ] || { echo "publish-arm64.sh: more than one output directory ('$out', '$1')" >&2; exit 2; }; out=$1; shift ;;
  esac
done

case "$rid" in
  linux-arm64) deb_arch=arm64 ;;
  linux-x64) deb_arch=amd64 ;;
  *) echo "publish-arm64.sh: --rid must be linux-arm64 or linux-x64, not '$rid'" >&2; exit 2 ;;
esac

# Every layout is a Release publish without symbols; they differ in these MSBuild properties.
common=(-p:DebugType=none -p:IncludeSourceRevisionInInformationalVersion=false)
single=(--self-contained true -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=false)
case "$layout" in
  single-file) props=("${single[@]}") ;;
  single-file-compressed) props=("${single[@]}" -p:EnableCompressionInSingleFile=true) ;;
  single-file-r2r) props=("${single[@]}" -p:PublishReadyToRun=true) ;;
  # Trim warnings are errors in this repository (TreatWarningsAsErrors): the compile-time analyzer stops at
  # ValidateDataAnnotations (RequiresUnreferencedCode) and StoreEngine's reflection into LiteDB. Shown, not fatal, here
  # (one line per call site) so the trimmed agent can be built and measured at all.
  trimmed) props=("${single[@]}" -p:PublishTrimmed=true -p:EnableTrimAnalyzer=false -p:ILLinkTreatWarningsAsErrors=false -p:TrimmerSingleWarn=false) ;;
  framework-dependent) props=(--self-contained false -p:PublishSingleFile=false) ;;
  *) echo "publish-arm64.sh: unknown --layout '$layout'" >&2; usage >&2; exit 2 ;;
esac

if [ -z "$version" ]; then
  version=0.1.0
  if commit=$(git -C "$here" rev-parse --short=7 HEAD 2>/dev/null); then version="$version+g$commit"; fi
fi
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || { echo "publish-arm64.sh: version '$version' must start with a digit and hold only letters, digits, '.', '+', '~'" >&2; exit 2; }
numeric_version=${version%%[+~]*}

out=${out:-$here/artifacts/$rid}
artifacts=${artifacts:-$here/artifacts}
provisioning=$here/provisioning
for f in creditedge-agent.service install.sh enroll.sh agent.json.example deb/control deb/postinst deb/prerm deb/postrm; do
  [ "$package" = false ] || [ -f "$provisioning/$f" ] || { echo "publish-arm64.sh: $provisioning/$f is missing" >&2; exit 1; }
done
# OUT is replaced as a whole: the SDK's incremental publish into a used directory deletes files it did not copy again
# this time (PreserveNewest), which once left an agent without its model and ONNX Runtime. Refuse to delete anything
# that is not an earlier release tree.
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -e "$out/creditedge-agent" ] && [ ! -e "$out/creditedge-agent.dll" ]; then
  echo "publish-arm64.sh: $out is not empty and holds no earlier release; choose an empty or new directory" >&2
  exit 1
fi

# The SDK's ReadyToRun step is incremental by file dates alone: it could reuse images compiled for other settings (an
# earlier version's, another layout's). Each publish compiles its own.
rm -rf "$here/src/CreditEdge.Agent/obj/Release/net10.0/$rid/R2R"
work=$(mktemp -d "${TMPDIR:-/tmp}/creditedge-publish.XXXXXX")
trap 'rm -rf "$work"' EXIT
dotnet publish "$here/src/CreditEdge.Agent/CreditEdge.Agent.csproj" \
  -c Release -r "$rid" "${props[@]}" "${common[@]}" \
  -p:Version="$numeric_version" -p:InformationalVersion="$version" \
  -o "$work/publish"

# ONNX Runtime's package drops its Windows binaries (onnxruntime.dll, …) into some Linux publishes; a board never loads
# them. Every PE file that is not a .NET assembly goes, whatever its name.
is_managed_pe() {
  local lfanew magic dir
  lfanew=$(od -An -t u4 -j 60 -N 4 "$1" | tr -d ' ')
  magic=$(od -An -t u2 -j $((lfanew + 24)) -N 2 "$1" | tr -d ' ')
  case "$magic" in 267) dir=$((lfanew + 24 + 96 + 14 * 8)) ;; 523) dir=$((lfanew + 24 + 112 + 14 * 8)) ;; *) return 1 ;; esac
  [ "$(od -An -t u4 -j "$dir" -N 4 "$1" | tr -d ' ')" != 0 ] # the CLR runtime header's address
}
while IFS= read -r -d '' file; do
  if [ "$(head -c 2 "$file")" = MZ ] && ! is_managed_pe "$file"; then rm -f "$file"; echo "removed Windows binary ${file#"$work/publish/"}"; fi
done < <(find "$work/publish" -type f -print0)
find "$work/publish" -name '*.lib' -delete

[ -f "$work/publish/models/default/manifest.json" ] || { echo "publish-arm64.sh: the publish has no models/default/manifest.json" >&2; exit 1; }
[ -f "$work/publish/libonnxruntime.so" ] || { echo "publish-arm64.sh: the publish has no libonnxruntime.so" >&2; exit 1; }

if [ "$package" = true ]; then
  install -m 0644 "$provisioning/creditedge-agent.service" "$provisioning/agent.json.example" "$work/publish/"
  install -m 0755 "$provisioning/install.sh" "$provisioning/enroll.sh" "$work/publish/"
  # The README's "On a board" section (up to the next top-level heading): the unit's Documentation= points at it.
  awk '/^## On a board/ { on = 1 } on && /^## / && !/^## On a board/ { exit } on' "$here/README.md" > "$work/publish/README.md"
  [ -s "$work/publish/README.md" ] || { echo "publish-arm64.sh: README.md has no '## On a board' section" >&2; exit 1; }
  printf '%s %s %s\n' "$version" "$rid" "$layout" > "$work/publish/VERSION"
fi
chmod -R u+rwX,go+rX,go-w "$work/publish"

rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -a "$work/publish" "$out"
echo "published $rid ($layout) to $out:"
ls -la "$out"
[ "$package" = true ] || exit 0

mkdir -p "$artifacts"
name=creditedge-$version-$rid
tarball=$artifacts/$name.tar.gz
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$out" --transform "s|^\.|$name|" -czf "$tarball" .

# The .deb holds the same tree in /opt/creditedge; its maintainer scripts run that tree's install.sh.
deb=$artifacts/creditedge_${version}_$deb_arch.deb
root=$work/deb
mkdir -p "$root/DEBIAN" "$root/opt"
cp -a "$out" "$root/opt/creditedge"
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$deb_arch|" -e "s|@INSTALLED_SIZE@|$(du -sk "$root/opt" | cut -f1)|" \
  "$provisioning/deb/control" > "$root/DEBIAN/control"
install -m 0755 "$provisioning/deb/postinst" "$provisioning/deb/prerm" "$provisioning/deb/postrm" "$root/DEBIAN/"
command -v dpkg-deb >/dev/null 2>&1 || { echo "publish-arm64.sh: dpkg-deb not found: apt-get install dpkg (or pass --no-package)" >&2; exit 1; }
# gzip, not dpkg's default xz: on the single-file tree xz took 43 s on two cores for 42 MB, gzip 7 s for 57 MB.
dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" >/dev/null
echo "artefacts:"
ls -la "$tarball" "$deb"
