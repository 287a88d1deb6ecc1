#!/usr/bin/env bash
# The test command: builds the environment, starts real Elasticsearch nodes and
# a throwaway PostgreSQL cluster on loopback, runs every test against both
# backends (and the register suite on SQLite and PostgreSQL), stops them all.
# KB_TEST_CLUSTER=1 adds the three-node failover test (tests marked `cluster`).
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
# Elasticsearch: the shared node; a spare node that the outage test stops and starts
# again; a node with security and TLS on. With KB_TEST_CLUSTER=1, also three nodes
# forming one cluster for the failover test (opt-in: it adds a few minutes). They
# start side by side; small heaps for all but the shared node.
state="$(mktemp -d /tmp/kb-es.XXXXXX)"
spare="$(mktemp -d /tmp/kb-es-spare.XXXXXX)"
secure="$(mktemp -d /tmp/kb-es-secure.XXXXXX)"
cluster="$(mktemp -d /tmp/kb-es-cluster.XXXXXX)"
chmod 755 "$state" "$spare" "$secure" "$cluster"
pg_state="$(mktemp -d /tmp/kb-pg.XXXXXX)"
chmod 755 "$pg_state"
trap 'for s in "$state" "$spare" "$secure" "$cluster"; do scripts/elasticsearch.sh stop "$s"; done; scripts/postgres.sh stop "$pg_state"' EXIT
echo "==> starting Elasticsearch (shared, spare, secured${KB_TEST_CLUSTER:+, a three-node cluster})" >&2
starting=()
scripts/elasticsearch.sh start "$state" >/dev/null & starting+=($!)
KB_ES_HEAP=256m scripts/elasticsearch.sh start "$spare" >/dev/null & starting+=($!)
KB_ES_HEAP=256m scripts/elasticsearch.sh secure "$secure" >/dev/null & starting+=($!)
if [ "${KB_TEST_CLUSTER:-}" = 1 ]; then
    KB_ES_HEAP=256m scripts/elasticsearch.sh cluster "$cluster" 3 >/dev/null & starting+=($!)
fi
for pid in "${starting[@]}"; do wait "$pid"; done
url="$(cat "$state/url")"
echo "==> Elasticsearch ready at $url" >&2
export KB_TEST_ELASTICSEARCH_URL="$url"
export KB_TEST_ES_SPARE_DIR="$spare"
export KB_TEST_ES_SECURE_DIR="$secure"
if [ "${KB_TEST_CLUSTER:-}" = 1 ]; then
    KB_TEST_ES_CLUSTER_URLS="$(cat "$cluster/url")"
    export KB_TEST_ES_CLUSTER_URLS
    echo "==> cluster ready at $KB_TEST_ES_CLUSTER_URLS" >&2
fi
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
