#!/usr/bin/env bash
# Browser tests of the work screens (issue 6): builds web/dist, fills a temporary database with
# a small demo, serves it on a free loopback port, and runs tests/browser/*.test.mjs — each role
# signs in through the page and works its screens in Debian's Chromium, headless, driven by
# playwright-core. Screenshots go to build/screenshots/. Stops the server and removes the
# database on exit; exits non-zero when a test fails.
#
#   scripts/browser-test.sh [JIESU_BINARY]     default build/jiesu, else build-test/jiesu
#   CHROMIUM=/path/to/chromium                 default /usr/bin/chromium (Debian package chromium)
#   JIESU_DEMO_ARGS="--months 6 --cases-per-month 1500"   a bigger demo (docs/screens.md)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bin=${1:-${JIESU_BIN:-}}
if [ -z "$bin" ]; then
  for candidate in build/jiesu build-test/jiesu; do
    if [ -x "$candidate" ]; then bin=$candidate; break; fi
  done
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  echo "browser-test: no jiesu binary (build it, or pass its path)" >&2
  exit 1
fi
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  echo "browser-test: $CHROMIUM is missing (apt-get install chromium)" >&2
  exit 1
fi

scripts/web-build.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jiesu-browser.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

db="sqlite:$tmp/jiesu.db"
started=$(date +%s)
# A small demo keeps the run short, also with the sanitizer build.
read -r -a demo_args <<<"${JIESU_DEMO_ARGS:---months 3 --cases-per-month 300}"
"$bin" demo --db "$db" "${demo_args[@]}" --no-serve >"$tmp/demo.txt" 2>"$tmp/demo.log"
key() { awk -v role="$1" '$1 == role { print $NF }' "$tmp/demo.txt"; }
export JIESU_KEY_OPERATOR JIESU_KEY_HANDLER JIESU_KEY_SUPERVISOR JIESU_KEY_INSPECTOR JIESU_KEY_ADMIN JIESU_KEY_PUBLIC
JIESU_KEY_OPERATOR=$(key operator)
JIESU_KEY_HANDLER=$(key handler)
JIESU_KEY_SUPERVISOR=$(key supervisor)
JIESU_KEY_INSPECTOR=$(key inspector)
JIESU_KEY_ADMIN=$(key admin)
JIESU_KEY_PUBLIC=$(key public)
export JIESU_HANDLER_UNIT
JIESU_HANDLER_UNIT=$(awk '$1 == "handler" { gsub(/[()]/, "", $2); print $2 }' "$tmp/demo.txt")
if [ -z "$JIESU_KEY_OPERATOR" ] || [ -z "$JIESU_KEY_PUBLIC" ] || [ -z "$JIESU_HANDLER_UNIT" ]; then
  echo "browser-test: the demo printed no keys:" >&2
  cat "$tmp/demo.txt" "$tmp/demo.log" >&2
  exit 1
fi

"$bin" serve --db "$db" --listen 127.0.0.1:0 --web-dir "$root/web/dist" >"$tmp/server.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 200); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$tmp/server.log" | head -n 1 || true)
  [ -n "$url" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "browser-test: jiesu serve stopped:" >&2
    cat "$tmp/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "browser-test: jiesu serve did not say where it listens" >&2
  exit 1
fi
export JIESU_URL=$url
export JIESU_SCREENSHOTS=$root/build/screenshots
echo "browser-test: $bin on $url, demo ready in $(( $(date +%s) - started )) s"

status=0
node --test --test-reporter=spec tests/browser/*.test.mjs || status=$?
if [ "$status" -ne 0 ]; then
  echo "browser-test: FAILED; the server's last log lines:" >&2
  tail -n 30 "$tmp/server.log" >&2
fi
echo "browser-test: $(( $(date +%s) - started )) s in all"
exit "$status"
