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
if [ "$(id -u)" -ne 0 ] && ! sudo -n true 2>/dev/null; then
  # without root, install only when nothing is missing (then there is nothing to do anyway)
  SUDO_MISSING=1
fi
for script in scripts/install-device-tools.sh scripts/install-browser.sh; do
  if [ -n "${SUDO_MISSING:-}" ]; then
    # the scripts exit 0 before touching sudo when nothing is missing
    bash "$script" </dev/null 2>/dev/null || echo "pretest: $script needs root or sudo to install what is missing; the tests that need it will fail with a hint" >&2
  else
    bash "$script" || echo "pretest: $script failed; the tests that need it will fail with a hint" >&2
  fi
done
exit 0
