#!/usr/bin/env bash
# npm test's pretest: the Debian packages some tests need, installed if missing, so that
# `npm ci && npm test` passes on a fresh Debian machine (and .ci/run is just that):
#   scripts/install-device-tools.sh   wabt, gcc, the Arm toolchain, QEMU (test/device.test.ts)
#   scripts/install-browser.sh        chromium (test/web/browser.test.ts)
# Each is a quick check when everything is there. Where they cannot install (no apt-get, no root
# and no password-less sudo), this says so and lets the tests run: the tests that need a missing
# tool then fail with the hint to run these scripts.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  echo "pretest: not a Debian system; the device and browser tests need wabt, gcc, gcc-arm-none-eabi, qemu-system-arm and chromium" >&2
  exit 0
fi
# never prompt for a password in the middle of npm test: sudo -n fails at once instead
export EDGERNN_SUDO="sudo -n"
for script in scripts/install-device-tools.sh scripts/install-browser.sh; do
  bash "$script" </dev/null || echo "pretest: $script could not install what is missing (run it as root or with sudo); the tests that need it will fail with that hint" >&2
done
exit 0
