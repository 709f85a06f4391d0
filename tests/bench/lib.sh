# Shared by the benchmark scripts (sourced, not run): child processes,
# clean-up, the PostgreSQL admin connection, the commit and CPU accounting.
#
# Source it right after setting ROOT. The sourcing script then sets
# PG_BASE, PG_DB and TMP, and keeps its background processes in PIDS.

PIDS=()
PG_OK=0
PG_CREATED=0

running() { # PID: alive and not a zombie
    local state
    state=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null || true)
    [[ -n $state && $state != Z ]]
}

stop_pid() { # PID (a child of this shell): TERM, wait at most 10 s, KILL, reap
    local pid=$1 keep=() p
    if running "$pid"; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 100); do running "$pid" || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

# On exit: stop every child, drop the database if this run made it, keep
# the logs where OW_BENCH_KEEP says, remove the temp dir.
bench_cleanup() {
    local status=$?
    set +e
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    if ((PG_CREATED)); then
        psql_admin -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1
    fi
    if [[ -n "${OW_BENCH_KEEP:-}" ]]; then
        mkdir -p "$OW_BENCH_KEEP" && cp -r "$TMP/logs" "$OW_BENCH_KEEP/" 2>/dev/null
    fi
    rm -rf "$TMP"
    exit "$status"
}

# The data mirror: OW_BENCH_DATA, else ../shared/data beside the project,
# else /work/shared/data. Sets DATA; exits when there is none.
find_data_mirror() {
    if [[ -n "${OW_BENCH_DATA:-}" ]]; then
        DATA=$OW_BENCH_DATA
    elif [[ -d "$ROOT/../shared/data" ]]; then
        DATA=$(cd "$ROOT/../shared/data" && pwd)
    else
        DATA=/work/shared/data
    fi
    [[ -d "$DATA" ]] || { echo "no data mirror at $DATA (set OW_BENCH_DATA)" >&2; exit 1; }
}

psql_admin() { psql "$PG_BASE/$ADMIN_DB" -v ON_ERROR_STOP=1 -qAt "$@"; }

# Find a database to run CREATE/DROP from (OW_BENCH_PG_ADMIN_DB, else test,
# else postgres). Sets PG_OK=1 and PG_VERSION when PostgreSQL answers.
pg_connect() {
    ADMIN_DB=${OW_BENCH_PG_ADMIN_DB:-}
    if [[ -z "$ADMIN_DB" ]]; then
        for db in test postgres; do
            if psql "$PG_BASE/$db" -qAtc 'select 1' >/dev/null 2>&1; then ADMIN_DB=$db; break; fi
        done
    fi
    if [[ -n "$ADMIN_DB" ]] && psql_admin -c 'select 1' >/dev/null 2>&1; then
        PG_OK=1
        PG_VERSION=$(psql_admin -c 'show server_version')
    else
        PG_VERSION="not reachable"
    fi
}

pg_fresh_db() { # drop and create PG_DB; bench_cleanup drops it again
    PG_CREATED=1
    psql_admin -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1
    psql_admin -c "CREATE DATABASE $PG_DB" >/dev/null
}

git_rev() { # the commit, read from .git without running git
    local head ref
    if [[ -f $ROOT/.git/HEAD ]]; then
        head=$(<"$ROOT/.git/HEAD")
        if [[ $head == ref:* ]]; then
            ref=${head#ref: }
            head=$(cat "$ROOT/.git/$ref" 2>/dev/null ||
                awk -v r="$ref" '$2 == r { print $1 }' "$ROOT/.git/packed-refs" 2>/dev/null || true)
        fi
        [[ -z $head ]] || { echo "HEAD ${head:0:7}"; return; }
    fi
    echo unknown
}

# CPU time in clock ticks (utime + stime) of one process, and of every
# process named postgres (its backends serve the server's pool).
proc_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() {
    local f sum=0 t
    for f in /proc/[0-9]*/stat; do
        { read -r t <"$f"; } 2>/dev/null || continue
        [[ $t == *' (postgres) '* ]] || continue
        t=${t#*) }
        # shellcheck disable=SC2086
        set -- $t
        sum=$((sum + ${12} + ${13}))
    done
    echo "$sum"
}

# stats "v1 v2 ..." -> "median min max" (numbers, sorted numerically; n/a left out)
stats() {
    tr ' ' '\n' <<<"$1" | awk 'NF && $1 != "n/a"' | sort -g | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "n/a n/a n/a"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            print m, v[1], v[NR]
        }'
}

# ow_env NAME DATABASE_URL PORT [PER_IP PER_ACCOUNT] -> OW_ENV: an
# openwelfare server's settings (rate limits default to the configuration's
# maximum, 1,000,000 a minute, and so do the websocket caps, as every load
# client connects from loopback; mail goes to files under $TMP/mail/NAME).
ow_env() {
    mkdir -p "$TMP/mail/$1"
    OW_ENV=(OPENWELFARE_DATABASE_URL="$2" OPENWELFARE_BIND="127.0.0.1:$3"
        OPENWELFARE_DATA_MIRROR="$DATA" OPENWELFARE_LOG_LEVEL=warn
        OPENWELFARE_MAIL_URL="file:$TMP/mail/$1"
        OPENWELFARE_AUTH_RATE_PER_IP="${4:-1000000}" OPENWELFARE_AUTH_RATE_PER_ACCOUNT="${5:-1000000}"
        OPENWELFARE_WS_MAX_PER_IP=1000000 OPENWELFARE_WS_MAX_TOTAL=1000000)
}

# need_tools COMMAND:PACKAGE ...: install with apt-get the packages whose
# command is missing.
need_tools() {
    local sudo= want=() pair
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null || want+=("${pair#*:}")
    done
    if ((${#want[@]})); then
        log "installing ${want[*]}"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${want[@]}"
    fi
}

to_ms() { # wrk's VALUE-WITH-UNIT (us, ms, s, m) -> milliseconds
    awk -v x="$1" 'BEGIN {
        if (x ~ /us$/) { sub(/us$/, "", x); print x / 1000 }
        else if (x ~ /ms$/) { sub(/ms$/, "", x); print x + 0 }
        else if (x ~ /m$/) { sub(/m$/, "", x); print x * 60000 }
        else if (x ~ /s$/) { sub(/s$/, "", x); print x * 1000 }
        else print "n/a"
    }'
}
