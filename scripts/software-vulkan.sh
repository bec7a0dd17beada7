#!/usr/bin/env bash
# Sets a shell up with a software Vulkan driver (Mesa's lavapipe), so that Dawn, and with it the webgpu
# backend, gets an adapter on a machine without a GPU:
#
#   eval "$(bash scripts/software-vulkan.sh)"
#
# Debian bookworm's own Mesa 22.3 gives Dawn no adapter; Mesa 25 from bookworm-backports does. The driver
# and the libraries it needs beyond the system's are downloaded with apt into a cache folder inside the
# repository's ignored area and unpacked there; nothing is installed over the system's Mesa, and no apt
# source is added to the system. Progress goes to stderr, the export lines to stdout. A second call reuses
# the cache. Exits 1, saying why, where the driver cannot be fetched (not Debian, no network).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${VAELAB_VULKAN_CACHE:-$repo/.cache/software-vulkan}
suite=${VAELAB_VULKAN_SUITE:-bookworm-backports}
say() { echo "software-vulkan: $*" >&2; }

exports() {
  local icd=$cache/lvp_icd.json libdir
  libdir=$(cat "$cache/libdir")
  echo "export VK_ICD_FILENAMES='$icd'"
  # The driver links libdrm 2.4.121+, newer than bookworm's, and Dawn opens libvulkan.so.1 by name.
  echo "export LD_LIBRARY_PATH='$libdir'${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
}

if [ -e "$cache/ready" ]; then
  exports
  exit 0
fi

command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || {
  say "needs apt-get and dpkg-deb (Debian or Ubuntu); elsewhere install Mesa >= 24 lavapipe and set VK_ICD_FILENAMES to its lvp_icd json"
  exit 1
}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -e "$keyring" ] || { say "$keyring is missing: this is not Debian"; exit 1; }
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")

work=$cache.partial
rm -rf "$work"
mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/root"
cat >"$work/sources.list" <<EOF
deb [signed-by=$keyring] http://deb.debian.org/debian $suite main
deb [signed-by=$keyring] http://deb.debian.org/debian ${suite%-backports} main
EOF
# apt with a private source list, package lists and archive folder; the system's dpkg status decides which
# dependencies are already met, so only what the driver lacks is fetched.
apt_opts=(
  -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "Dir::Cache::archives=$work/archives"
  -o Debug::NoLocking=1 -o APT::Sandbox::User=root -o "APT::Architecture=$arch"
)
say "fetching Mesa's lavapipe from $suite into $cache"
apt-get "${apt_opts[@]}" -qq update >&2 || { say "apt-get update failed (no network to deb.debian.org?)"; exit 1; }
apt-get "${apt_opts[@]}" -qq -y -t "$suite" --download-only install mesa-vulkan-drivers libvulkan1 >&2 ||
  { say "apt-get could not download mesa-vulkan-drivers from $suite"; exit 1; }
shopt -s nullglob
debs=("$work"/archives/*.deb)
[ ${#debs[@]} -gt 0 ] || { say "apt-get downloaded nothing"; exit 1; }
for deb in "${debs[@]}"; do dpkg-deb -x "$deb" "$work/root"; done

libdir=$cache/root/usr/lib/$multiarch
driver=$libdir/libvulkan_lvp.so
[ -e "$work/root/usr/lib/$multiarch/libvulkan_lvp.so" ] || { say "the packages hold no libvulkan_lvp.so"; exit 1; }
icds=("$work"/root/usr/share/vulkan/icd.d/lvp_icd*.json)
[ ${#icds[@]} -gt 0 ] || { say "the packages hold no lvp_icd json"; exit 1; }
# The packaged manifest names the driver by file name for the system's library path; ours names the copy.
sed "s#\"library_path\": *\"[^\"]*\"#\"library_path\": \"$driver\"#" "${icds[0]}" >"$work/lvp_icd.json"
echo "$libdir" >"$work/libdir"
rm -rf "$work/archives" "$work/lists" "$work/cache"
printf '%s\n' "${debs[@]##*/}" >"$work/packages"
rm -rf "$cache"
mv "$work" "$cache"
touch "$cache/ready"
say "lavapipe ready: $(grep -c . "$cache/packages") packages unpacked"
exports
