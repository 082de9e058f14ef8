#!/usr/bin/env bash
# Make sure a Docker engine answers, installing docker.io and starting dockerd when we
# are root and may. Quiet and quick when Docker already works; never starts a second engine.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

readonly DOCKERD_LOG=/var/log/shelf-dockerd.log
readonly INSTALL_HINT="Install Docker (on Debian: apt-get install docker.io) and start it, or run as root so Shelf can."

docker_ok() { have docker && timeout 15 docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; }

dockerd_running() {
  if have pgrep; then
    pgrep -x dockerd >/dev/null
  else
    [[ -f /var/run/docker.pid ]] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null
  fi
}

start_dockerd() {
  if [[ -d /run/systemd/system ]] && have systemctl; then
    say "starting Docker with systemctl"
    systemctl start docker && return 0
  fi
  say "starting dockerd in the background (log: $DOCKERD_LOG)"
  # setsid: its own session, so a Ctrl-C aimed at Shelf does not stop the engine.
  setsid -f nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null
}

main() {
  docker_ok && return 0

  if ! have dockerd || ! have docker; then
    can_apt || die "$INSTALL_HINT"
    apt_install docker.io || die "Installing docker.io failed; $INSTALL_HINT"
    docker_ok && return 0
  fi

  if ! is_root; then
    if [[ -S /var/run/docker.sock && ! -w /var/run/docker.sock ]]; then
      die "Docker runs but you may not use it; add yourself to the docker group (sudo usermod -aG docker \"\$USER\") and log in again."
    fi
    die "$INSTALL_HINT"
  fi

  if dockerd_running; then
    say "dockerd is running but does not answer yet; waiting up to 60 s"
    wait_for 60 docker_ok ||
      die "dockerd runs but did not answer within 60 s; check its log and DOCKER_HOST (now '${DOCKER_HOST:-unset}')."
  else
    start_dockerd
    wait_for 60 docker_ok || die "Docker did not answer within 60 s of starting; see $DOCKERD_LOG."
  fi
  say "Docker is up"
}

main "$@"
