# sdgbot developer tasks.  See `make help`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=
PYTEST_ARGS ?=

.PHONY: help venv run test lint clean

help:
	@echo "make venv   create .venv and install sdgbot with dev extras"
	@echo "make run    run the bot: Socket Mode (SLACK_BOT_TOKEN + SLACK_APP_TOKEN),"
	@echo "            HTTP (SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET, no SLACK_APP_TOKEN)"
	@echo "            or, with no tokens, the console sandbox; extra args via ARGS=,"
	@echo "            e.g. make run ARGS=\"--facilitator --language en\""
	@echo "make test   pytest on SQLite, then on a throwaway PostgreSQL (PYTEST_ARGS=...)"
	@echo "make lint   ruff + mypy + import-linter (the layer contracts in pyproject.toml)"
	@echo "make clean  remove .venv, build artefacts, caches and .pg/"

venv: $(STAMP)

# All install output goes to stderr so that `make run` keeps stdout clean.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "creating $(VENV) with $(PYTHON)" >&2; $(PYTHON) -m venv $(VENV) >&2; }
	@echo "installing sdgbot[dev] into $(VENV)" >&2
	@$(BIN)/python -m pip install -q --upgrade pip >&2
	@$(BIN)/python -m pip install -q -e '.[dev]' >&2
	@touch $@

run: $(STAMP)
	@if [ -n "$${SLACK_BOT_TOKEN:-}" ] && [ -n "$${SLACK_APP_TOKEN:-}" ]; then \
		exec $(BIN)/sdgbot serve --socket $(ARGS); \
	elif [ -n "$${SLACK_BOT_TOKEN:-}" ]; then \
		exec $(BIN)/sdgbot serve $(ARGS); \
	else \
		exec $(BIN)/sdgbot console $(ARGS); \
	fi

# Runs the whole suite twice (SQLite, then PostgreSQL).  The throwaway server is
# always stopped (EXIT trap, also on Ctrl-C); the exit status is the first
# failing run's.
test: $(STAMP)
	@rc=0; \
	trap 'bash scripts/pg.sh stop' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; trap 'exit 129' HUP; \
	bash scripts/pg.sh start || exit $$?; \
	pg_url="$$(bash scripts/pg.sh url)" || exit $$?; \
	echo "== tests on SQLite =="; \
	SDGBOT_TEST_DATABASE=sqlite $(BIN)/python -m pytest $(PYTEST_ARGS) || rc=$$?; \
	echo "== tests on PostgreSQL =="; \
	SDGBOT_TEST_DATABASE=postgresql SDGBOT_TEST_POSTGRES_URL="$$pg_url" \
		$(BIN)/python -m pytest $(PYTEST_ARGS) || { r=$$?; [ $$rc -ne 0 ] || rc=$$r; }; \
	if [ $$rc -ne 0 ]; then echo "== tests FAILED (exit $$rc) =="; else echo "== all tests passed =="; fi; \
	exit $$rc

# Runs every tool even when one complains; fails if any does.
lint: $(STAMP)
	@rc=0; \
	echo "== ruff ==" && $(BIN)/ruff check . || rc=$$?; \
	echo "== mypy ==" && $(BIN)/mypy || rc=$$?; \
	echo "== import-linter ==" && $(BIN)/lint-imports || rc=$$?; \
	exit $$rc

clean:
	@-bash scripts/pg.sh stop 2>/dev/null || true
	rm -rf $(VENV) build dist *.egg-info .pg .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
