#!/usr/bin/env bash
# Realtime benchmark: websocket fan-out of the openwelfare server, side by
# side with a minimal axum reference in one run.
#
#   bash tests/bench/ws.sh            (from anywhere; it cd's to the project root)
#
# Builds, in release, the server and tests/bench/ws-load (a crate of its own,
# not in the workspace: the load client `ws-load` and the reference server
# `ws-reference`, same axum/tokio/tokio-tungstenite versions as the server,
# same websocket buffers: read 4 KiB, write buffer 0). Then:
#
# 1. Latency, commit to arrival. ROUNDS rounds; in each, for every size in
#    SIZES: the reference, then openwelfare on PostgreSQL, each with N fresh
#    subscribed clients (subscribe {"topics":["map"]}), EVENTS events
#    INTERVAL_MS apart. The reference gets each event by POST /emit; the
#    project by a row in its outbox written exactly as its store writes one
#    (advisory lock, INSERT INTO events, pg_notify, one transaction). Each
#    event carries sent_at_ns (CLOCK_REALTIME, taken before the trigger);
#    each client records arrival - sent_at_ns. p50/p99/max over all
#    deliveries, lost events (client x event), dropped sockets.
#    Also, per round (EXTRA=1): openwelfare on SQLite and on PostgreSQL with
#    the event written as an annotation through the real form POST (the
#    store's transaction, then the hub's poke), at every size, and, at the
#    smallest size, an
#    outbox row written straight into SQLite (no NOTIFY there: found at the
#    hub's next poll, <= 1 s).
# 2. Memory per idle connection: MEM_ROUNDS rounds of a freshly started
#    reference, then a freshly started openwelfare (PostgreSQL): VmRSS
#    (/proc/PID/status) before and SETTLE_MS after MEM_CLIENTS subscribed
#    idle connections, growth / MEM_CLIENTS.
# 3. Annotation posts per second with POST_CLIENTS subscribers attached:
#    POST_ROUNDS rounds of SQLite then PostgreSQL, POST_WORKERS concurrent
#    form posts (one signed-in verified account, CSRF field, Origin) for
#    POST_SECS; every committed post's event must reach every subscriber.
#
# The load client runs as its own process (ulimit -n 20000) on the same 2
# cores as the servers. Loopback only; every wait is bounded; servers, temp
# files and the PostgreSQL database are removed on exit (trap).
#
# Environment (all optional):
#   CARGO_TARGET_DIR   where both release builds go (default: target)
#   OW_BENCH_DATA      data mirror (default: ../shared/data, else /work/shared/data)
#   OW_BENCH_PG        PostgreSQL admin URL without database
#                      (default: postgres://postgres@127.0.0.1:5432)
#   OW_BENCH_PG_ADMIN_DB  existing database for CREATE/DROP (default: test, else postgres)
#   OW_BENCH_WS_PORT   first of five loopback ports (default: 28611; keep them below
#                      the ephemeral range, 32768-60999 here: the 10,000 client sockets
#                      take ports from it)
#   ROUNDS (3), SIZES ("1000 10000"), EVENTS (20), INTERVAL_MS (500), BATCH (500),
#   EXTRA (1), MEM_ROUNDS (3), MEM_CLIENTS (10000), SETTLE_MS (2000),
#   POST_ROUNDS (2), POST_SECS (10), POST_WORKERS (16), POST_CLIENTS (1000),
#   DRAIN_MS (15000), READY_TIMEOUT (120)
#   OW_BENCH_KEEP      a directory to copy the raw logs into

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd)
# shellcheck source=tests/bench/lib.sh
source "$ROOT/tests/bench/lib.sh" # PIDS, stop_pid, bench_cleanup, pg_connect, find_data_mirror...

ROUNDS=${ROUNDS:-3}
SIZES=${SIZES:-"1000 10000"}
EVENTS=${EVENTS:-20}
INTERVAL_MS=${INTERVAL_MS:-500}
BATCH=${BATCH:-500}
EXTRA=${EXTRA:-1}
MEM_ROUNDS=${MEM_ROUNDS:-3}
MEM_CLIENTS=${MEM_CLIENTS:-10000}
SETTLE_MS=${SETTLE_MS:-2000}
POST_ROUNDS=${POST_ROUNDS:-2}
POST_SECS=${POST_SECS:-10}
POST_WORKERS=${POST_WORKERS:-16}
POST_CLIENTS=${POST_CLIENTS:-1000}
DRAIN_MS=${DRAIN_MS:-15000}
READY_TIMEOUT=${READY_TIMEOUT:-120}
PG_BASE=${OW_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
PORT=${OW_BENCH_WS_PORT:-28611}
PORT_REF=$PORT
PORT_PG=$((PORT + 1))
PORT_SQLITE=$((PORT + 2))
PORT_MEM_REF=$((PORT + 3))
PORT_MEM_OW=$((PORT + 4))
PG_DB=ow_bench_ws
EMAIL=bench@example.org
PASSWORD='tortellini sotto le due torri'
# The configuration accepts at most 1,000,000 per minute for either limit
# (16,666/s: far above what one account posts here).
HIGH_RATE=1000000
TOPIC=area:q2016-navile

find_data_mirror # DATA

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'ws.sh: %s\n' "$*" >&2; exit 1; }

# One process may open at most 20,000 files: the client holds up to 10,000
# sockets, each server as many.
ulimit -n 20000 || die "cannot raise the open-files limit to 20000"

# --- tools -------------------------------------------------------------------
need_tools curl:curl psql:postgresql-client

# --- build -------------------------------------------------------------------
TARGET_DIR=${CARGO_TARGET_DIR:-target}
[[ $TARGET_DIR == /* ]] || TARGET_DIR=$ROOT/$TARGET_DIR
export CARGO_TARGET_DIR=$TARGET_DIR
log "building the server and tests/bench/ws-load (release) into $TARGET_DIR"
cargo build --release -p openwelfare >&2 || die "the server's release build failed"
cargo build --release --manifest-path tests/bench/ws-load/Cargo.toml >&2 ||
    die "the ws-load release build failed"
BIN=$TARGET_DIR/release/openwelfare
LOAD=$TARGET_DIR/release/ws-load
REF=$TARGET_DIR/release/ws-reference
for b in "$BIN" "$LOAD" "$REF"; do [[ -x $b ]] || die "no binary at $b"; done

# --- temp dir, processes, cleanup ------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ow-bench-ws.XXXXXX")
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$TMP/logs" "$TMP/mail"

# --- PostgreSQL ----------------------------------------------------------------------
pg_connect
((PG_OK)) || die "PostgreSQL is not reachable at $PG_BASE: the latency comparison needs it (NOTIFY)"
pg_fresh_db
PG_URL=$PG_BASE/$PG_DB
SQLITE_DB=$TMP/ws.db

# --- machine -------------------------------------------------------------------------
MACHINE_DATE=$(date -u)
LOAD_START=$(cut -d" " -f1-3 /proc/loadavg)
MACHINE_NPROC=$(nproc)
MACHINE_MEM=$(free -h | awk '/^Mem:/ { print $2 }')
MACHINE_CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
# The commit, read from .git without running git.
GIT_REV=$(git_rev)
BIN_ID="sha256 $(sha256sum "$BIN" | cut -c1-12), built $(date -u -r "$BIN" '+%F %T UTC')"
# CPU accounting, in clock ticks. Busy: user + nice + system (irq and
# softirq left out: most of it is the benchmark's own loopback traffic,
# charged to no process); total: every state of every core.
CLK_TCK=$(getconf CLK_TCK)
TIMEFORMAT='%3U %3S'
machine_busy() { awk '/^cpu / { print $2 + $3 + $4, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
read -r BUSY0 TOTAL0 < <(machine_busy)

# --- servers ---------------------------------------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in $(seq "$PORT" $((PORT + 4))); do
    port_free "$p" || die "port $p is taken: set OW_BENCH_WS_PORT"
done

declare -A SERVER_PID
# start_ow NAME DATABASE_URL PORT: start openwelfare and wait until /readyz
# says 200 with "data":"loaded" (it imports on first start).
start_ow() {
    local name=$1 port=$3 pid deadline body
    ow_env "$@"
    env "${OW_ENV[@]}" "$BIN" serve >>"$TMP/logs/serve-$name.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    SERVER_PID[$name]=$pid
    deadline=$((SECONDS + READY_TIMEOUT))
    while :; do
        running "$pid" || { cat "$TMP/logs/serve-$name.log" >&2; die "the $name server exited before it was ready"; }
        body=$(curl -fsS --max-time 2 "http://127.0.0.1:$port/readyz" 2>/dev/null || true)
        [[ $body == *'"data":"loaded"'* ]] && break
        ((SECONDS < deadline)) || die "the $name server was not ready within ${READY_TIMEOUT}s (last /readyz: ${body:-no answer})"
        sleep 0.1
    done
}
create_account() { # NAME DATABASE_URL PORT: the verified account that posts (an admin is verified)
    ow_env "$@"
    printf '%s\n' "$PASSWORD" | env "${OW_ENV[@]}" "$BIN" admin create --email "$EMAIL" --password-stdin \
        >"$TMP/logs/admin-$1.log" 2>&1 || { cat "$TMP/logs/admin-$1.log" >&2; die "admin create failed on $1"; }
}
start_ref() { # NAME PORT
    local pid
    "$REF" "127.0.0.1:$2" >>"$TMP/logs/serve-$1.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    SERVER_PID[$1]=$pid
    for _ in $(seq 100); do
        curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$2/healthz" 2>/dev/null && return 0
        sleep 0.1
    done
    die "the reference server did not start on port $2"
}
alive() { # NAME
    running "${SERVER_PID[$1]}" || { tail -20 "$TMP/logs/serve-$1.log" >&2; die "the $1 server died during the run"; }
}

log "starting the servers (openwelfare imports on first start)"
start_ref ref "$PORT_REF"
start_ow postgres "$PG_URL" "$PORT_PG"
create_account postgres "$PG_URL" "$PORT_PG"
start_ow sqlite "sqlite://$SQLITE_DB" "$PORT_SQLITE"
create_account sqlite "sqlite://$SQLITE_DB" "$PORT_SQLITE"

# --- the load client -------------------------------------------------------------------
RESULTS=$TMP/logs/results.txt
: >"$RESULTS"
# load LABEL SERVER_NAME [ws-load arguments]: one run, its RESULT line kept.
# Around each run: the machine's busy CPU, the server's, PostgreSQL's and
# the client's; what remains is other processes' (others_pct, % of all cores).
load() {
    local label=$1 server=$2 line pid b0 t0 s0 p0 b1 t1 s1 p1 cu cs
    shift 2
    alive "$server"
    pid=${SERVER_PID[$server]}
    read -r b0 t0 < <(machine_busy); s0=$(proc_ticks "$pid"); p0=$(pg_ticks)
    { time WS_LOAD_EMAIL=$EMAIL WS_LOAD_PASSWORD=$PASSWORD \
        "$LOAD" --label "$label" --batch "$BATCH" --drain-ms "$DRAIN_MS" --server-pid "$pid" "$@" \
        >"$TMP/out.txt" 2>>"$TMP/logs/ws-load.log"; } 2>"$TMP/time.txt" || true
    read -r b1 t1 < <(machine_busy); s1=$(proc_ticks "$pid"); p1=$(pg_ticks)
    line=$(grep '^RESULT' "$TMP/out.txt" || true)
    [[ -n $line ]] || { tail -20 "$TMP/logs/ws-load.log" >&2; die "ws-load gave no result for $label"; }
    alive "$server"
    read -r cu cs <"$TMP/time.txt"
    line+=$(awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) -v s=$((s1 - s0)) -v p=$((p1 - p0)) \
        -v c="$cu" -v d="$cs" -v hz="$CLK_TCK" 'BEGIN {
            if (p < 0) p = 0 # a PostgreSQL process that ended during the run
            o = (b - s - p - (c + d) * hz) / t * 100; if (o < 0) o = 0
            printf " server_cpu_s=%.2f postgres_cpu_s=%.2f client_cpu_s=%.2f others_pct=%.1f", s / hz, p / hz, c + d, o }')
    echo "$line" >>"$RESULTS"
    log "$(field "$line" label): subscribed $(field "$line" subscribed)/$(field "$line" clients)," \
        "p50 $(field "$line" p50_ms) ms, p99 $(field "$line" p99_ms) ms, max $(field "$line" max_ms) ms," \
        "lost $(field "$line" lost), dropped $(field "$line" dropped), failed $(field "$line" failed_connects)," \
        "trigger $(field "$line" trigger_ms_median) ms$(
            [[ $line == *bytes_per_conn* ]] && echo ", $(field "$line" bytes_per_conn) B/connection")$(
            [[ $line == *posts_per_s* ]] && echo ", $(field "$line" posts_per_s) posts/s ($(field "$line" statuses))")"
    sleep 1 # let the closed sockets go before the next run
}
field() { # LINE KEY
    tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print substr($0, length(k) + 2) }'
}
# values LABEL_REGEX KEY -> "v1 v2 ..." over the matching runs
values() {
    awk -v re="$1" -v k="$2" '{
        lab = ""; val = ""
        for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "label") lab = kv[2]; if (kv[1] == k) val = substr($i, length(k) + 2) }
        if (lab ~ re) printf "%s ", val
    }' "$RESULTS"
}
sum() { tr ' ' '\n' <<<"$1" | awk 'NF { s += $1 } END { print s + 0 }'; }
cell() { # "values" FORMAT -> "median (min–max)"
    local m lo hi
    read -r m lo hi < <(stats "$1")
    [[ $m == n/a ]] && { echo n/a; return; }
    awk -v m="$m" -v lo="$lo" -v hi="$hi" -v f="$2" 'BEGIN { printf f " (" f "–" f ")\n", m, lo, hi }'
}
median() { stats "$1" | awk '{ print $1 }'; }

# --- 1. latency -------------------------------------------------------------------------
for r in $(seq "$ROUNDS"); do
    for n in $SIZES; do
        log "round $r/$ROUNDS, $n clients"
        load "ref-$n-$r" ref --url "ws://127.0.0.1:$PORT_REF/ws" --clients "$n" \
            --events "$EVENTS" --interval-ms "$INTERVAL_MS" --event-topic "$TOPIC" \
            --trigger "emit:http://127.0.0.1:$PORT_REF/emit"
        load "pg-$n-$r" postgres --url "ws://127.0.0.1:$PORT_PG/ws" --clients "$n" \
            --events "$EVENTS" --interval-ms "$INTERVAL_MS" --event-topic "$TOPIC" \
            --trigger "pg:$PG_URL"
        if ((EXTRA)); then
            load "sqlitepost-$n-$r" sqlite --url "ws://127.0.0.1:$PORT_SQLITE/ws" --clients "$n" \
                --events "$EVENTS" --interval-ms "$INTERVAL_MS" \
                --trigger "post:http://127.0.0.1:$PORT_SQLITE"
            load "pgpost-$n-$r" postgres --url "ws://127.0.0.1:$PORT_PG/ws" --clients "$n" \
                --events "$EVENTS" --interval-ms "$INTERVAL_MS" \
                --trigger "post:http://127.0.0.1:$PORT_PG"
        fi
    done
    if ((EXTRA)); then
        n=${SIZES%% *}
        load "sqliteoutbox-$n-$r" sqlite --url "ws://127.0.0.1:$PORT_SQLITE/ws" --clients "$n" \
            --events "$EVENTS" --interval-ms "$INTERVAL_MS" --event-topic "$TOPIC" \
            --trigger "sqlite:$SQLITE_DB"
    fi
done

# --- 2. memory per idle connection --------------------------------------------------------
for r in $(seq "$MEM_ROUNDS"); do
    log "memory round $r/$MEM_ROUNDS: $MEM_CLIENTS idle connections on freshly started servers"
    start_ref memref "$PORT_MEM_REF"
    load "memref-$r" memref --url "ws://127.0.0.1:$PORT_MEM_REF/ws" --clients "$MEM_CLIENTS" \
        --events 0 --rss-pid "${SERVER_PID[memref]}" --settle-ms "$SETTLE_MS"
    stop_pid "${SERVER_PID[memref]}"
    start_ow memow "$PG_URL" "$PORT_MEM_OW"
    load "memow-$r" memow --url "ws://127.0.0.1:$PORT_MEM_OW/ws" --clients "$MEM_CLIENTS" \
        --events 0 --rss-pid "${SERVER_PID[memow]}" --settle-ms "$SETTLE_MS"
    stop_pid "${SERVER_PID[memow]}"
done

# --- 3. posts per second ----------------------------------------------------------------
for r in $(seq "$POST_ROUNDS"); do
    log "posts round $r/$POST_ROUNDS: $POST_WORKERS concurrent posters for ${POST_SECS}s, $POST_CLIENTS subscribers"
    load "postsqlite-$r" sqlite --url "ws://127.0.0.1:$PORT_SQLITE/ws" --clients "$POST_CLIENTS" \
        --trigger "post:http://127.0.0.1:$PORT_SQLITE" --post-secs "$POST_SECS" --post-workers "$POST_WORKERS"
    load "postpg-$r" postgres --url "ws://127.0.0.1:$PORT_PG/ws" --clients "$POST_CLIENTS" \
        --trigger "post:http://127.0.0.1:$PORT_PG" --post-secs "$POST_SECS" --post-workers "$POST_WORKERS"
done

read -r BUSY1 TOTAL1 < <(machine_busy)
LOAD_END=$(cut -d" " -f1-3 /proc/loadavg)

# --- report ------------------------------------------------------------------------------
# paired LABEL_A LABEL_B KEY -> "r1 r2 ...": B over A, run by run (same round and size)
paired() {
    local a b out="" i
    read -r -a a <<<"$(values "$1" "$3")"
    read -r -a b <<<"$(values "$2" "$3")"
    for i in "${!a[@]}"; do
        out+=" $(awk -v x="${b[$i]:-0}" -v y="${a[$i]}" 'BEGIN { if (y > 0) printf "%.3f", x / y }')"
    done
    echo "$out"
}
ratio() { awk -v a="$(median "$1")" -v b="$(median "$2")" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
row() { # NAME LABEL_REGEX
    local re=$2
    echo "| $1 | $(sum "$(values "$re" subscribed)")/$(sum "$(values "$re" clients)") | $(cell "$(values "$re" p50_ms)" %.1f) | $(cell "$(values "$re" p99_ms)" %.1f) | $(cell "$(values "$re" max_ms)" %.1f) | $(sum "$(values "$re" lost)") | $(sum "$(values "$re" dropped)") | $(cell "$(values "$re" trigger_ms_median)" %.1f) | $(cell "$(values "$re" first_ms_median)" %.1f) | $(cell "$(values "$re" spread_ms_median)" %.1f) | $(cell "$(values "$re" server_us_per_delivery)" %.1f) | $(cell "$(values "$re" others_pct)" %.0f) |"
}
TARGET_OK=yes
cat <<EOF

## Machine

- date: $MACHINE_DATE
- nproc: $MACHINE_NPROC, memory: $MACHINE_MEM, CPU: $MACHINE_CPU
- load average (1, 5, 15 min) at start: $LOAD_START; at end: $LOAD_END
- CPU busy from the servers' start to the end (all processes, user+nice+system): $(awk -v b=$((BUSY1 - BUSY0)) -v t=$((TOTAL1 - TOTAL0)) 'BEGIN { printf "%.0f%%", b / t * 100 }') of $MACHINE_NPROC cores;
  other processes' share during the measured runs (machine busy - servers - PostgreSQL - client), median (max): $(cell "$(values . others_pct)" %.0f | sed 's/ (.*–/ (max /')%
- openwelfare $GIT_REV, release build ($BIN_ID); PostgreSQL $PG_VERSION
- data: $DATA, imported by each openwelfare server on its first start (each waited for /readyz 200 with "data":"loaded")

## 1. Commit to arrival

$ROUNDS rounds; in each, for each size: reference, then openwelfare/PostgreSQL (outbox + NOTIFY)$( ((EXTRA)) && echo ", then an annotation POST to openwelfare on SQLite and on PostgreSQL (local write: the store's transaction, then the hub's poke)").
$EVENTS events ${INTERVAL_MS} ms apart per run; every client subscribed (topics ["map"]) before the first.
Median (min–max) over the runs; lost = (client, event) pairs never received; "trigger" is the
median time the trigger took (POST /emit; the outbox transaction; the annotation POST); per
event, "to first client" is its first arrival anywhere - its stamp and "fan-out" its last arrival
- its first (medians over the events of each run); "server
CPU per delivery" is the server's CPU time from the first event to the last delivery (idle
work included: its 1 s outbox poll, heartbeats) over the deliveries; "others' CPU" is the share
of both cores that processes other than the benchmark's used during the runs.

| server | clients subscribed | p50 ms | p99 ms | max ms | lost | dropped | trigger ms | to first client ms | fan-out ms | server CPU µs per delivery | others' CPU % |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
EOF
for n in $SIZES; do
    row "reference, $n clients" "^ref-$n-"
    row "openwelfare/PostgreSQL, outbox + NOTIFY, $n clients" "^pg-$n-"
    if ((EXTRA)); then
        row "openwelfare/SQLite, annotation POST, $n clients" "^sqlitepost-$n-"
        row "openwelfare/PostgreSQL, annotation POST, $n clients" "^pgpost-$n-"
    fi
done
if ((EXTRA)); then
    n=${SIZES%% *}
    row "openwelfare/SQLite, outbox row (hub poll, no NOTIFY), $n clients" "^sqliteoutbox-$n-"
fi
echo
echo "p99 of openwelfare/PostgreSQL over the reference's (median over median; paired per round):"
echo
for n in $SIZES; do
    rat=$(ratio "$(values "^pg-$n-" p99_ms)" "$(values "^ref-$n-" p99_ms)")
    ok=$(awk -v r="$rat" 'BEGIN { print (r != "n/a" && r <= 1.25) ? "met" : "NOT met" }')
    [[ $ok == met ]] || TARGET_OK=no
    p=$(stats "$(paired "^ref-$n-" "^pg-$n-" p99_ms)")
    echo "- $n clients: **$rat** (paired $(awk '{ printf "%.2f–%.2f", $2, $3 }' <<<"$p")); target <= 1.25: $ok"
done
LOST=$(sum "$(values '^pg' lost) $(values '^sqlite' lost) $(values '^post' lost)")
DROPPED=$(sum "$(values '^pg' dropped) $(values '^sqlite' dropped) $(values '^memow' dropped) $(values '^post' dropped)")
FAILED=$(sum "$(values '.' failed_connects)")
REF_LOST=$(sum "$(values '^ref-' lost)")

cat <<EOF

## 2. Memory per idle connection

$MEM_ROUNDS rounds: a freshly started reference, then a freshly started openwelfare (PostgreSQL);
VmRSS before and ${SETTLE_MS} ms after $MEM_CLIENTS subscribed idle connections. Median (min–max).

| server | VmRSS before KiB | VmRSS after KiB | bytes per connection |
| --- | --- | --- | --- |
| reference | $(cell "$(values '^memref-' rss_before_kib)" %.0f) | $(cell "$(values '^memref-' rss_after_kib)" %.0f) | $(cell "$(values '^memref-' bytes_per_conn)" %.0f) |
| openwelfare | $(cell "$(values '^memow-' rss_before_kib)" %.0f) | $(cell "$(values '^memow-' rss_after_kib)" %.0f) | $(cell "$(values '^memow-' bytes_per_conn)" %.0f) |

EOF
MEM_OW=$(median "$(values '^memow-' bytes_per_conn)")
MEM_OK=$(awk -v b="$MEM_OW" 'BEGIN { print (b <= 16384) ? "met" : "NOT met" }')
[[ $MEM_OK == met ]] || TARGET_OK=no
echo "openwelfare: $(awk -v b="$MEM_OW" 'BEGIN { printf "%.1f", b / 1024 }') KiB per idle connection; target <= 16 KiB: $MEM_OK"

cat <<EOF

## 3. Annotation posts with $POST_CLIENTS subscribers

$POST_ROUNDS rounds of SQLite then PostgreSQL: $POST_WORKERS concurrent form POSTs to
/quartieri/navile/annotazioni for ${POST_SECS} s (one signed-in verified account). Latency: from
just before the POST to arrival at each subscriber.

| database | posts/s | committed posts | statuses | p50 ms | p99 ms | max ms | lost | dropped |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
| SQLite | $(cell "$(values '^postsqlite-' posts_per_s)" %.0f) | $(sum "$(values '^postsqlite-' committed)") | $(values '^postsqlite-' statuses | sed 's/ $//; s/ /, /g') | $(cell "$(values '^postsqlite-' p50_ms)" %.1f) | $(cell "$(values '^postsqlite-' p99_ms)" %.1f) | $(cell "$(values '^postsqlite-' max_ms)" %.1f) | $(sum "$(values '^postsqlite-' lost)") | $(sum "$(values '^postsqlite-' dropped)") |
| PostgreSQL | $(cell "$(values '^postpg-' posts_per_s)" %.0f) | $(sum "$(values '^postpg-' committed)") | $(values '^postpg-' statuses | sed 's/ $//; s/ /, /g') | $(cell "$(values '^postpg-' p50_ms)" %.1f) | $(cell "$(values '^postpg-' p99_ms)" %.1f) | $(cell "$(values '^postpg-' max_ms)" %.1f) | $(sum "$(values '^postpg-' lost)") | $(sum "$(values '^postpg-' dropped)") |

## Targets

- p99 within 1.25x of the reference at every size: see part 1
- at most 16 KiB per idle connection: $MEM_OK
- no event lost (openwelfare, all parts): $( ((LOST == 0)) && echo "met (0)" || echo "NOT met ($LOST lost)") (reference: $REF_LOST)
- no socket dropped (openwelfare, all parts): $( ((DROPPED == 0)) && echo "met (0)" || echo "NOT met ($DROPPED dropped)"); failed connects over all runs: $FAILED
EOF
((LOST == 0 && DROPPED == 0)) || TARGET_OK=no
echo
echo "all targets met: $TARGET_OK"
echo
echo "raw results:"
sed 's/^/    /' "$RESULTS"
