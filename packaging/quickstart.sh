#!/usr/bin/env bash
# Set up TacroCalc from a source checkout, then open it or test it.
#
#   packaging/quickstart.sh app [ARGS...]   set up, then run `tacrocalc ARGS...` (no ARGS: the window)
#   packaging/quickstart.sh test [PYTEST ARGS...]
#                                           set up, then ruff, ruff format, mypy and the whole
#                                           pytest suite
#
# Setting up means: the Debian libraries Qt needs (installed with apt-get when missing and this
# runs as root; listed otherwise), a virtual environment in .venv with TacroCalc and its pinned
# dependencies, reinstalled when pyproject.toml changes; for `test`, also Debian's postgresql
# (the ward server's tests start a server of their own from it). Needs Python 3.11 or newer.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
venv="$here/.venv"
python=${PYTHON:-python3}

say() { printf 'quickstart: %s\n' "$*" >&2; }

# What Qt (PySide6 wheels: widgets, charts, the xcb and offscreen platforms) loads at run time,
# and python3-venv for Debian's Python, which ships without ensurepip.
debian_packages=(
  python3-venv
  libegl1 libgl1 libopengl0 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3
  libxkbcommon0 libxkbcommon-x11-0 libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4
  libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0
  libxcb-xinerama0 libxcb-xkb1 libxrender1 libsm6 libice6
)

install_debian_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local missing=()
  for package in "${debian_packages[@]}"; do
    # A Python that has ensurepip (not Debian's own) does not need python3-venv.
    if [ "$package" = python3-venv ] && "$python" -c "import ensurepip" >/dev/null 2>&1; then
      continue
    fi
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian packages Qt needs: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "these Debian packages are missing; ask for them to be installed:"
    say "  apt-get install ${missing[*]}"
  fi
}

# The ward server's tests start a PostgreSQL of their own (tests/pg_server.py) from the server
# binaries of Debian's postgresql package; without them those tests are skipped.
have_postgresql_server() {
  command -v initdb >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

install_postgresql_for_tests() {
  have_postgresql_server && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian's postgresql (the ward server's tests start one of their own)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  else
    say "PostgreSQL's server is not installed: the ward server's tests will be skipped."
    say "  apt-get install postgresql"
  fi
}

check_python() {
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "TacroCalc needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1 || echo missing)."
    say "Set PYTHON=/path/to/python3.11 and run this again."
    exit 1
  fi
}

setup_venv() {
  local stamp="$venv/.tacrocalc-installed" wanted
  wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return 0
  fi
  if [ ! -x "$venv/bin/python" ]; then
    say "creating the virtual environment in .venv"
    "$python" -m venv "$venv"
  fi
  say "installing TacroCalc and its pinned dependencies into .venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]"
  echo "$wanted" >"$stamp"
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  app | test) ;;
  *)
    echo "usage: packaging/quickstart.sh app [tacrocalc arguments] | test [pytest arguments]" >&2
    exit 64
    ;;
esac

check_python
install_debian_packages
setup_venv

if [ "$command" = app ]; then
  exec "$venv/bin/tacrocalc" "$@"
fi

install_postgresql_for_tests
export QT_QPA_PLATFORM=offscreen
status=0
step() {
  say "$*"
  "$@" || status=1
}
step "$venv/bin/ruff" check .
step "$venv/bin/ruff" format --check .
step "$venv/bin/mypy"
step "$venv/bin/python" -m pytest "$@"
[ $status -eq 0 ] && say "all checks passed" || say "some checks FAILED (see above)"
exit $status
