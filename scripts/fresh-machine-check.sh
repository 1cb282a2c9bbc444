#!/usr/bin/env bash
# Release check: the README's two commands on a truly fresh Debian 12. Builds a minimal Debian 12
# root (debootstrap --variant=minbase), clones this checkout's HEAD into it, and runs
# scripts/demo.sh and then scripts/test.sh inside it with chroot, printing each one's exit status
# and time. Needs root and Debian's mirror; takes about an hour on 2 cores. Not part of CI.
#
#   scripts/fresh-machine-check.sh [ROOT]     ROOT: where the Debian root goes
#                                             (default /var/tmp/aekit-fresh; removed first)
# AEKIT_FRESH_KEEP=1 keeps the root afterwards; AEKIT_FRESH_ONLY=demo runs the demo alone.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="${1:-/var/tmp/aekit-fresh}"
mirror="${AEKIT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security="${AEKIT_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"

if [ "$(id -u)" -ne 0 ]; then
  echo "fresh-machine-check: needs root (debootstrap, mount and chroot)" >&2
  exit 2
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null
fi

unmount_all() {
  for mount_point in dev/pts dev sys proc; do
    if mountpoint -q "$root/$mount_point"; then umount -l "$root/$mount_point"; fi
  done
}
trap unmount_all EXIT
if [ -d "$root" ]; then
  unmount_all
  rm -rf --one-file-system "$root"
fi

start=$SECONDS
echo "fresh-machine-check: debootstrap --variant=minbase bookworm into $root"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
  { tail -20 "$root.debootstrap.log" >&2; exit 1; }
# The sources of a standard Debian 12 installation: the release, its updates and security.
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
EOF
echo "fresh-machine-check: Debian root ready ($((SECONDS - start)) s)"

# The network's name servers and its extra CA certificates (any real machine on it has them),
# with NODE_EXTRA_CA_CERTS as on this host.
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/usr/local/share/ca-certificates"
if compgen -G "/usr/local/share/ca-certificates/*" >/dev/null; then
  cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
fi
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"

git clone --quiet --no-hardlinks "$here" "$root/root/aekit"
echo "fresh-machine-check: cloned $(git -C "$here" rev-parse --short HEAD) into /root/aekit"

in_root() {  # in_root COMMAND: runs COMMAND in the checkout inside the fresh root, clean environment
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_EXTRA_CA_CERTS="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" \
    /bin/bash -c "cd /root/aekit && $1"
}

results=()
run_step() {  # run_step NAME COMMAND
  local step_start=$SECONDS status=0
  echo "fresh-machine-check: $1 ..."
  in_root "$2" >"$root.$1.log" 2>&1 || status=$?
  local took=$((SECONDS - step_start))
  tail -n 25 "$root.$1.log"
  results+=("$1: exit $status, $took s (log: $root.$1.log)")
  echo "fresh-machine-check: $1 exited $status after $took s"
  return 0
}
run_step demo "scripts/demo.sh"
if [ "${AEKIT_FRESH_ONLY:-}" != demo ]; then
  run_step test "scripts/test.sh"
fi

echo
echo "fresh-machine-check on $(nproc) cores, checkout $(git -C "$here" rev-parse --short HEAD):"
for line in "${results[@]}"; do echo "  $line"; done
echo "  in all: $((SECONDS - start)) s"
unmount_all
if [ "${AEKIT_FRESH_KEEP:-0}" != 1 ]; then
  rm -rf --one-file-system "$root"
fi
failed=0
for line in "${results[@]}"; do
  case "$line" in *"exit 0,"*) ;; *) failed=1 ;; esac
done
exit "$failed"
