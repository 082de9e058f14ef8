#!/usr/bin/env bash
# Build shelf/runtime-{shell,python,node}:1 when missing or outdated. An image is current
# when its label shelf.content-hash equals sha256(base image id + runtimes/<name>/ files).
# Base: debian:bookworm-slim when it is present or can be pulled, else shelf/base:bookworm,
# made once from Debian's apt mirror with debootstrap, so this works with no registry.
# --rebuild (or SHELF_REBUILD_IMAGES=1) rebuilds all three without the layer cache, to
# pick up Debian security updates.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

readonly RUNTIMES=(shell python node)
readonly OFFICIAL_BASE=debian:bookworm-slim
readonly OFFLINE_BASE=shelf/base:bookworm
readonly PULL_TIMEOUT=20
rebuild=${SHELF_REBUILD_IMAGES:-0}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
image_id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null; }

# The first mirror in the host's apt sources that serves <suite>, for one-line (.list)
# and deb822 (.sources) files alike.
apt_mirror_for() {
  local suite=$1 files=() f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] && files+=("$f")
  done
  ((${#files[@]})) || return 0
  awk -v want="$suite" '
    function flush() {
      if (!found && types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no" && (" " suites " ") ~ (" " want " ")) {
        split(uris, u, /[ \t]+/); pick(u[1])
      }
      types = uris = suites = enabled = ""
    }
    function pick(uri) { if (uri ~ /^https?:\/\//) { sub(/\/+$/, "", uri); print uri; found = 1; exit } }
    FNR == 1 { flush() }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    /^deb[ \t]/ {
      line = $0; gsub(/\[[^]]*\]/, "", line); split(line, w, /[ \t]+/)
      if (w[3] == want) pick(w[2])
      next
    }
    { key = tolower($1); val = $0; sub(/^[^:]*:[ \t]*/, "", val) }
    key == "types:" { types = val }
    key == "uris:" { uris = val }
    key == "suites:" { suites = val }
    key == "enabled:" { enabled = tolower(val) }
    END { flush() }
  ' "${files[@]}"
}

# Unmount anything debootstrap left mounted under the scratch dir, then remove it.
cleanup_rootfs() {
  local dir=$1 mnt
  [[ -d $dir ]] || return 0
  while read -r mnt; do
    umount -l "$mnt" 2>/dev/null || true
  done < <(awk -v d="$dir" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
  rm -rf --one-file-system "$dir"
}

make_offline_base() {
  is_root || die "Building the offline base image needs root (debootstrap); run scripts/build-images.sh as root once, or make 'docker pull $OFFICIAL_BASE' work."
  if ! have debootstrap; then
    can_apt || die "Install debootstrap (apt-get install debootstrap) so Shelf can build its base image offline."
    apt_install debootstrap || die "Installing debootstrap failed; install it (apt-get install debootstrap) and retry."
  fi

  local mirror security log tmp rootfs started=$SECONDS
  mirror="${SHELF_DEBIAN_MIRROR:-$(apt_mirror_for bookworm)}"
  mirror="${mirror:-http://deb.debian.org/debian}"
  security="$(apt_mirror_for bookworm-security)"
  security="${security:-http://deb.debian.org/debian-security}"
  log="$(state_dir)/debootstrap.log"
  tmp="$(mktemp -d /var/tmp/shelf-base.XXXXXX)"
  rootfs="$tmp/rootfs"
  # shellcheck disable=SC2064 # expand $tmp now: it is local to this function
  trap "cleanup_rootfs '$tmp'" EXIT

  say "no registry: building $OFFLINE_BASE with debootstrap from $mirror (about 30 s; log: .shelf/debootstrap.log)"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$log" 2>&1 ||
    die "debootstrap failed; see .shelf/debootstrap.log (is $mirror reachable?)."

  # Same suites as the official image; the runtime builds run apt-get update themselves.
  cat >"$rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
SOURCES
  # Slim it like debian:bookworm-slim: no docs, man pages or translations, now or later.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/shelf-slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
DPKG
  printf 'Acquire::Languages "none";\n' >"$rootfs/etc/apt/apt.conf.d/shelf-no-languages"
  find "$rootfs/usr/share/doc" -type f ! -name copyright -delete
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  rm -rf "$rootfs"/usr/share/{man,info,groff,lintian}/* \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/*

  tar --numeric-owner --one-file-system -C "$rootfs" -c . |
    docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["bash"]' \
      --message "debootstrap --variant=minbase bookworm $mirror" \
      - "$OFFLINE_BASE" >/dev/null
  cleanup_rootfs "$tmp"
  trap - EXIT
  say "built $OFFLINE_BASE in $((SECONDS - started)) s"
}

# Prints the base image to build from. A pull is tried only when the official image is
# not here yet, and at most once a day after a failure, so offline runs stay fast.
choose_base() {
  if [[ -n ${SHELF_BASE_IMAGE:-} ]]; then
    image_exists "$SHELF_BASE_IMAGE" || docker pull -q "$SHELF_BASE_IMAGE" >/dev/null ||
      die "SHELF_BASE_IMAGE=$SHELF_BASE_IMAGE is neither present nor pullable; fix it or unset it."
    printf '%s\n' "$SHELF_BASE_IMAGE"
    return
  fi
  if image_exists "$OFFICIAL_BASE"; then
    printf '%s\n' "$OFFICIAL_BASE"
    return
  fi

  local marker
  marker="$(state_dir)/base-pull-failed"
  if ! image_exists "$OFFLINE_BASE" || [[ -z "$(find "$marker" -mmin -1440 2>/dev/null)" ]]; then
    if timeout "$PULL_TIMEOUT" docker pull -q "$OFFICIAL_BASE" >/dev/null 2>&1; then
      rm -f "$marker"
      printf '%s\n' "$OFFICIAL_BASE"
      return
    fi
    touch "$marker"
  fi

  image_exists "$OFFLINE_BASE" || make_offline_base
  printf '%s\n' "$OFFLINE_BASE"
}

content_hash() {
  local name=$1 base_id=$2
  {
    printf 'base %s\n' "$base_id"
    (cd "$SHELF_ROOT/runtimes/$name" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
  } | sha256sum | cut -c1-64
}

build_runtime() {
  local name=$1 base=$2 base_id=$3
  local image="shelf/runtime-$name:1" hash current old_id log started=$SECONDS
  hash="$(content_hash "$name" "$base_id")"
  current="$(docker image inspect --format '{{index .Config.Labels "shelf.content-hash"}}' "$image" 2>/dev/null || true)"
  if [[ $current == "$hash" && $rebuild != 1 ]]; then
    say "$image up to date"
    return
  fi

  old_id="$(image_id "$image" || true)"
  log="$(state_dir)/build-runtime-$name.log"
  say "building $image from $base (log: .shelf/build-runtime-$name.log)"
  local cache_flag=()
  [[ $rebuild == 1 ]] && cache_flag=(--no-cache)
  if ! docker build "${cache_flag[@]}" --build-arg "BASE=$base" \
    --label "shelf.content-hash=$hash" --label "shelf.base=$base" \
    --tag "$image" "$SHELF_ROOT/runtimes/$name" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "Building $image failed; see .shelf/build-runtime-$name.log."
  fi
  # Drop the image this one replaced, unless something still uses it.
  if [[ -n $old_id && $old_id != "$(image_id "$image")" ]]; then
    docker image rm "$old_id" >/dev/null 2>&1 || true
  fi
  say "$image built in $((SECONDS - started)) s"
}

main() {
  case ${1:-} in
    '') ;;
    --rebuild) rebuild=1 ;;
    *) die "Unknown option '$1'; the only option is --rebuild." ;;
  esac
  "$SHELF_ROOT/scripts/ensure-docker.sh"
  local base base_id name
  base="$(choose_base)"
  base_id="$(image_id "$base")"
  for name in "${RUNTIMES[@]}"; do
    build_runtime "$name" "$base" "$base_id"
  done
}

main "$@"
