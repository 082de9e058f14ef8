#!/usr/bin/env bash
# The idempotent set-up behind `npm start` and `npm test`: Node check, npm dependencies,
# Redis, Docker, runtime images and the web build. Each step does work only when needed,
# so a second run takes a second or two.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/setup.sh [options]

  --no-install   skip npm dependencies            (or SHELF_SKIP_INSTALL=1)
  --no-redis     skip the Redis check             (or SHELF_SKIP_REDIS=1)
  --no-docker    skip Docker and runtime images   (or SHELF_SKIP_DOCKER=1; the catalog
                 works, jobs cannot run)
  --no-images    skip building runtime images     (or SHELF_SKIP_IMAGES=1)
  --no-web       skip the web build               (or SHELF_SKIP_WEB=1)
USAGE
}

skip_install=${SHELF_SKIP_INSTALL:-0}
skip_redis=${SHELF_SKIP_REDIS:-0}
skip_docker=${SHELF_SKIP_DOCKER:-0}
skip_images=${SHELF_SKIP_IMAGES:-0}
skip_web=${SHELF_SKIP_WEB:-0}
while (($#)); do
  case $1 in
    --no-install) skip_install=1 ;;
    --no-redis) skip_redis=1 ;;
    --no-docker) skip_docker=1 ;;
    --no-images) skip_images=1 ;;
    --no-web) skip_web=1 ;;
    -h | --help) usage && exit 0 ;;
    *) die "Unknown option '$1'; see scripts/setup.sh --help." ;;
  esac
  shift
done

check_node() {
  have node || die "Install Node.js 20.19 or newer (https://nodejs.org/ or your package manager)."
  have npm || die "Install npm (it ships with Node.js from https://nodejs.org/)."
  local version major minor
  version="$(node -p process.versions.node)"
  IFS=. read -r major minor _ <<<"$version"
  if ((major < 20 || (major == 20 && minor < 19))); then
    die "Node.js $version is too old; install Node.js 20.19 or newer (https://nodejs.org/)."
  fi
}

# npm ci on a fresh checkout; npm install when a manifest or the lock changed since
# node_modules was last written.
install_deps() {
  local stamp=node_modules/.package-lock.json manifest
  if [[ ! -d node_modules ]]; then
    if [[ -f package-lock.json ]]; then
      say "installing dependencies (npm ci)"
      npm ci --no-audit --no-fund >&2
    else
      say "installing dependencies (npm install)"
      npm install --no-audit --no-fund >&2
    fi
    return
  fi
  for manifest in package-lock.json package.json {contract,api,worker,web}/package.json; do
    if [[ ! -f $stamp || ($manifest -nt $stamp) ]]; then
      say "$manifest changed; running npm install"
      npm install --no-audit --no-fund >&2
      # npm leaves the stamp alone when nothing changed; mark node_modules as current.
      touch "$stamp"
      return
    fi
  done
}

build_web() {
  if [[ ! -f web/index.html ]]; then
    say "no web/index.html yet; skipping the web build"
    return
  fi
  local stamp=web/dist/index.html inputs=() path
  for path in web/src web/public web/index.html web/package.json web/vite.config.* web/tsconfig*.json contract/src; do
    [[ -e $path ]] && inputs+=("$path")
  done
  if [[ -f $stamp && -z "$(find "${inputs[@]}" -newer "$stamp" -print -quit)" ]]; then
    return
  fi
  local log started=$SECONDS
  log="$(state_dir)/web-build.log"
  say "building the web app (log: .shelf/web-build.log)"
  if ! npm run build -w web >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "The web build failed; see .shelf/web-build.log."
  fi
  say "web app built in $((SECONDS - started)) s"
}

# The shelf CLI as one file (cli/dist/shelf.js), so `npm install -g ./cli` and the tests find it.
build_cli() {
  local stamp=cli/dist/shelf.js
  if [[ -f $stamp && -z "$(find cli/src cli/build.mjs contract/src -newer "$stamp" -print -quit)" ]]; then
    return
  fi
  if ! npm run --silent build -w cli; then
    die "The shelf CLI did not build; run npm run build -w cli to see why."
  fi
}

main() {
  cd "$SHELF_ROOT"
  check_node
  [[ $skip_install == 1 ]] || install_deps
  [[ $skip_redis == 1 ]] || "$SHELF_ROOT/scripts/ensure-redis.sh"
  if [[ $skip_docker != 1 ]]; then
    "$SHELF_ROOT/scripts/ensure-docker.sh"
    [[ $skip_images == 1 ]] || "$SHELF_ROOT/scripts/build-images.sh"
  fi
  [[ $skip_web == 1 ]] || build_web
  build_cli
}

main
