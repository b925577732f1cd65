# 解纷助手 — the two commands: `make run` (whole product) and `make test` (every suite).
SHELL := /bin/bash
SVC_PY := .venv/svc/bin/python
BOT_PY := .venv/bot/bin/python

.PHONY: run run-prod test setup train lint lock clean

run: setup            ## set up if needed, train if needed, start every service, Ctrl-C stops all
	@$(SVC_PY) -m launcher run

run-prod: setup       ## the production profile: PostgreSQL, Redis, nginx, two Rasa and two action servers
	@$(SVC_PY) -m launcher run --profile prod

test: setup           ## the same set-up, then unit, integration and end-to-end suites of both envs
	@scripts/test.sh

setup:                ## create/update both locked virtual environments (idempotent)
	@scripts/setup_envs.sh

train: setup          ## train the Rasa model if config, domain or data changed
	@$(SVC_PY) -m launcher train

lint: setup           ## ruff and mypy over our code
	@.venv/svc/bin/ruff check .
	@.venv/svc/bin/mypy launcher integration textnorm legal voice web bot/actions bot/action_server.py bot/nlu bot/policies bot/channels

lock:                 ## re-resolve requirements/*.in into the lock files (needs network to PyPI)
	@scripts/lock.sh

clean:                ## remove models, runtime data and caches (keeps the virtual environments)
	rm -rf bot/models/*.tar.gz bot/models/*.fingerprint var .pytest_cache .mypy_cache .ruff_cache
