#!/usr/bin/env bash
# Build TacroCalc for Linux: a one-folder PyInstaller bundle, then from it
#   dist/tacrocalc-VERSION-linux-x86_64.tar.gz and dist/tacrocalc_VERSION_amd64.deb.
# The frozen `tacrocalc --self-test` and a frozen `tacrocalc plan` of the example patient run
# with networking cut off (unshare -n, where allowed); the build fails if either fails.
#   bash packaging/build-linux.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
say() { printf 'build-linux: %s\n' "$*" >&2; }

bash packaging/quickstart.sh test -q -x --no-header >/dev/null  # sets up .venv; tested code only
.venv/bin/python -m pip install --quiet --disable-pip-version-check "pyinstaller==6.22.3"
version=$(.venv/bin/python -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)

say "freezing TacroCalc $version"
rm -rf build/pyinstaller dist/tacrocalc
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/tacrocalc.spec >/dev/null
bundle=dist/tacrocalc

offline=()
if unshare -n true 2>/dev/null; then offline=(unshare -n); fi
say "self-test of the frozen app ${offline[*]:+(no network)}"
work=$(mktemp -d)
QT_QPA_PLATFORM=offscreen "${offline[@]}" "$bundle/tacrocalc" --self-test
QT_QPA_PLATFORM=offscreen "${offline[@]}" "$bundle/tacrocalc" --data-dir "$work/data" \
  plan resources/examples/example-patient.json --today 2026-01-20 --out "$work/plan.pdf"
head -c 5 "$work/plan.pdf" | grep -q '%PDF-' || { say "the frozen plan is not a PDF"; exit 1; }
if [ -n "$(find "$bundle" -newer "$work/plan.pdf" -print -quit)" ]; then
  say "the frozen app wrote inside its own folder:"; find "$bundle" -newer "$work/plan.pdf"; exit 1
fi

say "packing dist/tacrocalc-$version-linux-x86_64.tar.gz"
tar -C dist -czf "dist/tacrocalc-$version-linux-x86_64.tar.gz" tacrocalc

say "packing dist/tacrocalc_${version}_${arch}.deb"
stage=$(mktemp -d)
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/icons/hicolor/256x256/apps" "$stage/usr/share/icons/hicolor/scalable/apps" \
  "$stage/usr/share/mime/packages" "$stage/usr/share/doc/tacrocalc"
cp -a "$bundle" "$stage/opt/tacrocalc"
ln -s /opt/tacrocalc/tacrocalc "$stage/usr/bin/tacrocalc"
sed 's|^Exec=tacrocalc$|Exec=tacrocalc --open %f|; s|^Keywords=|MimeType=application/x-tacrocalc-patient;\nKeywords=|' \
  resources/tacrocalc.desktop >"$stage/usr/share/applications/tacrocalc.desktop"
cp resources/icons/tacrocalc.png "$stage/usr/share/icons/hicolor/256x256/apps/tacrocalc.png"
cp resources/icons/tacrocalc.svg "$stage/usr/share/icons/hicolor/scalable/apps/tacrocalc.svg"
cp packaging/linux/tacrocalc-mime.xml "$stage/usr/share/mime/packages/tacrocalc.xml"
cp resources/fonts/LICENSE.txt "$stage/usr/share/doc/tacrocalc/DejaVu-LICENSE.txt"
size=$(du -sk "$stage/opt" | cut -f1)
# The libraries the bundled Qt loads from the system (as packaging/quickstart.sh installs them).
depends="libc6, libegl1, libgl1, libopengl0, libglib2.0-0, libfontconfig1, libfreetype6, libdbus-1-3, libxkbcommon0, libxkbcommon-x11-0, libx11-6, libx11-xcb1, libxcb1, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-randr0, libxcb-render-util0, libxcb-shape0, libxcb-xfixes0, libxcb-xinerama0, libxcb-xkb1, libxrender1, libsm6, libice6"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: tacrocalc
Version: $version
Architecture: $arch
Maintainer: TacroCalc <tacrocalc@localhost>
Installed-Size: $size
Depends: $depends
Section: science
Priority: optional
Description: Tacrolimus dosing and monitoring for ward doctors
 Dose every 12 hours (or once daily) rounded to capsules that exist, trough,
 creatinine and blood-pressure checks against their thresholds, the monitoring
 schedule, and a printable monitoring plan. Works offline; patient data stays
 in each user's data folder.
CONTROL
cat >"$stage/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
command -v update-desktop-database >/dev/null && update-desktop-database -q /usr/share/applications || true
command -v update-mime-database >/dev/null && update-mime-database /usr/share/mime || true
exit 0
POSTINST
chmod 0755 "$stage/DEBIAN/postinst"
cp "$stage/DEBIAN/postinst" "$stage/DEBIAN/postrm"
deb="dist/tacrocalc_${version}_${arch}.deb"
dpkg-deb --build --root-owner-group "$stage" "$deb" >/dev/null
rm -rf "$stage" "$work"
say "built $(du -sh "$bundle" | cut -f1) bundle, $(du -h "dist/tacrocalc-$version-linux-x86_64.tar.gz" | cut -f1) tar.gz, $(du -h "$deb" | cut -f1) .deb"
