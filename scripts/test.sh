#!/usr/bin/env bash
# The one test command (`make test`): set-up, model, then every suite of both environments.
# Extra arguments are passed to pytest of the service environment (e.g. -k outbox).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 PYTHONPATH="$root"

scripts/setup_envs.sh || exit 1
# the Debian packages the suites use: installed when possible, else one line naming them
scripts/system_packages.sh || exit 1
export JIEFEN_SYSTEM_PACKAGES=required  # from here a missing tool fails its test, never skips it

status=0
mkdir -p var/test-results
# The model trains (minutes on a fresh checkout) while the suites that need none run.
.venv/svc/bin/python -m launcher train > var/test-results/train.log 2>&1 &
training=$!

echo "== lint: ruff and mypy =="
.venv/svc/bin/ruff check . && .venv/svc/bin/mypy launcher integration textnorm legal voice web bot/actions bot/action_server.py bot/nlu bot/policies bot/channels \
  || status=1

echo "== service environment (Python 3.11): unit and integration (no model needed) =="
.venv/svc/bin/python -m pytest tests/unit tests/integration -p no:cacheprovider -rs "$@" || status=1

echo "== the Rasa model =="
if ! wait "$training"; then
  tail -20 var/test-results/train.log; echo "make test: FAILED (training)"; exit 1
fi
tail -1 var/test-results/train.log

# The end-to-end suite mostly waits (audio streamed in real time, timeouts, the services' replies),
# so the bot environment's suites run beside it; their output is printed after it, in order.
bot_suites() {
  echo "== bot environment (Python 3.10): custom actions =="
  .venv/bot/bin/python -m pytest tests/bot -p no:cacheprovider -W ignore::DeprecationWarning || return 1
}
stories() {
  echo "== dialogue: test stories (rasa test core, never trained on) =="
  if .venv/bot/bin/rasa test core --stories tests/stories --model bot/models/jiefen.tar.gz \
       --out var/test-results/core --fail-on-prediction-errors > var/test-results/core.log 2>&1; then
    echo "test stories: all passed"
  else
    grep -E "Failed stories|Correct:|story" var/test-results/core.log | tail -20
    echo "test stories FAILED: see var/test-results/core (failed_test_stories.yml)"; return 1
  fi
}
{ bot_suites > var/test-results/bot.out 2>&1; echo $? > var/test-results/bot.rc; } &
bot_job=$!
{ stories > var/test-results/stories.out 2>&1; echo $? > var/test-results/stories.rc; } &
stories_job=$!

echo "== service environment (Python 3.11): end-to-end =="
.venv/svc/bin/python -m pytest tests/e2e -p no:cacheprovider -rs --durations=12 "$@" || status=1

wait "$bot_job" "$stories_job"
for suite in bot stories; do
  cat "var/test-results/$suite.out"
  [[ "$(cat "var/test-results/$suite.rc" 2>/dev/null)" == 0 ]] || status=1
done

if [[ $status -ne 0 ]]; then echo "make test: FAILED"; else echo "make test: all suites passed"; fi
exit $status
