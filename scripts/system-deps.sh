#!/usr/bin/env bash
# Installs the Debian packages the app and its tests need, when they are missing.
# WeasyPrint needs Pango and HarfBuzz (libharfbuzz-subset0 makes it ~3x faster),
# the letters need fonts, the tests need chromium (Playwright drives it) and
# poppler-utils (pdftoppm), the UI needs node/npm to install USWDS, `make bench` needs wrk
# (the load generator of bench/catalog_api.py).
set -euo pipefail
PKGS=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
      fonts-liberation2 poppler-utils chromium nodejs npm wrk)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm may come from elsewhere (nodesource bundles it with nodejs)
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm}"); missing=("${missing[@]/nodejs}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
