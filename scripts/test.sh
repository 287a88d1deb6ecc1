#!/usr/bin/env bash
# The test command: builds the environment, starts a real Elasticsearch node and
# a throwaway PostgreSQL cluster on loopback, runs every test against both
# backends (and the register suite on SQLite and PostgreSQL), stops both.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="$(scripts/setup-venv.sh)"
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    # Browser tests drive Debian's Chromium; Playwright never downloads a browser.
    echo "==> installing Debian's chromium for the browser tests" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
fi
scripts/cjk-font.sh
state="$(mktemp -d /tmp/kb-es.XXXXXX)"
chmod 755 "$state"
pg_state="$(mktemp -d /tmp/kb-pg.XXXXXX)"
chmod 755 "$pg_state"
trap 'scripts/elasticsearch.sh stop "$state"; scripts/postgres.sh stop "$pg_state"' EXIT
echo "==> starting Elasticsearch" >&2
url="$(scripts/elasticsearch.sh start "$state")"
echo "==> Elasticsearch ready at $url" >&2
export KB_TEST_ELASTICSEARCH_URL="$url"
echo "==> starting PostgreSQL" >&2
database_url="$(scripts/postgres.sh start "$pg_state")"
echo "==> PostgreSQL ready at $database_url" >&2
export KB_TEST_DATABASE_URL="$database_url"
export HF_HUB_OFFLINE=1
set +e
"$venv/bin/python" -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: failing" >&2
    exit 1
fi
exit "$status"
