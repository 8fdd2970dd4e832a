#!/usr/bin/env bash
# Publishes the agent for 64-bit ARM boards (Raspberry Pi 4/5, Jetson) as a self-contained single file,
# with the embedded default model beside it. Output: artifacts/linux-arm64/
set -euo pipefail
cd "$(dirname "$0")"
out=${1:-artifacts/linux-arm64}
dotnet publish src/CreditEdge.Agent/CreditEdge.Agent.csproj \
  -c Release -r linux-arm64 --self-contained true \
  -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=false \
  -p:DebugType=none \
  -o "$out"
# ONNX Runtime's package also drops Windows ARM64 binaries into Linux publishes; a board never loads them.
rm -f "$out"/*.dll
echo "published to $out:"; ls -la "$out"
