# StyleMatch: `make run` sets up and serves the site on embedded defaults; `make test` runs the tests.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# Requirements by purpose (requirements/, each file including the one before it):
# train.txt < base.txt (what the site runs on) < production.txt (+ gunicorn) < test.txt < local.txt.
# `make run` and the workers install base.txt only; `make test`, `lint`, `format` and `messages`
# install local.txt. Each stamp hashes the files its install reads, so an edited pin reinstalls.
BASE_FILES := requirements/train.txt requirements/base.txt
LOCAL_FILES := $(BASE_FILES) requirements/production.txt requirements/test.txt requirements/local.txt
BASE_STAMP := $(VENV)/.installed-base-$(shell cat $(BASE_FILES) | sha1sum | cut -c1-12)
LOCAL_STAMP := $(VENV)/.installed-local-$(shell cat $(LOCAL_FILES) | sha1sum | cut -c1-12)
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: run setup test test-fast worker worker-interactive worker-bulk beat lint format messages bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(BASE_STAMP): $(BASE_FILES) | $(VENV)/bin/python
	$(PIP_INSTALL) -r requirements/base.txt
	@rm -f $(VENV)/.installed-base-*
	@touch $@

# local.txt includes base.txt, so its install also stands for the base one.
$(LOCAL_STAMP): $(LOCAL_FILES) | $(VENV)/bin/python
	$(PIP_INSTALL) -r requirements/local.txt
	@rm -f $(VENV)/.installed-local-* $(VENV)/.installed-base-*
	@touch $@ $(BASE_STAMP)

# A newcomer sees three short steps with progress bars, not a log line per task.
setup: $(BASE_STAMP)
	@echo "[1/3] database (SQLite in data/)"
	@$(PY) manage.py migrate --noinput -v 0
	@echo "[2/3] demo style model (trained once on generated pictures, minutes on 2 CPU cores; cached in data/models/)"
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

test: $(LOCAL_STAMP) $(S3RVER_STAMP)
	$(PY) -m pytest

# Background work by latency (config/settings/celery.py BACKGROUND_JOBS): `interactive` serves what a
# user waits for (recommendations), `bulk` the catalogue (classification, imports, word clouds), so
# a user never queues behind bulk work. `make worker` runs one worker per queue in the foreground;
# in production run the two targets as separate services (scale each on its own).
INTERACTIVE_CONCURRENCY ?= 1
BULK_CONCURRENCY ?= 1

worker: $(BASE_STAMP)
	@trap 'kill 0' INT TERM EXIT; \
	$(MAKE) --no-print-directory worker-interactive & \
	$(MAKE) --no-print-directory worker-bulk & \
	wait

worker-interactive: $(BASE_STAMP)
	$(VENV)/bin/celery -A config worker -Q interactive -n interactive@%h \
	  --concurrency=$(INTERACTIVE_CONCURRENCY) --loglevel=info

# The bulk worker runs at a lower CPU priority, so on a shared machine a user's recommendation gets
# the CPU first (docs/benchmarks.md, "Recommendations while a re-classification runs"); BULK_NICE=0
# for a machine of its own.
BULK_NICE ?= 10

worker-bulk: $(BASE_STAMP)
	nice -n $(BULK_NICE) $(VENV)/bin/celery -A config worker -Q bulk -n bulk@%h \
	  --concurrency=$(BULK_CONCURRENCY) --loglevel=info

beat: $(BASE_STAMP)
	$(VENV)/bin/celery -A config beat --loglevel=info

lint: $(LOCAL_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(LOCAL_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Korean texts live in locale/tools/ko.py (one readable table); this fills django.po from it.
messages: $(LOCAL_STAMP)
	$(PY) manage.py makemessages -l ko -l en --ignore=.venv --ignore=data
	$(PY) locale/tools/ko.py
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf data staticfiles
