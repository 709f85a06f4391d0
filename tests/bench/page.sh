#!/usr/bin/env bash
# Home page weight and first contentful paint, side by side with nginx
# serving the very same bytes (HTML, CSS, JS) as static files, gzip_static.
#   bash tests/bench/page.sh        (from the project root; needs chromium, nginx, node)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd)
RUNS=${RUNS:-7}
PORT=${OW_BENCH_PORT:-38481}
REF_PORT=$((PORT + 1))
DATA=${OW_BENCH_DATA:-$ROOT/../shared/data}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release -p openwelfare >&2
BIN=$TARGET_DIR/release/openwelfare
[[ $BIN == /* ]] || BIN=$ROOT/$BIN
(cd tests/browser && npm ci --no-audit --no-fund >/dev/null)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ow-page.XXXXXX")
chmod 755 "$TMP"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT

OPENWELFARE_DATABASE_URL="sqlite://$TMP/page.db" "$BIN" import --mirror "$DATA" >&2
OPENWELFARE_DATABASE_URL="sqlite://$TMP/page.db" OPENWELFARE_BIND="127.0.0.1:$PORT" \
    OPENWELFARE_LOG_LEVEL=warn OPENWELFARE_AUTO_IMPORT=false "$BIN" serve >"$TMP/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

# The reference: the same page and assets, saved and served by nginx.
mkdir -p "$TMP/www/static" "$TMP/nginx"
curl -fsS -H 'Accept-Language: it' -o "$TMP/www/index.html" "http://127.0.0.1:$PORT/"
for asset in $(grep -o '/static/[a-z]*-[0-9a-f]*\.[a-z]*' "$TMP/www/index.html" | sort -u); do
    curl -fsS -o "$TMP/www$asset" "http://127.0.0.1:$PORT$asset"
done
for f in "$TMP/www/index.html" "$TMP"/www/static/*; do gzip -9 -n -k "$f"; done
cat >"$TMP/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    types { text/html html; text/css css; text/javascript js; }
    server { listen 127.0.0.1:$REF_PORT; root $TMP/www; gzip_static on; index index.html; }
}
CONF
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
"$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" &
PIDS+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$REF_PORT/" >/dev/null && break; sleep 0.1; done

echo "date: $(date -u)  nproc: $(nproc)  runs: $RUNS"
node tests/bench/page.mjs "$RUNS" "http://127.0.0.1:$PORT/" "http://127.0.0.1:$REF_PORT/"
