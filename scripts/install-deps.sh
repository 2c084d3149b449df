#!/usr/bin/env bash
# Installs what Switchboard needs to build and test on Debian 12: apt packages (only the missing ones;
# clang and its sanitizer runtime for `make sanitize`; debootstrap for scripts/check-deb-install.sh)
# (chromium: the browser of the end-to-end tests, driven by playwright-core) and the npm test peers pinned
# by package-lock.json. Safe to run again; does nothing when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  g++ cmake make pkg-config ccache dpkg-dev file
  clang libclang-rt-14-dev
  libboost-dev libboost-system-dev libssl-dev
  libsimdjson-dev nlohmann-json3-dev libmsgpack-cxx-dev libhiredis-dev
  libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  liburing-dev
  nodejs npm python3 redis-server curl
  debootstrap
  chromium
  mono-mcs mono-runtime libmono-system-net-http4.0-cil libmono-system-runtime-serialization4.0-cil
  openjdk-17-jdk-headless libjackson2-databind-java
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    # nodejs/npm may come from elsewhere (e.g. a preinstalled Node 20): accept a working binary.
    case "$pkg" in
      nodejs) command -v node >/dev/null && continue ;;
      npm) command -v npm >/dev/null && continue ;;
      python3) command -v python3 >/dev/null && continue ;;
    esac
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ ! -d node_modules/@microsoft/signalr ]] || [[ ! -d node_modules/playwright-core ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "install-deps: installing npm test peers"
  npm ci --no-audit --no-fund --loglevel=error
fi
