#!/usr/bin/env bash
# Installs the Debian packages the device tests (test/device.test.ts, docs/DEVICE.md) need, only
# those that are missing: wabt (wasm2c, wast2json, spectest-interp), gcc for the x86 build, the Arm
# bare-metal toolchain with newlib, and QEMU's Arm system emulator. Quiet and idempotent; uses sudo
# only when not root. Debian 12 (bookworm) or later, or Ubuntu.
set -euo pipefail
packages=(wabt gcc libc6-dev gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=()
# EDGERNN_SUDO: how to become root when not root (npm test's pretest sets "sudo -n": never a password prompt)
[ "$(id -u)" -eq 0 ] || read -r -a sudo <<< "${EDGERNN_SUDO:-sudo}"
echo "installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
