#!/usr/bin/env bash
# Create or update the two locked virtual environments. Idempotent: an environment whose
# lock file has not changed since it was installed is left alone.
#   .venv/bot  Python 3.10 — Rasa 3.6 server and action server (Rasa's own pins)
#   .venv/svc  Python 3.11 — case service, voice gateway, web, tests (current releases)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

find_python() {  # $1 = minor version, e.g. 3.10
  local v="$1" cand
  for cand in "python$v" "/root/.pyenv/versions/$v"*/bin/python "$HOME/.pyenv/versions/$v"*/bin/python; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c "import sys; assert sys.version_info[:2] == tuple(map(int, '$v'.split('.')))" 2>/dev/null; then
      command -v "$cand"; return 0
    fi
  done
  return 1
}

make_env() {  # $1 = name, $2 = python minor version
  local name="$1" pyver="$2" lock="requirements/$1.lock" venv=".venv/$1" py sum
  sum="$(sha256sum "$lock" | cut -d' ' -f1)"
  if [[ -f "$venv/.lock-sha256" && "$(cat "$venv/.lock-sha256")" == "$sum" ]]; then
    echo "setup: $venv is up to date"; return 0
  fi
  if ! py="$(find_python "$pyver")"; then
    echo "setup: ERROR Python $pyver not found — install it (e.g. 'pyenv install $pyver') or put python$pyver on PATH" >&2
    exit 1
  fi
  echo "setup: installing $venv from $lock with $py (a few minutes the first time) ..."
  local started=$SECONDS
  [[ -x "$venv/bin/python" ]] || "$py" -m venv "$venv"
  # The pip bundled with each Python is used on purpose: newer pips backtrack through jax wheels for Rasa.
  "$venv/bin/python" -m pip install --disable-pip-version-check -q --no-deps -r "$lock" \
    2> >(grep -v "^WARNING: Location" >&2)
  "$venv/bin/python" -m pip check >/dev/null || { echo "setup: ERROR pip check failed in $venv" >&2; "$venv/bin/python" -m pip check >&2; exit 1; }
  echo "$sum" > "$venv/.lock-sha256"
  echo "setup: $venv ready in $((SECONDS - started)) s"
}

for name in ${ENVS:-svc bot}; do
  case "$name" in
    bot) make_env bot 3.10 ;;
    svc) make_env svc 3.11 ;;
  esac
done
