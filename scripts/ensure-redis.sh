#!/usr/bin/env bash
# Make sure a Redis answers: the one at $REDIS_URL if set, else 127.0.0.1:6379 (started or
# installed here when missing). Safe to run any number of times.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

readonly LOCAL_URL='redis://127.0.0.1:6379'

# A raw RESP PING for machines without redis-cli (node is always there: Shelf needs it).
# Sends AUTH first when the URL carries credentials; exits 0 only on +PONG.
# shellcheck disable=SC2016 # JavaScript, not shell: nothing here should expand
readonly NODE_PING='
const u = new URL(process.argv[1]);
const arg = (x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`;
const cmd = (...a) => `*${a.length}\r\n${a.map(arg).join("")}`;
const s = require("node:net").connect({
  host: u.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
  port: Number(u.port) || 6379,
});
let got = "";
s.setTimeout(3000, () => process.exit(1));
s.on("error", () => process.exit(1));
s.on("end", () => process.exit(1));
s.on("connect", () => {
  if (u.password) {
    const user = u.username ? [decodeURIComponent(u.username)] : [];
    s.write(cmd("AUTH", ...user, decodeURIComponent(u.password)));
  }
  s.write(cmd("PING"));
});
s.on("data", (d) => {
  got += d;
  if (got.includes("+PONG")) process.exit(0);
  if (/(^|\n)-/.test(got)) process.exit(1);
});'

# redis-cli first when present; node as well, since redis-cli 7.0 cannot AUTH with the
# empty user name of redis://:password@host URLs (ioredis, which Shelf uses, can).
redis_ping() {
  if have redis-cli && [[ "$(timeout 5 redis-cli -u "$1" ping 2>/dev/null)" == PONG ]]; then
    return 0
  fi
  have node || die "Install Node.js 20.19 or newer (https://nodejs.org) so Shelf can check Redis."
  timeout 5 node -e "$NODE_PING" "$1" 2>/dev/null
}

# Hide the password when a URL appears in a message.
masked() { sed -E 's#//([^:@/]*):[^@/]*@#//\1:***@#' <<<"$1"; }

start_local_redis() {
  local dir
  dir="$(state_dir)"
  say "starting redis-server on 127.0.0.1:6379 (no persistence; log: .shelf/redis.log)"
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes \
    --save '' --appendonly no \
    --dir "$dir" --logfile "$dir/redis.log" --pidfile "$dir/redis.pid" >/dev/null
  wait_for 10 redis_ping "$LOCAL_URL" ||
    die "redis-server did not answer on 127.0.0.1:6379 within 10 s; see .shelf/redis.log (is another program using the port?)."
}

main() {
  if [[ -n "${REDIS_URL:-}" ]]; then
    redis_ping "$REDIS_URL" ||
      die "Redis at $(masked "$REDIS_URL") does not answer PING; start it, fix REDIS_URL, or unset REDIS_URL to use a local Redis."
    return 0
  fi

  redis_ping "$LOCAL_URL" && return 0

  if ! have redis-server; then
    can_apt || die "Install Redis (apt-get install redis-server) or set REDIS_URL."
    apt_install redis-server || die "Installing redis-server failed; install Redis (apt-get install redis-server) or set REDIS_URL."
    # The package may have started its own service already.
    redis_ping "$LOCAL_URL" && return 0
  fi

  start_local_redis
}

main "$@"
