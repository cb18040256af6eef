#!/usr/bin/env bash
# Installs everything Tracehouse needs to build and test on Debian 12, and nothing when it is all
# there already: Debian packages (apt-get update runs once, only when something is missing), and
# the pinned npm packages of the end-to-end tests (from tests/e2e/package-lock.json).
#
# Some packages ship daemons (memcached, the Swift servers of the S3 backend tests): they are
# installed with a temporary /usr/sbin/policy-rc.d that exits 101, so no system-wide service is
# started; tests run their own instances on loopback (scripts/s3-test-server.sh). An existing
# policy-rc.d is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates
  clang libclang-rt-14-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libboost1.74-dev libsimdjson-dev libre2-dev libyaml-cpp-dev zlib1g-dev
  libzstd-dev liblz4-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-openssl-dev libssl-dev openssl libexpat1-dev
  swift swift-proxy swift-account swift-container swift-object memcached
  nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# npm may come from NodeSource rather than Debian; a working npm on PATH is enough.
if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
  missing=("${missing[@]/npm}")
  missing=("${missing[@]/nodejs}")
  read -r -a missing <<< "${missing[*]}"
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  policy=/usr/sbin/policy-rc.d
  remove_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
    "${sudo_cmd[@]}" chmod 755 "$policy"
    remove_policy=1
    trap '"${sudo_cmd[@]}" rm -f "$policy"' EXIT
  fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if [ "$remove_policy" -eq 1 ]; then
    "${sudo_cmd[@]}" rm -f "$policy"
    trap - EXIT
  fi
fi

# End-to-end test clients, pinned by the lockfile. Reinstalled only when the lockfile changes.
if [ -f tests/e2e/package-lock.json ]; then
  stamp=tests/e2e/node_modules/.lock-stamp
  if [ ! -f "$stamp" ] || ! cmp -s tests/e2e/package-lock.json "$stamp"; then
    echo "install-deps: npm ci in tests/e2e"
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
    cp tests/e2e/package-lock.json "$stamp"
  fi
fi
