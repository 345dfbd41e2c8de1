#!/usr/bin/env bash
# Installs the Debian 12 packages needed to build and test sqlite2pg.
# Idempotent: checks each package with dpkg-query and only runs apt-get (and
# apt-get update) when something is missing.
set -euo pipefail

PACKAGES=(
    build-essential cmake pkg-config g++
    libsqlitecpp-dev libsqlite3-dev sqlite3
    libpqxx-dev libpq-dev
    libsimdjson-dev libhowardhinnant-date-dev
    catch2 libcli11-dev libfmt-dev libxxhash-dev
    postgresql postgresql-client
    tzdata
)

usage() {
    cat <<'USAGE'
Usage: scripts/install_deps.sh [--check]

Installs whatever of the build/test dependencies is missing (Debian 12, apt-get).
Needs root or sudo when something is missing; otherwise prints the missing
packages and exits 1.

  --check   only report missing packages (exit 1 if any)
  --help    show this help
USAGE
}

check_only=0
for arg in "$@"; do
    case "$arg" in
        -h|--help) usage; exit 0 ;;
        --check) check_only=1 ;;
        *) echo "install_deps.sh: unknown argument: $arg" >&2; usage >&2; exit 2 ;;
    esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v dpkg-query >/dev/null 2>&1 || { echo "install_deps.sh: dpkg-query not found; this script is for Debian" >&2; exit 1; }

missing=()
for p in "${PACKAGES[@]}"; do
    # "install ok installed" is the only state in which the files are really there.
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install_deps.sh: all ${#PACKAGES[@]} packages installed"
    exit 0
fi

echo "install_deps.sh: missing: ${missing[*]}"
[[ $check_only -eq 0 ]] || exit 1

if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "install_deps.sh: not root and no passwordless sudo; install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

# Non-interactive: CI runs this with no stdin and no terminal (env passes
# DEBIAN_FRONTEND through sudo, which would otherwise drop it).
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
echo "install_deps.sh: installed: ${missing[*]}"
