#!/usr/bin/env bash
# Benchmarks of the openwelfare server, side by side with a reference in one run.
#
#   bash tests/bench/run.sh            (from the project root)
#
# a. Cold import (`openwelfare import --mirror`, fresh database each run) on
#    SQLite and PostgreSQL, IMPORT_RUNS runs each, alternating SQLite/PostgreSQL.
# b. GET /api/v1/observations?... with wrk, gzip accepted, on SQLite and on
#    PostgreSQL, alternating with nginx serving the same response bytes as a
#    static file (precompressed, gzip_static on): reference, sqlite,
#    reference, postgres, for HTTP_ROUNDS rounds.
# Prints the machine, the raw figures and markdown tables. Loopback only;
# every loop is bounded; servers, temp files and the PostgreSQL database are
# removed on exit.
#
# Environment (all optional):
#   CARGO_TARGET_DIR   where the release binary is built (default: target)
#   OW_BENCH_DATA      data mirror (default: ../shared/data, else /work/shared/data)
#   OW_BENCH_PG        PostgreSQL admin URL without database
#                      (default: postgres://postgres@127.0.0.1:5432)
#   OW_BENCH_PG_ADMIN_DB  existing database to connect to for CREATE/DROP (default: test, else postgres)
#   OW_BENCH_PORT      first of three loopback ports (default: 38471)
#   IMPORT_RUNS (5), HTTP_ROUNDS (3), WRK_THREADS (2), WRK_CONNECTIONS (32),
#   WRK_DURATION (10s), WRK_WARMUP (3s)
#   OW_BENCH_KEEP      a directory to copy the raw logs into

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd)
# shellcheck source=tests/bench/lib.sh
source "$ROOT/tests/bench/lib.sh" # PIDS, stop_pid, bench_cleanup, pg_connect, find_data_mirror...

IMPORT_RUNS=${IMPORT_RUNS:-5}
HTTP_ROUNDS=${HTTP_ROUNDS:-3}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
WRK_DURATION=${WRK_DURATION:-10s}
WRK_WARMUP=${WRK_WARMUP:-3s}
PG_BASE=${OW_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
PORT=${OW_BENCH_PORT:-38471}
PORT_SQLITE=$PORT
PORT_PG=$((PORT + 1))
PORT_REF=$((PORT + 2))
PG_DB=ow_bench
QUERY=${OW_BENCH_PATH:-'/api/v1/observations?dataset=interventi&variable=totale&year=2014&boundaries=2016'}

find_data_mirror # DATA

log() { printf '== %s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------
SUDO=
if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
if ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then need_apt+=(nginx-light); fi
command -v curl >/dev/null || need_apt+=(curl)
command -v psql >/dev/null || need_apt+=(postgresql-client)
if ((${#need_apt[@]})); then
    log "installing ${need_apt[*]}"
    $SUDO apt-get update -qq
    if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"; then
        # nginx-light is not in every release: fall back to nginx.
        need_apt=("${need_apt[@]/nginx-light/nginx}")
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
    fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if ! "$NGINX" -V 2>&1 | grep -q -- --with-http_gzip_static_module; then
    echo "this nginx has no gzip_static module" >&2
    exit 1
fi

# --- build -------------------------------------------------------------------
TARGET_DIR=${CARGO_TARGET_DIR:-target}
log "building the release binary into $TARGET_DIR"
cargo build --release -p openwelfare >&2
BIN=$TARGET_DIR/release/openwelfare
[[ $BIN == /* ]] || BIN=$ROOT/$BIN

# --- temp dir, cleanup -----------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ow-bench.XXXXXX")
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$TMP/logs" "$TMP/www/api/v1" "$TMP/nginx"
chmod 755 "$TMP"  # nginx workers run as an unprivileged user when started as root

# --- PostgreSQL ------------------------------------------------------------------
pg_connect
((PG_OK)) || log "PostgreSQL not reachable at $PG_BASE: its rows will read n/a"

# --- statistics --------------------------------------------------------------------
fmt() { # VALUE DECIMALS, or VALUE g for 3 significant digits
    awk -v x="$1" -v d="$2" 'BEGIN {
        if (x == "n/a") print x
        else if (d == "g") printf "%.3g\n", x
        else printf "%.*f\n", d, x
    }'
}
now() { date +%s.%N; }

# --- machine --------------------------------------------------------------------
MACHINE_DATE=$(date -u)
LOAD_START=$(cut -d" " -f1-3 /proc/loadavg)
MACHINE_NPROC=$(nproc)
MACHINE_MEM=$(free -h | awk '/^Mem:/ { print $2 }')
MACHINE_CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MACHINE_FS=$(df -T "$TMP" | awk 'NR == 2 { print $2 }')
WRK_VERSION=$(wrk -v 2>&1 | head -1 | awk '{ print $2 }' || true)
NGINX_VERSION=$("$NGINX" -v 2>&1 | sed 's/.*nginx\///')
GIT_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git --no-optional-locks -C "$ROOT" status --porcelain -- backend frontend migrations Cargo.toml Cargo.lock 2>/dev/null) ]]; then
    GIT_REV="$GIT_REV (with uncommitted changes)"
fi

# --- a. import ---------------------------------------------------------------------
# import_once NAME URL -> prints "wall_seconds reported_seconds"
import_once() {
    local name=$1 url=$2 out="$TMP/logs/import-$1.log" t0 t1 reported
    t0=$(now)
    if ! OPENWELFARE_DATABASE_URL=$url OPENWELFARE_LOG_LEVEL=warn \
        "$BIN" import --mirror "$DATA" >"$out" 2>&1; then
        echo "import on $name failed:" >&2
        cat "$out" >&2
        return 1
    fi
    t1=$(now)
    reported=$(sed -n 's/.* in \([0-9.]*\) s.*/\1/p' "$out" | tail -1)
    cat "$out" >>"$TMP/logs/imports.log"
    awk -v a="$t0" -v b="$t1" -v r="${reported:-n/a}" 'BEGIN { printf "%.3f %s\n", b - a, r }'
}

IMPORT_SQLITE_WALL="" IMPORT_SQLITE_REP="" IMPORT_PG_WALL="" IMPORT_PG_REP=""
IMPORT_LINE=""
for i in $(seq "$IMPORT_RUNS"); do
    db="$TMP/import-$i.db"
    res=$(import_once "sqlite-$i" "sqlite://$db"); read -r wall rep <<<"$res"
    IMPORT_SQLITE_WALL+=" $wall" IMPORT_SQLITE_REP+=" $rep"
    log "import $i/$IMPORT_RUNS sqlite:   wall ${wall}s, reported ${rep}s"
    SQLITE_DB=$db
    if ((PG_OK)); then
        pg_fresh_db
        res=$(import_once "postgres-$i" "$PG_BASE/$PG_DB"); read -r wall rep <<<"$res"
        IMPORT_PG_WALL+=" $wall" IMPORT_PG_REP+=" $rep"
        log "import $i/$IMPORT_RUNS postgres: wall ${wall}s, reported ${rep}s"
    fi
    # keep only the last SQLite database (the one served below)
    if ((i < IMPORT_RUNS)); then rm -f "$db" "$db-wal" "$db-shm"; fi
done
IMPORT_LINE=$(tail -1 "$TMP/logs/imports.log")

# --- b. HTTP -------------------------------------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$PORT_SQLITE" "$PORT_PG" "$PORT_REF"; do
    port_free "$p" || { echo "port $p is taken: set OW_BENCH_PORT" >&2; exit 1; }
done

wait_http() { # URL: bounded wait (20 s) for a 200
    for _ in $(seq 200); do
        if curl -fs -o /dev/null "$1"; then return 0; fi
        sleep 0.1
    done
    echo "no answer from $1" >&2
    return 1
}

serve() { # NAME DATABASE_URL PORT
    OPENWELFARE_DATABASE_URL=$2 OPENWELFARE_BIND=127.0.0.1:$3 OPENWELFARE_LOG_LEVEL=warn \
        OPENWELFARE_AUTO_IMPORT=false OPENWELFARE_DATA_MIRROR=$DATA \
        "$BIN" serve >"$TMP/logs/serve-$1.log" 2>&1 &
    PIDS+=($!)
    wait_http "http://127.0.0.1:$3/healthz"
}

serve sqlite "sqlite://$SQLITE_DB" "$PORT_SQLITE"
curl -fsS -o "$TMP/body.json" "http://127.0.0.1:$PORT_SQLITE$QUERY"
if ((PG_OK)); then
    serve postgres "$PG_BASE/$PG_DB" "$PORT_PG"
    curl -fsS -o "$TMP/body-pg.json" "http://127.0.0.1:$PORT_PG$QUERY"
    if cmp -s "$TMP/body.json" "$TMP/body-pg.json"; then
        BODY_SAME="identical"
    else
        BODY_SAME="DIFFERENT (see logs)"
        log "the SQLite and PostgreSQL responses differ"
    fi
else
    BODY_SAME="n/a"
fi

# The reference: nginx serving the same bytes, precompressed at gzip's
# best level, as the project compresses each cached view once.
CONTENT_TYPE=$(curl -fsS -D - -o /dev/null "http://127.0.0.1:$PORT_SQLITE$QUERY" |
    tr -d '\r' | awk -F': ' 'tolower($1) == "content-type" { print $2 }')
# The project compresses each view once at gzip's best level; so does the reference.
cp "$TMP/body.json" "$TMP/www/body"
gzip -9 -n -c "$TMP/body.json" >"$TMP/www/body.gz"
cat >"$TMP/nginx/nginx.conf" <<EOF
daemon off;
worker_processes $MACHINE_NPROC;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    server {
        listen 127.0.0.1:$PORT_REF;
        root $TMP/www;
        types { }
        default_type "$CONTENT_TYPE";
        gzip_static on;
        gzip_vary on;
        location / { try_files /body =404; }
    }
}
EOF
"$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" \
    >"$TMP/logs/nginx.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$PORT_REF$QUERY"
curl -fsS -o "$TMP/body-ref.json" "http://127.0.0.1:$PORT_REF$QUERY"
cmp -s "$TMP/body.json" "$TMP/body-ref.json" || { echo "nginx serves other bytes" >&2; exit 1; }

BODY_BYTES=$(wc -c <"$TMP/body.json")
REF_GZ_BYTES=$(wc -c <"$TMP/www/body.gz")
encoded() { # PORT -> "content-encoding bytes"
    local enc
    enc=$(curl -fsS -D - -o "$TMP/enc.bin" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$1$QUERY" |
        tr -d '\r' | awk -F': ' 'tolower($1) == "content-encoding" { print $2 }')
    echo "${enc:-identity} $(wc -c <"$TMP/enc.bin")"
}
read -r ENC_SQLITE GZ_SQLITE < <(encoded "$PORT_SQLITE")
read -r ENC_REF GZ_REF < <(encoded "$PORT_REF")
if ((PG_OK)); then read -r ENC_PG GZ_PG < <(encoded "$PORT_PG"); else ENC_PG=n/a GZ_PG=n/a; fi
log "body ${BODY_BYTES} B; gzip: sqlite $ENC_SQLITE $GZ_SQLITE B, postgres $ENC_PG $GZ_PG B, nginx $ENC_REF $GZ_REF B"

# run_wrk NAME PORT DURATION -> prints "rps p50_ms p99_ms non2xx socket_errors requests"
run_wrk() {
    local name=$1 port=$2 duration=$3 out
    out="$TMP/logs/wrk-$name.log"
    if ! wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$duration" --latency \
        -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$QUERY" >"$out" 2>&1; then
        echo "wrk failed against $name:" >&2
        cat "$out" >&2
        return 1
    fi
    local rps p50 p99 non2xx sock reqs
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
    sock=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")
    reqs=$(awk '/requests in/ { print $1 }' "$out")
    echo "${rps:-0} ${p50:-n/a} ${p99:-n/a} ${non2xx:-0} ${sock:-0} ${reqs:-0}"
}

declare -A RPS P50 P99
TOTAL_NON2XX=0 TOTAL_SOCK=0
record() { # KEY "rps p50 p99 non2xx sock reqs"
    local rps p50 p99 non2xx sock reqs
    read -r rps p50 p99 non2xx sock reqs <<<"$2"
    RPS[$1]+=" $rps" P50[$1]+=" $p50" P99[$1]+=" $p99"
    TOTAL_NON2XX=$((TOTAL_NON2XX + non2xx)) TOTAL_SOCK=$((TOTAL_SOCK + sock))
    log "$(printf '%-10s %9s req/s  p50 %7s ms  p99 %7s ms  requests %s  non-2xx %s  socket errors %s' \
        "$1" "$rps" "$p50" "$p99" "$reqs" "$non2xx" "$sock")"
}

log "warm-up, $WRK_WARMUP each (not counted)"
run_wrk warmup-ref "$PORT_REF" "$WRK_WARMUP" >/dev/null
run_wrk warmup-sqlite "$PORT_SQLITE" "$WRK_WARMUP" >/dev/null
((PG_OK)) && run_wrk warmup-postgres "$PORT_PG" "$WRK_WARMUP" >/dev/null

# Paired ratios: each project run over the reference run just before it.
PAIR_SQLITE="" PAIR_PG=""
for r in $(seq "$HTTP_ROUNDS"); do
    log "round $r/$HTTP_ROUNDS"
    res=$(run_wrk "ref-$r-a" "$PORT_REF" "$WRK_DURATION"); record ref "$res"; ref_a=${res%% *}
    res=$(run_wrk "sqlite-$r" "$PORT_SQLITE" "$WRK_DURATION"); record sqlite "$res"
    PAIR_SQLITE+=" $(awk -v p="${res%% *}" -v q="$ref_a" 'BEGIN { print p / q }')"
    if ((PG_OK)); then
        res=$(run_wrk "ref-$r-b" "$PORT_REF" "$WRK_DURATION"); record ref "$res"; ref_b=${res%% *}
        res=$(run_wrk "postgres-$r" "$PORT_PG" "$WRK_DURATION"); record postgres "$res"
        PAIR_PG+=" $(awk -v p="${res%% *}" -v q="$ref_b" 'BEGIN { print p / q }')"
    fi
done

# Check the servers are still alive and served no errors.
for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "a server died during the run (pid $pid)" >&2; exit 1; }
done

# --- report ------------------------------------------------------------------------
cell() { # "values" DECIMALS -> "median (min-max)"
    local m lo hi
    read -r m lo hi < <(stats "$1")
    if [[ $m == n/a ]]; then echo "n/a"; return; fi
    echo "$(fmt "$m" "$2") ($(fmt "$lo" "$2")–$(fmt "$hi" "$2"))"
}
median() { stats "$1" | awk '{ print $1 }'; }
ratio() { # project_values reference_values
    awk -v a="$(median "$1")" -v b="$(median "$2")" 'BEGIN { if (a == "n/a" || b == "n/a") print "n/a"; else printf "%.3g\n", a / b }'
}

pg_or_na() { if ((PG_OK)); then "$@"; else echo "n/a"; fi; }

cat <<EOF

## Machine

- date: $MACHINE_DATE
- nproc: $MACHINE_NPROC, memory: $MACHINE_MEM, CPU: $MACHINE_CPU
- load average (1, 5, 15 min) at start: $LOAD_START; at end: $(cut -d" " -f1-3 /proc/loadavg)
- temp dir filesystem (SQLite files): $MACHINE_FS
- openwelfare $GIT_REV, release build; PostgreSQL $PG_VERSION; nginx $NGINX_VERSION; wrk $WRK_VERSION
- data: $DATA — last import printed: \`$IMPORT_LINE\`

## a. Cold import (\`openwelfare import --mirror\`, fresh database each run)

$IMPORT_RUNS runs each, alternating SQLite / PostgreSQL. Median (min–max), seconds.
"wall" is the whole process (start, connect, migrate, import); "reported" is the
time the command prints.

| database | wall s | reported s |
| --- | --- | --- |
| SQLite (file, WAL, synchronous=FULL) | $(cell "$IMPORT_SQLITE_WALL" 2) | $(cell "$IMPORT_SQLITE_REP" 2) |
| PostgreSQL (loopback) | $(pg_or_na cell "$IMPORT_PG_WALL" 2) | $(pg_or_na cell "$IMPORT_PG_REP" 2) |

## b. GET $QUERY

\`wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION --latency -H 'Accept-Encoding: gzip'\`, loopback,
wrk on the same $MACHINE_NPROC cores as the server. $HTTP_ROUNDS rounds of reference, sqlite,
reference, postgres (after one $WRK_WARMUP warm-up each, not counted). Median (min–max).
Reference: nginx $NGINX_VERSION serving the same $BODY_BYTES-byte body as a static file,
precompressed (gzip -9, $REF_GZ_BYTES B) with gzip_static on.
Encoded response: openwelfare/sqlite $ENC_SQLITE $GZ_SQLITE B, openwelfare/postgres $ENC_PG $GZ_PG B,
nginx $ENC_REF $GZ_REF B. SQLite and PostgreSQL bodies: $BODY_SAME.

| server | requests/s | p50 ms | p99 ms | ratio req/s to reference (paired min–max) |
| --- | --- | --- | --- | --- |
| nginx static (reference) | $(cell "${RPS[ref]}" 0) | $(cell "${P50[ref]}" g) | $(cell "${P99[ref]}" g) | 1 |
| openwelfare, SQLite | $(cell "${RPS[sqlite]}" 0) | $(cell "${P50[sqlite]}" g) | $(cell "${P99[sqlite]}" g) | $(ratio "${RPS[sqlite]}" "${RPS[ref]}") ($(stats "$PAIR_SQLITE" | awk '{ printf "%.3g–%.3g", $2, $3 }')) |
| openwelfare, PostgreSQL | $(pg_or_na cell "${RPS[postgres]:-}" 0) | $(pg_or_na cell "${P50[postgres]:-}" g) | $(pg_or_na cell "${P99[postgres]:-}" g) | $(pg_or_na ratio "${RPS[postgres]:-}" "${RPS[ref]}") $(pg_or_na stats "$PAIR_PG" | awk 'NF == 3 { printf "(%.3g–%.3g)", $2, $3 }') |

Latency ratio (p50, project / reference): SQLite $(awk -v a="$(median "${P50[sqlite]}")" -v b="$(median "${P50[ref]}")" 'BEGIN { printf "%.1f", a / b }'), PostgreSQL $(pg_or_na awk -v a="$(median "${P50[postgres]:-}")" -v b="$(median "${P50[ref]}")" 'BEGIN { printf "%.1f", a / b }').
wrk errors over all counted runs: non-2xx responses $TOTAL_NON2XX, socket errors $TOTAL_SOCK.
EOF

if ((TOTAL_NON2XX || TOTAL_SOCK)); then
    echo "wrk reported errors: see the logs (OW_BENCH_KEEP=DIR keeps them)" >&2
    exit 1
fi
