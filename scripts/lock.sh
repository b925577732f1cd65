#!/usr/bin/env bash
# Re-resolve requirements/<env>.in into requirements/<env>.lock in a scratch venv.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source <(sed -n '/^find_python()/,/^}/p' scripts/setup_envs.sh)
for pair in "bot 3.10" "svc 3.11"; do
  set -- $pair
  py="$(find_python "$2")"
  tmp="$(mktemp -d)"
  "$py" -m venv "$tmp/venv"
  "$tmp/venv/bin/python" -m pip install -q -r "requirements/$1.in"
  "$tmp/venv/bin/python" -m pip freeze --all --exclude-editable | grep -v '^pip==' > "requirements/$1.lock"
  rm -rf "$tmp"
  echo "locked requirements/$1.lock"
done
