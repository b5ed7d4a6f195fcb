#!/usr/bin/env bash
# Installs everything rotguard needs to build, test and run its demo on a
# fresh Debian 12 machine. Idempotent: does nothing when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libcurl4-openssl-dev libssl-dev libsqlite3-dev libarchive-dev
  libspdlog-dev libfmt-dev zlib1g-dev libdeflate-dev libisal-dev libcli11-dev
  libtomlplusplus-dev nlohmann-json3-dev libgumbo-dev libmd4c-dev
  libmd4c-html0-dev libidn2-dev libgtest-dev libgmock-dev libbenchmark-dev
  wget curl openssl python3 sqlite3 clang-format
  time
  chromium
  libbrotli-dev
  libyaml-dev
  libre2-dev
  libexpat1-dev
  libxml2-utils
  libpq-dev postgresql
  systemd groff-base file dpkg-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "ok installed" >/dev/null || missing+=("$p")
done
# Node.js may come from another repository (NodeSource); only install
# Debian's when no node is on PATH at all.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm test tooling (warcio for interop tests), pinned by package-lock.json.
if [ -f tools/interop/package.json ]; then
  if [ ! -d tools/interop/node_modules ] || [ tools/interop/package-lock.json -nt tools/interop/node_modules ]; then
    (cd tools/interop && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
# Browser tests (ReplayWeb.page and playwright-core for restore/WACZ),
# pinned by tools/browser/package-lock.json; never downloads a browser.
if [ -f tools/browser/package.json ]; then
  if [ ! -d tools/browser/node_modules ] || [ tools/browser/package-lock.json -nt tools/browser/node_modules ]; then
    (cd tools/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
