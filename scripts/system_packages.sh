#!/usr/bin/env bash
# The Debian packages the test suites use. Installs the missing ones when it can (root with
# apt-get), else stops with one line naming them; `make test` runs it before any suite, so no
# suite skips because a package is missing. SYSTEM_PACKAGES=check only checks (never installs).
#   postgresql           case-service and migration tests against a real server (initdb, pg_ctl)
#   redis-server, nginx  the production profile (`make run-prod`): Rasa's lock store, the proxy
#   espeak-ng, sox       synthetic speech through the real recogniser
#   chromium(-driver)    the web pages in a real headless browser
set -uo pipefail

declare -A probe=(
  [postgresql]="pg_ctl"
  [redis-server]="redis-server"
  [nginx]="nginx"
  [espeak-ng]="espeak-ng"
  [sox]="sox"
  [chromium]="chromium"
  [chromium-driver]="chromedriver"
)

has_postgres() {  # Debian puts the server binaries outside PATH
  command -v pg_ctl >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null
}

missing=()
for package in postgresql redis-server nginx espeak-ng sox chromium chromium-driver; do
  if [[ $package == postgresql ]]; then has_postgres && continue
  elif [[ $package == nginx ]]; then { command -v nginx || [[ -x /usr/sbin/nginx ]]; } >/dev/null 2>&1 && continue
  else command -v "${probe[$package]}" >/dev/null 2>&1 && continue
  fi
  missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && { echo "system packages: all present"; exit 0; }

if [[ ${SYSTEM_PACKAGES:-install} != check && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "system packages: installing ${missing[*]} ..."
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    echo "system packages: installed ${missing[*]}"; exit 0
  fi
fi
echo "make test: missing system packages: ${missing[*]} (as root: apt-get install -y ${missing[*]})" >&2
exit 1
