#!/usr/bin/env bash
# Starts or stops throwaway Elasticsearch nodes on 127.0.0.1 for the tests.
#
#   scripts/elasticsearch.sh start STATE_DIR           → one node; prints its URL when it is ready
#   scripts/elasticsearch.sh cluster STATE_DIR [N]     → N nodes (default 3) forming one cluster;
#                                                        prints their URLs, comma-separated
#   scripts/elasticsearch.sh secure STATE_DIR          → one node with security on and TLS on HTTP;
#                                                        prints its https URL and leaves in STATE_DIR
#                                                        ca.crt, password (user elastic) and, where
#                                                        the zip allows it (not the integ-test zip),
#                                                        api_key
#   scripts/elasticsearch.sh restart STATE_DIR [NODE]  → starts a stopped node again (same port,
#                                                        same data); NODE defaults to 1
#   scripts/elasticsearch.sh stop STATE_DIR            → stops every node under STATE_DIR, removes it
#
# The nodes are the integ-test-zip distribution from Maven Central (cached by
# Maven in ~/.m2), version $KB_ES_VERSION, run on a JDK 17+ (21-25 preferred) as a non-root user,
# disk watermarks off, a $KB_ES_HEAP heap each (512m by default). The zip holds
# x-pack core and security (modules/x-pack-security), so `secure` is the same
# zip with xpack.security on; its CA and node certificate are made with openssl.
# Each node lives in STATE_DIR/nodes/N (pid, ports, data, logs); the unpacked
# zip is shared.
set -euo pipefail
version="${KB_ES_VERSION:-8.19.9}"
heap="${KB_ES_HEAP:-512m}"
action="${1:?start|cluster|secure|restart|stop}"
state="${2:?state directory}"

# The newest JDK this Elasticsearch vectorises on (21 to 25: Lucene's and Elasticsearch's SIMD
# vector code, which the official distribution's bundled JDK has too; on 17 kNN runs on scalar
# code), else any JDK 17+. ES_JAVA_HOME (Elasticsearch's own variable), when set, wins.
find_java() {
    local candidate major best="" best_major=0 fallback=""
    if [ -n "${ES_JAVA_HOME:-}" ] && [ -x "$ES_JAVA_HOME/bin/java" ]; then echo "$ES_JAVA_HOME"; return 0; fi
    for candidate in /usr/lib/jvm/*; do
        [ -x "$candidate/bin/java" ] || continue
        major="$("$candidate/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
        [ -n "$major" ] && [ "$major" -ge 17 ] || continue
        fallback="${fallback:-$candidate}"
        if [ "$major" -ge 21 ] && [ "$major" -le 25 ] && [ "$major" -gt "$best_major" ]; then
            best="$candidate" best_major="$major"
        fi
    done
    [ -n "$best$fallback" ] || return 1
    echo "${best:-$fallback}"
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

run_as=()
java_home=""
es=""

prepare() {
    mkdir -p "$state"
    local zip="$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$version/elasticsearch-$version.zip"
    if [ ! -f "$zip" ]; then
        echo "==> fetching Elasticsearch $version (integ-test-zip) from Maven Central" >&2
        mvn -q dependency:get -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$version:zip" -Dtransitive=false >&2
    fi
    command -v unzip >/dev/null || { apt-get update -qq >&2 && apt-get install -y -qq unzip >&2; }
    java_home="$(find_java)" || { apt-get update -qq >&2 && apt-get install -y -qq openjdk-17-jre-headless >&2 && java_home="$(find_java)"; }
    es="$state/home/elasticsearch-$version"
    if [ ! -x "$es/bin/elasticsearch" ]; then
        rm -rf "$state/home" && mkdir -p "$state/home"
        unzip -q "$zip" -d "$state/home"
    fi
    if [ "$(id -u)" = 0 ]; then
        # Elasticsearch refuses to run as root.
        id kbes >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin kbes
        run_as=(runuser -u kbes --)
    fi
}

own() {
    if [ "$(id -u)" = 0 ]; then chown -R kbes: "$state"; fi
}

# launch NODE [extra -E settings...]: starts node NODE (its ports chosen once, kept for restarts)
launch() {
    local node="$1"
    shift
    local dir="$state/nodes/$node"
    mkdir -p "$dir"
    [ -f "$dir/http_port" ] || free_port >"$dir/http_port"
    [ -f "$dir/transport_port" ] || free_port >"$dir/transport_port"
    own
    "${run_as[@]}" env ES_JAVA_HOME="$java_home" ES_JAVA_OPTS="-Xms$heap -Xmx$heap" \
        "$es/bin/elasticsearch" -d -p "$dir/pid" \
        -E node.name="node-$node" -E network.host=127.0.0.1 \
        -E http.port="$(cat "$dir/http_port")" -E transport.port="$(cat "$dir/transport_port")" \
        -E cluster.routing.allocation.disk.threshold_enabled=false \
        -E path.data="$dir/data" -E path.logs="$dir/logs" "$@" >"$dir/stdout.log" 2>&1 || {
            cat "$dir/stdout.log" >&2; return 1; }
}

# wait_ready URL [curl options...]: until the cluster answers yellow (and has every node)
wait_ready() {
    local url="$1"
    shift
    local nodes
    nodes="$(ls "$state/nodes" | wc -l)"
    for _ in $(seq 1 180); do
        if curl -fsS "$@" "$url/_cluster/health?wait_for_status=yellow&wait_for_nodes=$nodes&timeout=1s" >/dev/null 2>&1; then
            return 0
        fi
        sleep 1
    done
    echo "Elasticsearch did not become ready; its log:" >&2
    tail -50 "$state"/nodes/*/logs/*.log >&2 || true
    return 1
}

url_of() {
    echo "$1://127.0.0.1:$(cat "$state/nodes/$2/http_port")"
}

start() {
    prepare
    launch 1 -E discovery.type=single-node -E xpack.security.enabled=false
    wait_ready "$(url_of http 1)"
    url_of http 1 | tee "$state/url"
}

cluster() {
    local count="${3:-3}"
    prepare
    local n seeds="" masters=""
    for n in $(seq 1 "$count"); do
        mkdir -p "$state/nodes/$n"
        [ -f "$state/nodes/$n/http_port" ] || free_port >"$state/nodes/$n/http_port"
        [ -f "$state/nodes/$n/transport_port" ] || free_port >"$state/nodes/$n/transport_port"
        seeds="${seeds:+$seeds,}127.0.0.1:$(cat "$state/nodes/$n/transport_port")"
        masters="${masters:+$masters,}node-$n"
    done
    local name="kb-test-$$"
    printf '%s\n%s\n%s\n' "$name" "$seeds" "$masters" >"$state/cluster"
    for n in $(seq 1 "$count"); do
        launch "$n" -E cluster.name="$name" -E discovery.seed_hosts="$seeds" \
            -E cluster.initial_master_nodes="$masters" -E xpack.security.enabled=false
    done
    wait_ready "$(url_of http 1)"
    local urls=""
    for n in $(seq 1 "$count"); do urls="${urls:+$urls,}$(url_of http "$n")"; done
    echo "$urls" | tee "$state/url"
}

secure() {
    command -v openssl >/dev/null || { apt-get update -qq >&2 && apt-get install -y -qq openssl >&2; }
    prepare
    local certs="$es/config/certs"  # TLS files must lie under the node's config folder
    mkdir -p "$certs"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=kb-test-ca" \
        -keyout "$certs/ca.key" -out "$certs/ca.crt" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
        -keyout "$certs/node.key" -out "$certs/node.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$certs/san.ext"
    openssl x509 -req -in "$certs/node.csr" -CA "$certs/ca.crt" -CAkey "$certs/ca.key" -CAcreateserial \
        -days 2 -extfile "$certs/san.ext" -out "$certs/node.crt" 2>/dev/null
    cp "$certs/ca.crt" "$state/ca.crt"
    local password
    password="$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
    echo "$password" >"$state/password"
    own
    "${run_as[@]}" env ES_JAVA_HOME="$java_home" "$es/bin/elasticsearch-keystore" create >/dev/null 2>&1 || true
    echo "$password" | "${run_as[@]}" env ES_JAVA_HOME="$java_home" \
        "$es/bin/elasticsearch-keystore" add -x -f bootstrap.password >/dev/null
    launch 1 -E discovery.type=single-node -E xpack.security.enabled=true \
        -E xpack.security.http.ssl.enabled=true \
        -E xpack.security.http.ssl.certificate=certs/node.crt \
        -E xpack.security.http.ssl.key=certs/node.key \
        -E xpack.security.http.ssl.certificate_authorities=certs/ca.crt
    local url
    url="$(url_of https 1)"
    wait_ready "$url" --cacert "$state/ca.crt" -u "elastic:$password"
    # API keys live in the .security index, whose settings use the pattern_capture token filter
    # of analysis-common, a module the integ-test zip does not hold: creating one fails there
    # ("Unknown filter type [pattern_capture]"). A full distribution gets a key in $state/api_key.
    local answer
    answer="$(curl -sS --cacert "$state/ca.crt" -u "elastic:$password" -H 'Content-Type: application/json' \
        -X POST "$url/_security/api_key" -d '{"name": "kb-test"}')"
    if ! python3 -c 'import json, sys; print(json.loads(sys.argv[1])["encoded"])' "$answer" >"$state/api_key" 2>/dev/null; then
        rm -f "$state/api_key"
        echo "$answer" >"$state/api_key.error"
        echo "note: this distribution cannot create API keys: $answer" >&2
    fi
    echo "$url" | tee "$state/url"
}

restart() {
    local node="${3:-1}"
    prepare
    local extra=(-E xpack.security.enabled=false)
    if [ -f "$state/cluster" ]; then
        local name seeds masters
        { read -r name; read -r seeds; read -r masters; } <"$state/cluster"
        extra+=(-E cluster.name="$name" -E discovery.seed_hosts="$seeds" -E cluster.initial_master_nodes="$masters")
    else
        extra+=(-E discovery.type=single-node)
    fi
    launch "$node" "${extra[@]}"
    wait_ready "$(url_of http "$node")"
    url_of http "$node"
}

stop() {
    local pidfile pid
    for pidfile in "$state"/nodes/*/pid "$state/pid"; do
        [ -f "$pidfile" ] || continue
        pid="$(cat "$pidfile")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    rm -rf "$state"
}

"$action" "$@"
