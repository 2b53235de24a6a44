#!/usr/bin/env bash
# Installs everything the project needs on a Debian machine (as root) into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: Python with venv; LibreOffice (old Word formats, PDF samples, a second Word
# writer for the round-trip tests); Tesseract with Russian data (scans and photos); Chromium
# (the test that opens the comparison report); fonts and Russian hyphenation for rebuilding the
# sample PDFs exactly; Redis (the broker of the service's celery executor: its tests start a
# redis-server of their own on a free loopback port); PostgreSQL (the service's database beside
# SQLite: its tests start a cluster of their own) with libpq, which psycopg loads.
DEBS=(python3 python3-venv python3-pip libreoffice-writer-nogui tesseract-ocr tesseract-ocr-rus chromium
      fonts-liberation hyphen-ru redis-server postgresql libpq5)
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  missing=()
  for pkg in "${DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]"
