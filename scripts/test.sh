#!/usr/bin/env bash
# The test suite: the fast suite and the end-to-end suite (real QEMU), in one Maven run.
# The launcher (./nubo test) has installed the system packages and chosen the JDK.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# Build the default guest image first (cached by its inputs), so that no test waits on it.
bash images/default-image.sh >/dev/null
exec mvn -B -ntp verify "$@"
