#!/usr/bin/env bash
# Install dist/tacrocalc_*.deb with apt-get on a fresh Debian 12 and check it, as root:
#   bash packaging/test-deb-in-chroot.sh
# A minimal Debian 12 is made once with debootstrap (build/debian12-base) and copied afresh for
# every run. In the copy: apt-get install ./tacrocalc_*.deb (which brings the Qt libraries),
# then, with networking cut off (unshare -n), the installed `tacrocalc --self-test`, an import
# and a plan; nothing may be written inside /opt/tacrocalc; the patient data must stay in the
# user's data folder through a reinstall and a removal of the package.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
say() { printf 'test-deb: %s\n' "$*" >&2; }
[ "$(id -u)" -eq 0 ] || { say "run as root (debootstrap and chroot need it)"; exit 1; }
deb=$(ls -t dist/tacrocalc_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { say "no dist/tacrocalc_*.deb: run packaging/build-linux.sh first"; exit 1; }
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null

base=build/debian12-base
if [ ! -x "$base/usr/bin/apt-get" ]; then
  say "making a minimal Debian 12 in $base (once)"
  rm -rf "$base"
  debootstrap --variant=minbase bookworm "$base" >/dev/null
fi
box=$(mktemp -d /tmp/tacrocalc-deb-test.XXXXXX)
cleanup() {
  umount "$box/proc" 2>/dev/null || true
  umount "$box/dev" 2>/dev/null || true
  rm -rf "$box"
}
trap cleanup EXIT
cp -a "$base/." "$box/"
mount -t proc proc "$box/proc"
mount --bind /dev "$box/dev"
cp /etc/resolv.conf "$box/etc/resolv.conf"
cp "$deb" "$box/tmp/"
in_box() { chroot "$box" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }
offline() { unshare -n chroot "$box" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root QT_QPA_PLATFORM=offscreen "$@"; }

say "apt-get install ./$(basename "$deb")"
in_box apt-get update -qq
in_box /bin/sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/$(basename "$deb")" >/dev/null
touch "$box/tmp/stamp"

say "the installed self-test, with no network"
offline tacrocalc --self-test
say "import and plan into the user's data folder, with no network"
offline tacrocalc import /opt/tacrocalc/_internal/resources/examples/example-patient.json
offline tacrocalc plan H123 --today 2026-01-20 --out /root/plan.pdf
head -c 5 "$box/root/plan.pdf" | grep -q '%PDF-'
data="$box/root/.local/share/TacroCalc"
[ -f "$data/tacrocalc.sqlite3" ] || { say "no store in the user's data folder"; exit 1; }
[ "$(stat -c %a "$data")" = 700 ] || { say "the data folder is not private"; exit 1; }
written=$(find "$box/opt/tacrocalc" -newer "$box/tmp/stamp" -print -quit)
[ -z "$written" ] || { say "the app wrote inside its install folder: $written"; exit 1; }

say "reinstall, then remove: the patient data stays"
in_box /bin/sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall /tmp/$(basename "$deb")" >/dev/null
offline tacrocalc list | grep -q H123
in_box /bin/sh -c "DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq tacrocalc" >/dev/null
[ ! -e "$box/usr/bin/tacrocalc" ] || { say "tacrocalc is still installed"; exit 1; }
[ -f "$data/tacrocalc.sqlite3" ] || { say "removing the package removed the patient data"; exit 1; }
say "passed: installed on a fresh Debian 12, self-test offline, data kept through reinstall and removal"
