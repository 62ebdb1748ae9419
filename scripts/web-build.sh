#!/usr/bin/env bash
# Builds the web screens into web/dist, which jiesu serves (web/README.md). Idempotent:
#   - `npm ci` only when web/node_modules is missing or older than web/package-lock.json;
#   - `vite build` only when web/dist is missing or older than a source file.
# Needs node >= 18 and npm (Debian 12: apt-get install nodejs npm; when the npm command is
# missing it is installed here with apt-get). Nothing is fetched but the npm packages pinned
# in the lockfile. JIESU_WEB_REBUILD=1 forces the build.
set -euo pipefail
cd "$(dirname "$0")/../web"

if ! command -v node >/dev/null 2>&1; then
  echo "web-build: node is missing (apt-get install nodejs npm)" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
  echo "web-build: node $(node --version) is too old; 18 or later is needed" >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  # Debian ships npm apart from nodejs (NodeSource's nodejs carries its own and conflicts with it).
  echo "web-build: installing npm"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends npm
fi

# npm ci writes node_modules/.package-lock.json last: its time says when the install finished.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "web-build: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${JIESU_WEB_REBUILD:-0}" != 1 ] && [ -f dist/index.html ] &&
   [ -z "$(find index.html vite.config.js package-lock.json src public -newer dist/index.html -print -quit)" ]; then
  echo "web-build: web/dist is up to date"
  exit 0
fi
npm run --silent build -- --logLevel warn
echo "web-build: web/dist built ($(find dist -type f | wc -l) files)"
