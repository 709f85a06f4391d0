#!/usr/bin/env bash
# Benchmark of the log-in path (POST /api/v1/auth/token), with references
# measured side by side in the same run.
#
#   bash tests/bench/auth.sh            (from anywhere; it cd's to the project root)
#
# 1. Log-in throughput and latency: a right password, a wrong password and
#    an unknown address (wrk LOGIN_THREADS x LOGIN_CONNECTIONS, LOGIN_SECS),
#    LOGIN_ROUNDS rounds alternating SQLite / PostgreSQL and the three kinds.
#    The three should take the same time: one argon2id each.
# 2. GET / (the home map, gzip accepted) alone, then while a second wrk
#    sends wrong-password log-ins as fast as it can, with LOAD_CONNECTIONS
#    connections ("load", within the hashing queue) and with
#    FLOOD_CONNECTIONS ("flood", beyond it: 503s expected). HOME_ROUNDS
#    rounds per backend. Targets: home p99 under load <= 2 x alone, home
#    requests/s >= 0.5 x alone.
# 3. A rate-limited log-in: a server with OPENWELFARE_AUTH_RATE_PER_ACCOUNT=1,
#    so after the first attempt every log-in for the account is refused
#    with 429 before any hashing; wrk on those 429s, alternating with
#    GET /healthz on the same server (the bare request), RL_ROUNDS rounds.
# 4. A check, not a measurement: does a fresh, idle server still answer a
#    log-in (401) after LEAK_RUNS short wrk runs have each ended with
#    requests waiting for the hashing queue? (Written because it did not:
#    see docs/BENCHMARKS.md.) Because of that, every log-in run of parts 1
#    and 2 starts on a freshly restarted server.
#
# Around each wrk run the script reads the server's CPU time (utime + stime
# in /proc/PID/stat), wrk's own (bash `time`), PostgreSQL's processes' and
# the machine's (/proc/stat): what remains is the CPU that other processes
# took during the run, reported so that a busy machine shows in the record.
# Prints the machine and markdown tables. Loopback only; every wait is
# bounded; servers, wrk, temp files and the PostgreSQL database are removed
# on exit (trap).
#
# Environment (all optional):
#   CARGO_TARGET_DIR   where the release binary is built (default: target)
#   OW_BENCH_BIN       benchmark this binary instead of building one (a release build)
#   OW_BENCH_DATA      data mirror (default: ../shared/data, else /work/shared/data)
#   OW_BENCH_PG        PostgreSQL admin URL without database
#                      (default: postgres://postgres@127.0.0.1:5432); unreachable: SQLite only
#   OW_BENCH_PG_ADMIN_DB  existing database for CREATE/DROP (default: test, else postgres)
#   OW_BENCH_AUTH_PORT first of three loopback ports (default: 38491)
#   OW_BENCH_PASSWORD  the benchmark account's password (default: tortellini sotto le due torri)
#   LOGIN_ROUNDS (3), LOGIN_THREADS (2), LOGIN_CONNECTIONS (16), LOGIN_SECS (15)
#   HOME_ROUNDS (3), HOME_THREADS (1), HOME_CONNECTIONS (16), HOME_SECS (15)
#   LOAD_THREADS (1), LOAD_CONNECTIONS (16), FLOOD_CONNECTIONS (128), LEAD_SECS (2)
#   RL_ROUNDS (3), RL_THREADS (2), RL_CONNECTIONS (16), RL_SECS (10)
#   LEAK_RUNS (8), WARMUP_SECS (3), READY_TIMEOUT (120), LOGIN_TIMEOUT (10s: wrk --timeout for log-ins)
#   OW_BENCH_KEEP      a directory to copy the raw logs into

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd)
# shellcheck source=tests/bench/lib.sh
source "$ROOT/tests/bench/lib.sh" # PIDS, stop_pid, bench_cleanup, pg_connect, find_data_mirror...
BENCH=$ROOT/tests/bench

LOGIN_ROUNDS=${LOGIN_ROUNDS:-3}
LOGIN_THREADS=${LOGIN_THREADS:-2}
LOGIN_CONNECTIONS=${LOGIN_CONNECTIONS:-16}
LOGIN_SECS=${LOGIN_SECS:-15}
HOME_ROUNDS=${HOME_ROUNDS:-3}
HOME_THREADS=${HOME_THREADS:-1}
HOME_CONNECTIONS=${HOME_CONNECTIONS:-16}
HOME_SECS=${HOME_SECS:-15}
LOAD_THREADS=${LOAD_THREADS:-1}
LOAD_CONNECTIONS=${LOAD_CONNECTIONS:-16}
FLOOD_CONNECTIONS=${FLOOD_CONNECTIONS:-128}
LEAD_SECS=${LEAD_SECS:-2}
RL_ROUNDS=${RL_ROUNDS:-3}
RL_THREADS=${RL_THREADS:-2}
RL_CONNECTIONS=${RL_CONNECTIONS:-16}
RL_SECS=${RL_SECS:-10}
LEAK_RUNS=${LEAK_RUNS:-8}
WARMUP_SECS=${WARMUP_SECS:-3}
# wrk's default (2 s) would drop slow log-ins from the latency figures as "timeouts"
LOGIN_TIMEOUT=${LOGIN_TIMEOUT:-10s}
READY_TIMEOUT=${READY_TIMEOUT:-120}
PG_BASE=${OW_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
PORT=${OW_BENCH_AUTH_PORT:-38491}
PG_DB=ow_bench_auth
EMAIL=bench@example.org
UNKNOWN_EMAIL=nobody-here@example.org
PASSWORD=${OW_BENCH_PASSWORD:-tortellini sotto le due torri}
WRONG_PASSWORD="$PASSWORD, ma sbagliata"
# The configuration accepts at most 1,000,000 per minute for either limit.
HIGH_RATE=1000000
TOKEN_PATH=/api/v1/auth/token
TIMEFORMAT='%3U %3S'

case $PASSWORD in *'"'* | *'\'*) echo "OW_BENCH_PASSWORD: no quotes or backslashes, please" >&2; exit 1 ;; esac

find_data_mirror # DATA

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'auth.sh: %s\n' "$*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------
need_tools wrk:wrk curl:curl psql:postgresql-client

# --- build -------------------------------------------------------------------
if [[ -n ${OW_BENCH_BIN:-} ]]; then
    BIN=$OW_BENCH_BIN
    BUILT="given as OW_BENCH_BIN, not built by this run"
else
    TARGET_DIR=${CARGO_TARGET_DIR:-target}
    log "building the release binary into $TARGET_DIR"
    cargo build --release -p openwelfare >&2 || die "the release build failed"
    BIN=$TARGET_DIR/release/openwelfare
    BUILT="built by this run: cargo build --release -p openwelfare"
fi
[[ $BIN == /* ]] || BIN=$ROOT/$BIN
[[ -x $BIN ]] || die "no binary at $BIN"

# --- temp dir, processes, cleanup ------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ow-bench-auth.XXXXXX")
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$TMP/logs" "$TMP/mail"

# --- PostgreSQL ----------------------------------------------------------------------
pg_connect
if ((PG_OK)); then
    pg_fresh_db
else
    log "PostgreSQL not reachable at $PG_BASE: SQLite only"
fi

# --- machine -------------------------------------------------------------------------
MACHINE_DATE=$(date -u)
LOAD_START=$(cut -d" " -f1-3 /proc/loadavg)
MACHINE_NPROC=$(nproc)
MACHINE_MEM=$(free -h | awk '/^Mem:/ { print $2 }')
MACHINE_CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
WRK_VERSION=$(wrk -v 2>&1 | head -1 | awk '{ print $2 }' || true)
CLK_TCK=$(getconf CLK_TCK)
# The commit, read from .git without running git (the working tree may differ
# from it: the binary's checksum and time identify what was measured).
GIT_REV=$(git_rev)
BIN_ID="sha256 $(sha256sum "$BIN" | cut -c1-12), built $(date -u -r "$BIN" '+%F %T UTC')"

# CPU accounting, in clock ticks
# "busy steal": user + nice + system; irq and softirq are left out, as most of
# them here is loopback traffic of the benchmark's own that no process is charged for.
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4, $9 }' /proc/stat; }
now() { date +%s.%N; }
# others_pct MACHINE_TICKS_DELTA OWN_SECONDS WALL_SECONDS -> % of all cores used by other processes
others_pct() {
    awk -v m="$1" -v own="$2" -v w="$3" -v hz="$CLK_TCK" -v n="$MACHINE_NPROC" 'BEGIN {
        x = (m / hz - own) / (w * n) * 100; if (x < 0) x = 0; printf "%.1f", x }'
}
declare -A OTHERS STEAL # per part: "v1 v2 ..." (% of the machine)

# --- servers ---------------------------------------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$PORT" $((PORT + 1)) $((PORT + 2)); do
    port_free "$p" || die "port $p is taken: set OW_BENCH_AUTH_PORT"
done

declare -A SERVER_PID SERVER_PORT SERVER_ARGS

# start NAME DATABASE_URL PORT PER_IP PER_ACCOUNT: start the server and wait
# until /readyz says 200 with "data":"loaded" (it imports on first start).
start() {
    local name=$1 port=$3 pid deadline body
    ow_env "$@"
    SERVER_ARGS[$name]="$*"
    # a simple command in the background: $! is the server itself (env execs it)
    env "${OW_ENV[@]}" "$BIN" serve >>"$TMP/logs/serve-$name.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    SERVER_PID[$name]=$pid
    SERVER_PORT[$name]=$port
    deadline=$((SECONDS + READY_TIMEOUT))
    while :; do
        if ! running "$pid"; then
            cat "$TMP/logs/serve-$name.log" >&2
            die "the $name server exited before it was ready"
        fi
        body=$(curl -fsS --max-time 2 "http://127.0.0.1:$port/readyz" 2>/dev/null || true)
        if [[ $body == *'"data":"loaded"'* ]]; then break; fi
        if ((SECONDS >= deadline)); then
            cat "$TMP/logs/serve-$name.log" >&2
            die "the $name server was not ready within ${READY_TIMEOUT}s (last /readyz: ${body:-no answer})"
        fi
        sleep 0.1
    done
}
# serve NAME DATABASE_URL PORT PER_IP PER_ACCOUNT: start, then create the account
serve() {
    start "$@"
    if ! printf '%s\n' "$PASSWORD" | env "${OW_ENV[@]}" "$BIN" admin create --email "$EMAIL" --password-stdin \
        >"$TMP/logs/admin-$1.log" 2>&1; then
        cat "$TMP/logs/admin-$1.log" >&2
        die "admin create failed on $1"
    fi
    log "$1 server ready on port $3 (pid ${SERVER_PID[$1]}): $(tr '\n' ' ' <"$TMP/logs/admin-$1.log")"
}
restart() { # NAME: a fresh process on the same database (no import, the account exists)
    stop_pid "${SERVER_PID[$1]}"
    # shellcheck disable=SC2086 # the saved arguments have no spaces
    start ${SERVER_ARGS[$1]}
}
alive() { # NAME
    running "${SERVER_PID[$1]}" || {
        tail -20 "$TMP/logs/serve-$1.log" >&2
        die "the $1 server died during the run"
    }
}

login_json() { printf '{"email":"%s","password":"%s"}' "$1" "$2"; }
post_status() { # PORT EMAIL PASSWORD -> HTTP status; body in $TMP/last.json
    curl -sS --max-time 10 -o "$TMP/last.json" -w '%{http_code}' -X POST \
        -H 'Content-Type: application/json' --data "$(login_json "$2" "$3")" \
        "http://127.0.0.1:$1$TOKEN_PATH"
}
expect_status() { # PORT EMAIL PASSWORD STATUS WHAT
    local got
    got=$(post_status "$1" "$2" "$3")
    [[ $got == "$4" ]] || die "$5: expected $4, got $got: $(head -c 300 "$TMP/last.json")"
    if [[ $4 == 200 ]]; then
        grep -q '"access_token"' "$TMP/last.json" || die "$5: 200 without an access_token"
    fi
}

# --- wrk ------------------------------------------------------------------------------------
# parse_wrk LOG -> PARSED="rps p50_ms p99_ms requests non2xx socket_errors statuses"
# (statuses from count.lua: "200=N,401=M", or "-" without the script).
# Results go to globals, not stdout: a failure inside $(...) would not stop the script.
parse_wrk() {
    local out=$1 rps p50 p99 reqs non2xx sock statuses
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    reqs=$(awk '/requests in/ { print $1 }' "$out")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
    sock=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")
    statuses=$(awk '$1 == "status" { printf "%s%s=%s", sep, $2, $3; sep = "," }' "$out")
    [[ -n $rps && -n $reqs ]] || { cat "$out" >&2; die "cannot read wrk's output $out"; }
    PARSED="$rps ${p50:-n/a} ${p99:-n/a} $reqs ${non2xx:-0} ${sock:-0} ${statuses:--}"
}
sum_time() { awk '{ print $1 + $2 }' "$1"; } # bash `time` output "user sys" -> seconds

declare -A RPS P50 P99 CPU_US STATUS SOCK NON2XX
add_statuses() { # KEY "200=3,401=2": add to STATUS[KEY]
    local key=$1
    STATUS[$key]=$(printf '%s\n%s\n' "${STATUS[$key]:-}" "$2" | tr ',' '\n' | awk -F= 'NF == 2 { n[$1] += $2 }
        END { for (c in n) print c "=" n[c] }' | sort -n | paste -sd, -)
}
record() { # KEY "parse_wrk fields" [CPU_US]
    local key=$1 rps p50 p99 reqs non2xx sock statuses
    read -r rps p50 p99 reqs non2xx sock statuses <<<"$2"
    RPS[$key]+=" $rps" P50[$key]+=" $p50" P99[$key]+=" $p99"
    [[ -z ${3:-} ]] || CPU_US[$key]+=" $3"
    NON2XX[$key]=$((${NON2XX[$key]:-0} + non2xx))
    SOCK[$key]=$((${SOCK[$key]:-0} + sock))
    [[ $statuses == - ]] || add_statuses "$key" "$statuses"
}
RUN=0
PART=setup
# wrk_run NAME SERVER [wrk args...]: wrk against SERVER in the foreground. Sets
# WRK_FIELDS (parse_wrk), WRK_CPU (the server's CPU microseconds per request),
# WRK_SELF (wrk's own CPU seconds) and appends the others' share to OTHERS[$PART].
wrk_run() {
    local name=$1 server=$2 out t0 t1 m0 s0 m1 s1 p0 p1 w0 w1 reqs
    shift 2
    RUN=$((RUN + 1))
    out="$TMP/logs/$(printf '%03d' $RUN)-$name.log"
    read -r m0 s0 < <(machine_ticks); t0=$(proc_ticks "${SERVER_PID[$server]}"); p0=$(pg_ticks); w0=$(now)
    if ! { time wrk "$@" >"$out" 2>&1; } 2>"$out.time"; then
        cat "$out" >&2
        die "wrk failed ($name)"
    fi
    read -r m1 s1 < <(machine_ticks); t1=$(proc_ticks "${SERVER_PID[$server]}"); p1=$(pg_ticks); w1=$(now)
    alive "$server"
    parse_wrk "$out"
    WRK_FIELDS=$PARSED
    WRK_SELF=$(sum_time "$out.time")
    reqs=$(awk '{ print $4 }' <<<"$WRK_FIELDS")
    WRK_CPU=$(awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN {
        if (n > 0) printf "%.1f", (b - a) / hz * 1e6 / n; else print "n/a" }')
    if [[ $name != warmup* && $name != leak* ]]; then
        local own wall
        own=$(awk -v t=$((t1 - t0 + p1 - p0)) -v hz="$CLK_TCK" -v w="$WRK_SELF" 'BEGIN { print t / hz + w }')
        wall=$(awk -v a="$w0" -v b="$w1" 'BEGIN { print b - a }')
        OTHERS[$PART]+=" $(others_pct $((m1 - m0)) "$own" "$wall")"
        STEAL[$PART]+=" $(others_pct $((s1 - s0)) 0 "$wall")"
    fi
}
login_wrk() { # NAME SERVER EMAIL PASSWORD THREADS CONNECTIONS SECS
    LOGIN_EMAIL=$3 LOGIN_PASSWORD=$4 wrk_run "$1" "$2" -t"$5" -c"$6" -d"$7s" --timeout "$LOGIN_TIMEOUT" --latency \
        -s "$BENCH/login.lua" "http://127.0.0.1:${SERVER_PORT[$2]}$TOKEN_PATH"
}
say() { # LABEL "fields" [CPU_US]: one progress line
    local rps p50 p99 reqs non2xx sock statuses others=${OTHERS[$PART]:-}
    read -r rps p50 p99 reqs non2xx sock statuses <<<"$2"
    log "$(printf '%-30s %9.1f req/s  p50 %8s ms  p99 %8s ms  %s%s  others %s%%' "$1" "$rps" "$p50" "$p99" \
        "${statuses/#-/non-2xx=$non2xx}" "${3:+  server CPU ${3} us/req}" "${others##* }")"
}

BACKENDS=(sqlite)
serve sqlite "sqlite://$TMP/b.db" "$PORT" "$HIGH_RATE" "$HIGH_RATE"
if ((PG_OK)); then
    serve postgres "$PG_BASE/$PG_DB" $((PORT + 1)) "$HIGH_RATE" "$HIGH_RATE"
    BACKENDS+=(postgres)
fi

for b in "${BACKENDS[@]}"; do
    port=${SERVER_PORT[$b]}
    expect_status "$port" "$EMAIL" "$PASSWORD" 200 "$b: log-in with the right password"
    expect_status "$port" "$EMAIL" "$WRONG_PASSWORD" 401 "$b: log-in with a wrong password"
    expect_status "$port" "$UNKNOWN_EMAIL" "$PASSWORD" 401 "$b: log-in for an unknown address"
    curl -fsS --max-time 5 -o /dev/null -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/" ||
        die "$b: GET / failed"
done
HOME_BYTES=$(curl -fsS --compressed -o - "http://127.0.0.1:$PORT/" | wc -c)
HOME_GZ_BYTES=$(curl -fsS -H 'Accept-Encoding: gzip' -o - "http://127.0.0.1:$PORT/" | wc -c)

# --- 1. log-in: right password, wrong password, unknown address ------------------------
# Each run: a restarted server (see part 4), a warm-up with as many connections
# as hashing permits (nothing waits, so nothing is left waiting), the run.
PART=1
MODES=(right wrong unknown)
mode_args() { # MODE -> "EMAIL<TAB>PASSWORD"
    case $1 in
    right) printf '%s\t%s' "$EMAIL" "$PASSWORD" ;;
    wrong) printf '%s\t%s' "$EMAIL" "$WRONG_PASSWORD" ;;
    unknown) printf '%s\t%s' "$UNKNOWN_EMAIL" "$PASSWORD" ;;
    esac
}
LOAD_PART1="$(cut -d" " -f1-3 /proc/loadavg)"
for r in $(seq "$LOGIN_ROUNDS"); do
    for b in "${BACKENDS[@]}"; do
        for m in "${MODES[@]}"; do
            IFS=$'\t' read -r em pw <<<"$(mode_args "$m")"
            restart "$b"
            login_wrk "warmup-login-$b-$m" "$b" "$em" "$pw" 1 2 "$WARMUP_SECS"
            login_wrk "login-$b-$m" "$b" "$em" "$pw" "$LOGIN_THREADS" "$LOGIN_CONNECTIONS" "$LOGIN_SECS"
            record "$b/$m" "$WRK_FIELDS" "$WRK_CPU"
            say "$r/$LOGIN_ROUNDS $b $m" "$WRK_FIELDS" "$WRK_CPU"
        done
    done
done

# --- 2. the home map, alone and under log-in load ------------------------------------------
PART=2
home_wrk() { # NAME SERVER SECS
    wrk_run "$1" "$2" -t"$HOME_THREADS" -c"$HOME_CONNECTIONS" -d"$3s" --latency \
        -H 'Accept-Encoding: gzip' "http://127.0.0.1:${SERVER_PORT[$2]}/"
}
# home_loaded NAME SERVER CONNECTIONS: a log-in wrk (wrong password) starts
# LEAD_SECS before the home wrk and ends LEAD_SECS after it. Sets HOME_FIELDS,
# LOGIN_FIELDS; the others' share is taken over the log-in wrk's whole run.
home_loaded() {
    local name=$1 server=$2 conns=$3 lout lpid m0 s0 m1 s1 t0 t1 p0 p1 w0 w1 own
    RUN=$((RUN + 1))
    lout="$TMP/logs/$(printf '%03d' $RUN)-$name-logins.log"
    read -r m0 s0 < <(machine_ticks); t0=$(proc_ticks "${SERVER_PID[$server]}"); p0=$(pg_ticks); w0=$(now)
    {
        time LOGIN_EMAIL=$EMAIL LOGIN_PASSWORD=$WRONG_PASSWORD wrk -t"$LOAD_THREADS" -c"$conns" \
            -d"$((HOME_SECS + 2 * LEAD_SECS))s" --timeout "$LOGIN_TIMEOUT" --latency -s "$BENCH/login.lua" \
            "http://127.0.0.1:${SERVER_PORT[$server]}$TOKEN_PATH" >"$lout" 2>&1
    } 2>"$lout.time" &
    lpid=$!
    PIDS+=("$lpid")
    sleep "$LEAD_SECS"
    home_wrk "$name" "$server" "$HOME_SECS"
    HOME_FIELDS=$WRK_FIELDS
    OTHERS[$PART]=${OTHERS[$PART]% *} STEAL[$PART]=${STEAL[$PART]% *} # replaced below
    wait "$lpid" || { cat "$lout" >&2; die "the log-in wrk failed ($name)"; }
    stop_pid "$lpid"
    read -r m1 s1 < <(machine_ticks); t1=$(proc_ticks "${SERVER_PID[$server]}"); p1=$(pg_ticks); w1=$(now)
    alive "$server"
    parse_wrk "$lout"
    LOGIN_FIELDS=$PARSED
    own=$(awk -v t=$((t1 - t0 + p1 - p0)) -v hz="$CLK_TCK" -v a="$WRK_SELF" -v b="$(sum_time "$lout.time")" \
        'BEGIN { print t / hz + a + b }')
    OTHERS[$PART]+=" $(others_pct $((m1 - m0)) "$own" "$(awk -v a="$w0" -v b="$w1" 'BEGIN { print b - a }')")"
    STEAL[$PART]+=" $(others_pct $((s1 - s0)) 0 "$(awk -v a="$w0" -v b="$w1" 'BEGIN { print b - a }')")"
}
LOAD_PART2="$(cut -d" " -f1-3 /proc/loadavg)"
for r in $(seq "$HOME_ROUNDS"); do
    for b in "${BACKENDS[@]}"; do
        restart "$b"
        home_wrk "warmup-home-$b" "$b" "$WARMUP_SECS"
        home_wrk "home-$b-alone" "$b" "$HOME_SECS"
        record "$b/home-alone" "$WRK_FIELDS" "$WRK_CPU"
        say "$r/$HOME_ROUNDS $b home alone" "$WRK_FIELDS" "$WRK_CPU"
        for kind in load flood; do
            if [[ $kind == load ]]; then conns=$LOAD_CONNECTIONS; else conns=$FLOOD_CONNECTIONS; fi
            restart "$b"
            home_wrk "warmup-home-$b" "$b" "$WARMUP_SECS"
            home_loaded "home-$b-$kind" "$b" "$conns"
            record "$b/home-$kind" "$HOME_FIELDS"
            record "$b/logins-$kind" "$LOGIN_FIELDS"
            say "$r/$HOME_ROUNDS $b home + $kind" "$HOME_FIELDS"
            say "$r/$HOME_ROUNDS $b   its log-ins" "$LOGIN_FIELDS"
        done
    done
done

# --- 4. (run here, on the SQLite server) does an idle server still take log-ins? --------
PART=4
restart sqlite
LEAK_PROBES=""
LEAK_FIRST=none
for i in $(seq "$LEAK_RUNS"); do
    login_wrk "leak-$i" sqlite "$EMAIL" "$WRONG_PASSWORD" 1 "$LOGIN_CONNECTIONS" 1
    sleep 1 # the hashes in flight finish; the server is idle
    got=$(post_status "$PORT" "$EMAIL" "$WRONG_PASSWORD")
    LEAK_PROBES+="${LEAK_PROBES:+ }$got"
    if [[ $got == 503 && $LEAK_FIRST == none ]]; then LEAK_FIRST=$i; fi
done
if [[ $LEAK_FIRST != none ]]; then
    sleep 10
    LEAK_LATER=$(post_status "$PORT" "$EMAIL" "$WRONG_PASSWORD")
    LEAK_RIGHT=$(post_status "$PORT" "$EMAIL" "$PASSWORD")
    LEAK_RESULT="**LEAK**: an idle server refused log-ins with 503 after wrk run $LEAK_FIRST of $LEAK_RUNS; 10 s later still $LEAK_LATER (and $LEAK_RIGHT for the right password)"
    log "LEAK: after $LEAK_FIRST short wrk runs an idle server answers log-ins with 503 (probes: $LEAK_PROBES)"
else
    LEAK_RESULT="no leak: an idle server still answered 401 after each of the $LEAK_RUNS runs"
fi
log "part 4: $LEAK_RESULT; probes: $LEAK_PROBES"

# --- 3. a rate-limited log-in (429) against the bare request ------------------------------
PART=3
for b in "${BACKENDS[@]}"; do stop_pid "${SERVER_PID[$b]}"; done
serve limited "sqlite://$TMP/limited.db" $((PORT + 2)) "$HIGH_RATE" 1
LPORT=${SERVER_PORT[limited]}
# Creating the account is no attempt: the first log-in passes, the next is refused.
expect_status "$LPORT" "$EMAIL" "$PASSWORD" 200 "limited: the first log-in"
expect_status "$LPORT" "$EMAIL" "$PASSWORD" 429 "limited: the second log-in"
RETRY_AFTER=$(curl -sS -D - -o /dev/null -X POST -H 'Content-Type: application/json' \
    --data "$(login_json "$EMAIL" "$PASSWORD")" "http://127.0.0.1:$LPORT$TOKEN_PATH" |
    tr -d '\r' | awk -F': ' 'tolower($1) == "retry-after" { print $2 }')
[[ -n $RETRY_AFTER ]] || die "limited: a 429 without Retry-After"
healthz_wrk() { # NAME SECS
    wrk_run "$1" limited -t"$RL_THREADS" -c"$RL_CONNECTIONS" -d"$2s" --latency \
        -s "$BENCH/count.lua" "http://127.0.0.1:$LPORT/healthz"
}
LOAD_PART3="$(cut -d" " -f1-3 /proc/loadavg)"
log "warm-up: /healthz and refused log-ins, ${WARMUP_SECS}s each"
healthz_wrk warmup-healthz "$WARMUP_SECS"
login_wrk warmup-limited limited "$EMAIL" "$PASSWORD" "$RL_THREADS" "$RL_CONNECTIONS" "$WARMUP_SECS"
for r in $(seq "$RL_ROUNDS"); do
    healthz_wrk healthz "$RL_SECS"
    record healthz "$WRK_FIELDS" "$WRK_CPU"
    say "$r/$RL_ROUNDS GET /healthz" "$WRK_FIELDS" "$WRK_CPU"
    login_wrk limited limited "$EMAIL" "$PASSWORD" "$RL_THREADS" "$RL_CONNECTIONS" "$RL_SECS"
    record limited "$WRK_FIELDS" "$WRK_CPU"
    say "$r/$RL_ROUNDS refused log-in" "$WRK_FIELDS" "$WRK_CPU"
done
stop_pid "${SERVER_PID[limited]}"

# --- report -----------------------------------------------------------------------------------
fmt() { # VALUE DECIMALS, or g for 3 significant digits
    awk -v x="$1" -v d="$2" 'BEGIN {
        if (x == "n/a") print x
        else if (d == "g" && (x >= 100 || x <= -100)) printf "%.0f\n", x
        else if (d == "g") printf "%.3g\n", x
        else printf "%.*f\n", d, x
    }'
}
cell() { # "values" DECIMALS -> "median (min–max)"
    local m lo hi
    read -r m lo hi < <(stats "$1")
    if [[ $m == n/a ]]; then echo "n/a"; return; fi
    echo "$(fmt "$m" "$2") ($(fmt "$lo" "$2")–$(fmt "$hi" "$2"))"
}
median() { stats "$1" | awk '{ print $1 }'; }
ratio() { # VALUES_A VALUES_B -> median(A) / median(B), 3 significant digits
    awk -v a="$(median "$1")" -v b="$(median "$2")" 'BEGIN {
        if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.3g\n", a / b }'
}
total_of() { tr ',' '\n' <<<"${STATUS[$1]:-}" | awk -F= '{ s += $2 } END { print s + 0 }'; }
count_of() { # KEY CODE -> how many answers with that status
    tr ',' '\n' <<<"${STATUS[$1]:-}" | awk -F= -v c="$2" '$1 == c { n += $2 } END { print n + 0 }'
}
answers() { # KEY -> "200: N, 401: M"
    local s=${STATUS[$1]:-}
    if [[ -z $s ]]; then printf 'non-2xx: %s' "${NON2XX[$1]:-0}"; else
        tr ',' '\n' <<<"$s" | awk -F= '{ printf "%s%s: %d", sep, $1, $2; sep = ", " }'
    fi
    [[ ${SOCK[$1]:-0} == 0 ]] || printf ', socket errors: %s' "${SOCK[$1]}"
}
target() { # VALUE OP LIMIT -> "met" / "MISSED"
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
        if (v == "n/a") { print "n/a"; exit }
        ok = (op == "<=") ? (v <= l) : (v >= l)
        print ok ? "met" : "**missed**" }'
}
PROBLEMS=()
for b in "${BACKENDS[@]}"; do
    n=$(count_of "$b/right" 200); t=$(total_of "$b/right")
    ((n == t)) || PROBLEMS+=("$b: right-password log-ins that were not 200: $((t - n))")
    for m in wrong unknown; do
        n=$(count_of "$b/$m" 401); t=$(total_of "$b/$m")
        ((n == t)) || PROBLEMS+=("$b: $m log-ins that were not 401: $((t - n))")
    done
    n=$(count_of "$b/logins-load" 503)
    ((n == 0)) || PROBLEMS+=("$b: $n 503s under the load of $LOAD_CONNECTIONS connections, within the queue")
    ((${NON2XX[$b/home-alone]:-0} + ${NON2XX[$b/home-load]:-0} + ${NON2XX[$b/home-flood]:-0} == 0)) ||
        PROBLEMS+=("$b: GET / answered non-2xx")
done
for key in "${!SOCK[@]}"; do
    if [[ $key != */logins-flood && ${SOCK[$key]} != 0 ]]; then PROBLEMS+=("$key: ${SOCK[$key]} socket errors"); fi
done
others_line() { # PART
    echo "median $(fmt "$(median "${OTHERS[$1]:-}")" 1) %, max $(stats "${OTHERS[$1]:-}" | awk '{ print $3 }') % (steal max $(stats "${STEAL[$1]:-}" | awk '{ print $3 }') %)"
}

cat <<EOF

## Machine

- date: $MACHINE_DATE
- nproc: $MACHINE_NPROC, memory: $MACHINE_MEM, CPU: $MACHINE_CPU
- load average (1, 5, 15 min): start $LOAD_START; part 1 $LOAD_PART1; part 2 $LOAD_PART2; part 3 $LOAD_PART3; end $(cut -d" " -f1-3 /proc/loadavg)
- CPU taken by other processes during the measured runs, % of the whole machine (user + nice + system
  time in /proc/stat minus the server's, wrk's and PostgreSQL's processes'): part 1 $(others_line 1); part 2 $(others_line 2); part 3 $(others_line 3)
- openwelfare: working tree at $GIT_REV, release profile ($BIN, $BIN_ID; $BUILT); PostgreSQL $PG_VERSION; wrk $WRK_VERSION
- data: $DATA, imported by each server on its first start (each waited for /readyz 200 with "data":"loaded")
- servers: OPENWELFARE_LOG_LEVEL=warn, OPENWELFARE_AUTH_RATE_PER_IP=$HIGH_RATE and OPENWELFARE_AUTH_RATE_PER_ACCOUNT=$HIGH_RATE
  (parts 1, 2, 4; the configuration's maximum); argon2id m=19 MiB t=2 p=1, one hashing thread at background priority (SCHED_IDLE), queue 64, 1 s pause before a 503

## 1. Log-in: POST $TOKEN_PATH

\`wrk -t$LOGIN_THREADS -c$LOGIN_CONNECTIONS -d${LOGIN_SECS}s --timeout $LOGIN_TIMEOUT --latency -s tests/bench/login.lua\`; $LOGIN_ROUNDS rounds alternating
backend and kind; each run on a freshly restarted server after a ${WARMUP_SECS}s warm-up with 2 connections. Median (min–max).
Server CPU: utime + stime of the server process over the run, per log-in (PostgreSQL's own processes not included).

| backend | log-in | log-ins/s | p50 ms | p99 ms | server CPU ms / log-in | answers |
| --- | --- | --- | --- | --- | --- | --- |
EOF
for b in "${BACKENDS[@]}"; do
    for m in "${MODES[@]}"; do
        case $m in right) what="right password" ;; wrong) what="wrong password" ;; unknown) what="unknown address" ;; esac
        cpu_ms=$(for v in ${CPU_US[$b/$m]}; do awk -v x="$v" 'BEGIN { print x / 1000 }'; done | paste -sd' ')
        echo "| $b | $what | $(cell "${RPS[$b/$m]}" 1) | $(cell "${P50[$b/$m]}" g) | $(cell "${P99[$b/$m]}" g) | $(cell "$cpu_ms" g) | $(answers "$b/$m") |"
    done
done
echo
echo "Same time whether or not the address exists (median p50 over the right password's median p50; log-ins/s likewise):"
echo
for b in "${BACKENDS[@]}"; do
    echo "- $b: p50 wrong password $(ratio "${P50[$b/wrong]}" "${P50[$b/right]}"), unknown address $(ratio "${P50[$b/unknown]}" "${P50[$b/right]}") (unknown / wrong $(ratio "${P50[$b/unknown]}" "${P50[$b/wrong]}")); log-ins/s wrong $(ratio "${RPS[$b/wrong]}" "${RPS[$b/right]}"), unknown $(ratio "${RPS[$b/unknown]}" "${RPS[$b/right]}")"
done

cat <<EOF

## 2. GET / (home map) alone and under log-in load

Home: \`wrk -t$HOME_THREADS -c$HOME_CONNECTIONS -d${HOME_SECS}s --latency -H 'Accept-Encoding: gzip' /\` ($HOME_BYTES bytes, $HOME_GZ_BYTES gzipped).
Load: a second wrk at the same time, \`wrk -t$LOAD_THREADS -cN -d$((HOME_SECS + 2 * LEAD_SECS))s --timeout $LOGIN_TIMEOUT --latency -s tests/bench/login.lua\`
with a wrong password, started ${LEAD_SECS}s before the home wrk: N = $LOAD_CONNECTIONS ("load", within the 1 + 64 hashing
slots) and N = $FLOOD_CONNECTIONS ("flood", beyond them). $HOME_ROUNDS rounds of alone, load, flood per backend, each on a
restarted server after a ${WARMUP_SECS}s warm-up of GET /. Median (min–max); ratios are of medians.
Targets: p99 ratio <= 2, requests/s ratio >= 0.5.

| backend | home | requests/s | p50 ms | p99 ms | p99 / alone | req/s / alone | log-in wrk: log-ins/s, answers |
| --- | --- | --- | --- | --- | --- | --- | --- |
EOF
for b in "${BACKENDS[@]}"; do
    echo "| $b | alone | $(cell "${RPS[$b/home-alone]}" 0) | $(cell "${P50[$b/home-alone]}" g) | $(cell "${P99[$b/home-alone]}" g) | 1 | 1 | – |"
    for kind in load flood; do
        if [[ $kind == load ]]; then conns=$LOAD_CONNECTIONS; else conns=$FLOOD_CONNECTIONS; fi
        p99r=$(ratio "${P99[$b/home-$kind]}" "${P99[$b/home-alone]}")
        rpsr=$(ratio "${RPS[$b/home-$kind]}" "${RPS[$b/home-alone]}")
        echo "| $b | + log-ins, $conns conns | $(cell "${RPS[$b/home-$kind]}" 0) | $(cell "${P50[$b/home-$kind]}" g) | $(cell "${P99[$b/home-$kind]}" g) | **$p99r** ($(target "$p99r" "<=" 2)) | **$rpsr** ($(target "$rpsr" ">=" 0.5)) | $(cell "${RPS[$b/logins-$kind]}" 1); $(answers "$b/logins-$kind") |"
    done
done

H_RPS=$(median "${RPS[healthz]}")
L_RPS=$(median "${RPS[limited]}")
cat <<EOF

## 3. A rate-limited log-in (429) against GET /healthz

A fresh SQLite server with OPENWELFARE_AUTH_RATE_PER_ACCOUNT=1 (per IP $HIGH_RATE); the account's first log-in
passes, later ones are refused with 429 (Retry-After: $RETRY_AFTER) before any database access or hashing; the
bucket refills one attempt a minute. \`wrk -t$RL_THREADS -c$RL_CONNECTIONS -d${RL_SECS}s --latency\` (the log-in with
\`--timeout $LOGIN_TIMEOUT\`), both with a
response hook counting statuses (\`-s tests/bench/count.lua\` for /healthz, \`-s tests/bench/login.lua\` with the
right password for the log-in); $RL_ROUNDS rounds alternating, after a ${WARMUP_SECS}s warm-up of each.
"µs / request" is wall time over throughput (1 / median requests/s; both cores, wrk included); server CPU is the
server process alone.

| request | requests/s | p50 ms | p99 ms | µs / request | server CPU µs / request | answers |
| --- | --- | --- | --- | --- | --- | --- |
| GET /healthz (bare request) | $(cell "${RPS[healthz]}" 0) | $(cell "${P50[healthz]}" g) | $(cell "${P99[healthz]}" g) | $(awk -v r="$H_RPS" 'BEGIN { printf "%.1f", 1e6 / r }') | $(cell "${CPU_US[healthz]}" 1) | $(answers healthz) |
| POST $TOKEN_PATH, refused | $(cell "${RPS[limited]}" 0) | $(cell "${P50[limited]}" g) | $(cell "${P99[limited]}" g) | $(awk -v r="$L_RPS" 'BEGIN { printf "%.1f", 1e6 / r }') | $(cell "${CPU_US[limited]}" 1) | $(answers limited) |

Refused log-ins per second over /healthz per second: **$(ratio "${RPS[limited]}" "${RPS[healthz]}")**; extra wall time per refused
log-in: $(awk -v a="$L_RPS" -v b="$H_RPS" 'BEGIN { printf "%.1f", 1e6 / a - 1e6 / b }') µs; extra server CPU:
$(awk -v a="$(median "${CPU_US[limited]}")" -v b="$(median "${CPU_US[healthz]}")" 'BEGIN { printf "%.1f", a - b }') µs. A refused log-in against a checked one (part 1, SQLite, right password, medians):
$(awk -v a="$L_RPS" -v b="$(median "${RPS[sqlite/right]}")" 'BEGIN { printf "%.0f", a / b }') times the throughput.

## 4. An idle server after interrupted log-ins

A restarted SQLite server; $LEAK_RUNS times: \`wrk -t1 -c$LOGIN_CONNECTIONS -d1s --timeout $LOGIN_TIMEOUT\` wrong-password log-ins (each run ends
with up to $((LOGIN_CONNECTIONS - 2)) requests waiting for a hashing permit, dropped when wrk closes its connections),
1 s of quiet, one log-in with curl. Answers to the probes: $LEAK_PROBES.
Result: $LEAK_RESULT.
EOF

if ((${#PROBLEMS[@]})); then
    printf '\nPROBLEMS:\n' >&2
    printf -- '- %s\n' "${PROBLEMS[@]}" >&2
    exit 1
fi
