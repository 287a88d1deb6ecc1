#!/usr/bin/env bash
# Starts or stops a throwaway Elasticsearch node on 127.0.0.1 for the tests.
#
#   scripts/elasticsearch.sh start STATE_DIR   → prints the node's URL when it is ready
#   scripts/elasticsearch.sh stop STATE_DIR
#
# The node is the integ-test-zip distribution from Maven Central (cached by
# Maven in ~/.m2), version $KB_ES_VERSION, run on a JDK 17+ as a non-root
# user, single-node, security off, disk watermarks off, 512 MB heap.
set -euo pipefail
version="${KB_ES_VERSION:-8.19.9}"
action="${1:?start|stop}"
state="${2:?state directory}"

find_java() {
    local candidate
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64 /usr/lib/jvm/*; do
        [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
        local major
        major="$("$candidate/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
        if [ -n "$major" ] && [ "$major" -ge 17 ]; then echo "$candidate"; return 0; fi
    done
    return 1
}

start() {
    mkdir -p "$state"
    local zip="$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$version/elasticsearch-$version.zip"
    if [ ! -f "$zip" ]; then
        echo "==> fetching Elasticsearch $version (integ-test-zip) from Maven Central" >&2
        mvn -q dependency:get -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$version:zip" -Dtransitive=false >&2
    fi
    command -v unzip >/dev/null || { apt-get update -qq >&2 && apt-get install -y -qq unzip >&2; }
    local java_home
    java_home="$(find_java)" || { apt-get update -qq >&2 && apt-get install -y -qq openjdk-17-jre-headless >&2 && java_home="$(find_java)"; }
    local home="$state/node"
    rm -rf "$home" && mkdir -p "$home"
    unzip -q "$zip" -d "$home"
    local es="$home/elasticsearch-$version"
    local port
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
    local run_as=()
    if [ "$(id -u)" = 0 ]; then
        # Elasticsearch refuses to run as root.
        id kbes >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin kbes
        chown -R kbes: "$state"
        run_as=(runuser -u kbes --)
    fi
    "${run_as[@]}" env ES_JAVA_HOME="$java_home" ES_JAVA_OPTS="-Xms512m -Xmx512m" \
        "$es/bin/elasticsearch" -d -p "$state/pid" \
        -E discovery.type=single-node -E network.host=127.0.0.1 -E http.port="$port" \
        -E xpack.security.enabled=false \
        -E cluster.routing.allocation.disk.threshold_enabled=false \
        -E path.data="$state/data" -E path.logs="$state/logs" >"$state/stdout.log" 2>&1 || {
            cat "$state/stdout.log" >&2; return 1; }
    local url="http://127.0.0.1:$port"
    for _ in $(seq 1 120); do
        if curl -fsS "$url/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; then
            echo "$url" > "$state/url"
            echo "$url"
            return 0
        fi
        sleep 1
    done
    echo "Elasticsearch did not become ready; its log:" >&2
    tail -50 "$state/logs/"*.log >&2 || true
    return 1
}

stop() {
    if [ -f "$state/pid" ]; then
        local pid
        pid="$(cat "$state/pid")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -rf "$state"
}

"$action"
