#!/usr/bin/env bash
# Maskinport in the peer harness, as shipped: writes a configuration for the variant and execs
# `maskinport run --config FILE` (bin/maskinport.mjs re-executes itself with its V8 flags, same PID),
# so the PID the harness measures is the gateway's.
#
#   bench/opcua/gateway.sh default|lean SITE DIR
#
# MASKINPORT_ROOT=/other/checkout runs that checkout's bin/maskinport.mjs with the same configuration
# (a before/after comparison in one harness run; run.sh's BASELINE=DIR adds it as gateway `maskinport_base`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
variant="$1" site="$2" dir="$3"
rm -rf "$dir"
config="$(node "$ROOT/bench/opcua/gateway-config.ts" --variant "$variant" --site "$site" --dir "$dir")"
# GATEWAY_CPU_PROF_DIR=DIR: a V8 CPU profile of the gateway, DIR/<site>.cpuprofile (written when the harness
# stops it; summary: bench/support/cpu-profile-summary.ts). Through NODE_OPTIONS of this process only.
if [ -n "${GATEWAY_CPU_PROF_DIR:-}" ]; then
  export NODE_OPTIONS="--cpu-prof --cpu-prof-dir=$GATEWAY_CPU_PROF_DIR --cpu-prof-name=$site.cpuprofile"
fi
exec node "${MASKINPORT_ROOT:-$ROOT}/bin/maskinport.mjs" run --config "$config"
