# StyleMatch: `make run` sets up and serves the site on embedded defaults; `make test` runs the tests.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
REQ_HASH := $(shell sha1sum requirements.txt | cut -c1-12)
STAMP := $(VENV)/.installed-$(REQ_HASH)

.PHONY: run setup test test-fast worker worker-interactive worker-bulk beat lint format messages bench clean

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

# A newcomer sees three short steps with progress bars, not a log line per task.
setup: $(STAMP)
	@echo "[1/3] database (SQLite in data/)"
	@$(PY) manage.py migrate --noinput -v 0
	@echo "[2/3] demo style model (trained once on generated pictures, 1-4 minutes on 2 CPU cores; cached in data/models/)"
	@$(PY) manage.py setup_demo_model
	@echo "[3/3] demo catalogue (40 fictional influencers, only into an empty database)"
	@$(PY) manage.py load_demo --if-empty

# DEBUG stays off, so a visitor sees the site's own 404/500 pages (never Django's debug page that
# lists every URL pattern); WhiteNoise serves static files from the source folders. For tracebacks
# in the browser while developing: DJANGO_DEBUG=true make run.
DJANGO_DEBUG ?= false
run: setup
	@echo ""
	@echo "StyleMatch is ready: open http://127.0.0.1:8000 (stop with Ctrl+C)"
	@echo ""
	@DJANGO_DEBUG=$(DJANGO_DEBUG) $(PY) manage.py runserver 127.0.0.1:8000

# An S3-compatible server for the signed-URL expiry test (Node.js); without npm that test skips.
S3RVER_STAMP := tests/tools/s3rver/node_modules/.installed

$(S3RVER_STAMP): tests/tools/s3rver/package-lock.json
	@if command -v npm >/dev/null 2>&1 && \
	  npm ci --silent --no-audit --no-fund --prefix tests/tools/s3rver; then touch $@; \
	else echo "s3rver not installed (npm missing or offline): the S3 expiry test will skip"; fi

test: $(STAMP) $(S3RVER_STAMP)
	$(PY) -m pytest

# Background work by latency (config/settings/celery.py BACKGROUND_JOBS): `interactive` serves what a
# user waits for (recommendations), `bulk` the catalogue (classification, imports, word clouds), so
# a user never queues behind bulk work. `make worker` runs one worker per queue in the foreground;
# in production run the two targets as separate services (scale each on its own).
INTERACTIVE_CONCURRENCY ?= 1
BULK_CONCURRENCY ?= 1

worker: $(STAMP)
	@trap 'kill 0' INT TERM EXIT; \
	$(MAKE) --no-print-directory worker-interactive & \
	$(MAKE) --no-print-directory worker-bulk & \
	wait

worker-interactive: $(STAMP)
	$(VENV)/bin/celery -A config worker -Q interactive -n interactive@%h \
	  --concurrency=$(INTERACTIVE_CONCURRENCY) --loglevel=info

# The bulk worker runs at a lower CPU priority, so on a shared machine a user's recommendation gets
# the CPU first (docs/benchmarks.md, "Recommendations while a re-classification runs"); BULK_NICE=0
# for a machine of its own.
BULK_NICE ?= 10

worker-bulk: $(STAMP)
	nice -n $(BULK_NICE) $(VENV)/bin/celery -A config worker -Q bulk -n bulk@%h \
	  --concurrency=$(BULK_CONCURRENCY) --loglevel=info

beat: $(STAMP)
	$(VENV)/bin/celery -A config beat --loglevel=info

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Korean texts live in locale/tools/ko.py (one readable table); this fills django.po from it.
messages: $(STAMP)
	$(PY) manage.py makemessages -l ko -l en --ignore=.venv --ignore=data
	$(PY) locale/tools/ko.py
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf data staticfiles
