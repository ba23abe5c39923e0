#!/usr/bin/env bash
# The billing benchmark of issue 7 (see BillingBench): a month of events for 10,000 instances and
# 20,000 volumes across 1,000 accounts (about 1 million), metered, rated and invoiced; and the
# draft invoice of an account with 1,000 resources. Targets: <= 30 s, draft p99 <= 50 ms.
#
#   bench/billing/run.sh [-- <BillingBench options: --accounts N --instances N --volumes N --draft-calls N>]
#
# bench/in-jvm.sh builds it and runs it under the shared Maven lock.
# Everything runs on 127.0.0.1 (an embedded PostgreSQL in a temporary directory).
set -euo pipefail
[ "${1:-}" = "--" ] && shift
exec "$(dirname "${BASH_SOURCE[0]}")/../in-jvm.sh" billing "$@"
