#!/usr/bin/env bash
# Maskinport in the peer harness, as shipped: writes a configuration for the variant and execs
# `maskinport run --config FILE` (bin/maskinport.mjs re-executes itself with its V8 flags, same PID),
# so the PID the harness measures is the gateway's.
#
#   bench/opcua/gateway.sh default|lean SITE DIR
#
# MASKINPORT_ROOT=/other/checkout runs that checkout's bin/maskinport.mjs with the same configuration
# (a before/after comparison in one harness run).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
variant="$1" site="$2" dir="$3"
rm -rf "$dir"
config="$(node "$ROOT/bench/opcua/gateway-config.ts" --variant "$variant" --site "$site" --dir "$dir")"
exec node "${MASKINPORT_ROOT:-$ROOT}/bin/maskinport.mjs" run --config "$config"
