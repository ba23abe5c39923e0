#!/usr/bin/env bash
# The test suite: the fast suite and the end-to-end suite, in one Maven run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
exec mvn -B -ntp verify "$@"
