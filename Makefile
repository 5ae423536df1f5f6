# akishima-ict: the two commands of the README's quick start are `make run` and
# `make test`; both bootstrap everything they need on a fresh Debian 12 machine.

PYTHON ?= python3
PORT ?= 8000
# The address in e-mail links: the port the development server listens on, unless given.
SITE_URL ?= http://127.0.0.1:$(PORT)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
PYTEST_WORKERS ?= auto

.DEFAULT_GOAL := help
.PHONY: help run test check migrate seed sysdeps sysdeps-browser bootstrap clean bench load

help:
	@echo "make run   - 初期設定を行い、計画とデモデータを読み込んで http://127.0.0.1:$(PORT)/ で起動"
	@echo "make test  - 初期設定を行い、ブラウザテストを含む全テストを実行"
	@echo "make check - Django のシステムチェック(本番設定の --deploy を含む)"

sysdeps:
	@PYTHON=$(PYTHON) sh scripts/bootstrap-system.sh

sysdeps-browser:
	@PYTHON=$(PYTHON) sh scripts/bootstrap-system.sh --browser

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
		|| { echo "Python 3.11 が必要です(PYTHON=... で指定できます)。" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

bootstrap: $(STAMP)

# The git-ignored .env for local development (DEBUG, a development key, SITE_URL and
# DATABASE_URL as given to this make), so that the README's `.venv/bin/python manage.py …`
# commands run as the server does.
migrate: sysdeps bootstrap
	@$(BIN)/python scripts/dev_env.py --site-url $(SITE_URL) --database-url "$(DATABASE_URL)"
	DEBUG=true $(BIN)/python manage.py migrate --noinput

seed: migrate
	DEBUG=true $(BIN)/python manage.py load_plan --demo

run: seed
	@echo "http://127.0.0.1:$(PORT)/ で起動します(デモ利用者は README を参照、パスワード demo)。"
	@# The task worker (PDF books) runs beside the web server and stops with it.
	DEBUG=true SITE_URL=$(SITE_URL) $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=true SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The tests run on every CPU core (pytest-xdist); PYTEST_WORKERS=0 runs them in one process.
test: sysdeps-browser bootstrap
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The deploy checks with production's variables (those of the environment, or as .ci/run),
# never the development .env.
check: bootstrap
	DEBUG=true $(BIN)/python manage.py check
	ENV_FILE= DEBUG=false ALLOWED_HOSTS="$${ALLOWED_HOSTS:-ict.city.akishima.example}" \
		SECRET_KEY="$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
		$(BIN)/python manage.py check --deploy --fail-level WARNING --settings=akishima_ict.settings

# Performance on a large generated city, in its own database (kept between runs;
# make bench BENCH_ARGS=--rebuild builds it again). Neither bench nor load reads the
# development .env: its DATABASE_URL would point them at the developer's database.
bench: sysdeps bootstrap
	ENV_FILE= SQLITE_PATH=var/bench.sqlite3 DEBUG=true LOG_LEVEL=WARNING $(BIN)/python manage.py bench $(BENCH_ARGS)

# Load test: gunicorn on loopback against a copy of the bench city (var/load.sqlite3),
# 20 users of locust for 60 s; e.g. make load LOAD_ARGS="--run-time 120s --workers 4".
load: sysdeps bootstrap
	ENV_FILE= $(BIN)/python scripts/load/run.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
