# Two commands on a fresh machine: `make run` and `make test`. Both create and use .venv.
PYTHON ?= python3
PERSONA ?= sam
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
MANIFEST_NPM := manifest/node_modules/.installed-stamp
PLAYGROUND_NPM := tools/playground/node_modules/.installed-stamp
CARDS_NPM := tools/cards/node_modules/.installed-stamp

.PHONY: venv run serve test test-sqlite lint audit e2e bench bench-speed seed package clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip "setuptools>=78.1.1"  # the venv's own 65.5 has known vulnerabilities
	$(BIN)/python -m pip install --quiet -e ".[test]" -c constraints.txt
	@touch $@

$(MANIFEST_NPM): manifest/package-lock.json
	npm ci --prefix manifest --no-audit --no-fund --loglevel=error
	@touch $@

$(CARDS_NPM): tools/cards/package-lock.json
	npm ci --prefix tools/cards --no-audit --no-fund --loglevel=error
	@touch $@

$(PLAYGROUND_NPM): tools/playground/package-lock.json
	npm ci --prefix tools/playground --no-audit --no-fund --loglevel=error
	@touch $@

venv: $(STAMP)

## The bot on SQLite with demo data, plus the Microsoft 365 Agents Playground pointed at it.
run: $(STAMP) $(PLAYGROUND_NPM)
	PERSONA=$(PERSONA) bash scripts/dev_run.sh

## Only the bot (no Playground), with demo data: development mode unless VSB_ENVIRONMENT says otherwise
## (without MicrosoftAppId that means authentication off, on loopback only).
serve: $(STAMP)
	if [ -z "$${VSB_ENVIRONMENT+set}" ] && ! grep -qs '^[[:space:]]*VSB_ENVIRONMENT=' .env; then \
	  export VSB_ENVIRONMENT=development; fi; \
	$(BIN)/vsbot db upgrade && $(BIN)/vsbot demo seed && $(BIN)/vsbot serve

## The whole suite, on SQLite and PostgreSQL (set VSB_TEST_DATABASES=sqlite to skip PostgreSQL).
test: $(STAMP) $(MANIFEST_NPM) $(CARDS_NPM)
	$(BIN)/python -m pytest -m "not e2e" -q

## Static checks for real defects (ruff: undefined names, unused code, likely bugs).
lint: $(STAMP)
	$(BIN)/ruff check .

test-sqlite: $(STAMP) $(MANIFEST_NPM) $(CARDS_NPM)
	VSB_TEST_DATABASES=sqlite $(BIN)/python -m pytest -m "not e2e" -q

## End-to-end through the Agents Playground in Debian's Chromium.
e2e: $(STAMP) $(PLAYGROUND_NPM) $(CARDS_NPM)
	bash scripts/install_e2e_deps.sh
	$(BIN)/python -m pytest tests/e2e -m e2e -q

## Supply chain: the installed set of .venv against known vulnerabilities (pip-audit in its own environment);
## a finding fails unless .ci/audit-exceptions.toml records it with a reason and a review date.
AUDIT_VENV := .venv-audit
$(AUDIT_VENV)/bin/pip-audit:
	@test -x $(AUDIT_VENV)/bin/python || $(PYTHON) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/python -m pip install --quiet "pip-audit==2.10.*"

audit: $(STAMP) $(AUDIT_VENV)/bin/pip-audit
	$(BIN)/python scripts/audit_dependencies.py --python $(BIN)/python --pip-audit $(AUDIT_VENV)/bin/pip-audit $(AUDIT_FLAGS)

## Benchmarks (speed and memory targets live here, not in tests), each against its targets; the exit status is 1
## if any target is missed. `make bench-speed`: only the side-by-side speed run (var/bench.json; PROFILE=1 adds
## py-spy profiles in var/profiles). Then FAQ accuracy, surgery contention, referral duplicates, alerts at scale.
bench: $(STAMP)
	s=0; $(MAKE) --no-print-directory bench-speed || s=1; \
	$(BIN)/vsbot bench || s=1; \
	$(BIN)/python -m tools.bench.surgery_contention || s=1; \
	$(BIN)/python -m tools.bench.referral_duplicates || s=1; \
	$(BIN)/python -m tools.bench.alerts || s=1; exit $$s

bench-speed: $(STAMP)
	$(BIN)/python -m tools.bench.side_by_side.run $(if $(PROFILE),--profile)

seed: $(STAMP)
	$(BIN)/vsbot db upgrade && $(BIN)/vsbot demo seed

## Teams app package (needs MicrosoftAppId).
package: $(STAMP)
	$(BIN)/vsbot manifest build --out var/virtual-school-assistant.zip

clean:
	rm -rf $(VENV) $(AUDIT_VENV) var manifest/node_modules tools/playground/node_modules tools/cards/node_modules test-artifacts
