#!/bin/sh
# Installs the Debian packages fleetsim builds with, when any is missing. Idempotent: does
# nothing (and needs no network) when everything is already there.
set -eu

PACKAGES="cmake ninja-build g++ make libboost-graph-dev libspdlog-dev libfmt-dev libyaml-cpp-dev \
libcli11-dev nlohmann-json3-dev zlib1g-dev libbenchmark-dev libgtest-dev libgmock-dev libglpk-dev \
python3-matplotlib libopenmpi-dev openmpi-bin clang-14 libclang-rt-14-dev llvm-14"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

echo "fleetsim: installing missing Debian packages:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "fleetsim: need root or sudo to install:$missing" >&2; exit 1; }
  SUDO="sudo"
fi
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
