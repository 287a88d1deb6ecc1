#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster on 127.0.0.1 for the register tests.
#
#   scripts/postgres.sh start STATE_DIR   → prints the database URL when it is ready
#   scripts/postgres.sh stop STATE_DIR
#
# The server is Debian's `postgresql` (installed with apt-get when no server
# binary is found), run as a non-root system user (kbpg) from a fresh cluster
# in STATE_DIR: trust authentication on loopback only, a free port, fsync off
# (the data is thrown away), a database `kb` owned by the role `kb`.
set -euo pipefail
action="${1:?start|stop}"
state="${2:?state directory}"
run_user=kbpg

find_bindir() {
    local candidate
    for candidate in "${KB_PG_BINDIR:-}" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ] && { echo "$candidate"; return 0; }
    done
    if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then
        dirname "$(command -v pg_ctl)"
        return 0
    fi
    return 1
}

as_user() {
    if [ "$(id -u)" = 0 ]; then runuser -u "$run_user" -- "$@"; else "$@"; fi
}

start() {
    local bindir
    if ! bindir="$(find_bindir)"; then
        echo "==> installing Debian's postgresql" >&2
        apt-get update -qq >&2
        # Keep the package from starting its own cluster: we run a throwaway one.
        DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends postgresql >&2
        bindir="$(find_bindir)"
    fi
    mkdir -p "$state"
    if [ "$(id -u)" = 0 ]; then
        # PostgreSQL refuses to run as root.
        id "$run_user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$run_user"
        chown -R "$run_user": "$state"
    fi
    local port
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
    as_user "$bindir/initdb" -D "$state/data" -U kb --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$state/initdb.log" 2>&1 || {
        cat "$state/initdb.log" >&2; return 1; }
    mkdir -p "$state/socket" && { [ "$(id -u)" != 0 ] || chown "$run_user": "$state/socket"; }
    as_user "$bindir/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $state/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
        >/dev/null 2>&1 || { cat "$state/server.log" >&2; return 1; }
    echo "$bindir" > "$state/bindir"
    as_user "$bindir/createdb" -h 127.0.0.1 -p "$port" -U kb -O kb kb
    local url="postgresql+psycopg://kb@127.0.0.1:$port/kb"
    echo "$url" > "$state/url"
    echo "$url"
}

stop() {
    if [ -f "$state/bindir" ] && [ -d "$state/data" ]; then
        as_user "$(cat "$state/bindir")/pg_ctl" -D "$state/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$state"
}

"$action"
