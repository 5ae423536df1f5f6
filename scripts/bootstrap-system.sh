#!/bin/sh
# Installs the Debian packages the application needs and pip cannot provide:
# Pango/HarfBuzz for WeasyPrint, the BIZ UD Gothic font for Japanese PDFs,
# poppler-utils (pdftotext) for the PDF tests, postgresql-client-15 (pg_dump,
# pg_restore, psql of Debian 12's PostgreSQL) for `manage.py backup`/`restore`
# and, with --browser, Debian's chromium for the browser tests (we never
# download a browser of our own).
# As root it runs apt-get; otherwise it prints the exact command and stops.
set -eu

packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-morisawa-bizud-gothic poppler-utils postgresql-client-15"
if [ "${1:-}" = "--browser" ]; then
    packages="$packages chromium"
fi
# A fresh Debian ships python3 without venv/ensurepip.
if ! "${PYTHON:-python3}" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    packages="$packages python3-venv"
fi

missing=""
for pkg in $packages; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

command="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "必要なシステムパッケージがありません:$missing" >&2
    echo "次のコマンドを root で実行してから、もう一度 make を実行してください:" >&2
    echo "    sudo apt-get update && sudo $command" >&2
    exit 1
fi

echo ">> installing system packages:$missing"
export DEBIAN_FRONTEND=noninteractive
# Update the package lists only when they are absent (a fresh machine);
# otherwise a failing install retries once after an update.
if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ]; then
    apt-get update -qq
fi
# shellcheck disable=SC2086
$command >/dev/null || { apt-get update -qq && $command >/dev/null; }
