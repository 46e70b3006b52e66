#!/usr/bin/env bash
# Installs Debian's chromium for the browser test (test/web/browser.test.ts) and
# scripts/screenshot-web.mjs, which drive it headless with playwright-core at /usr/bin/chromium.
# Only if missing; quiet and idempotent; uses sudo only when not root. Debian 12 (bookworm) or
# later. (Ubuntu's chromium package is a snap wrapper: set CHROMIUM_PATH to another Chromium there.)
set -euo pipefail
dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q 'install ok installed' && exit 0
sudo=()
# EDGERNN_SUDO: how to become root when not root (npm test's pretest sets "sudo -n": never a password prompt)
[ "$(id -u)" -eq 0 ] || read -r -a sudo <<< "${EDGERNN_SUDO:-sudo}"
echo "installing chromium" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
