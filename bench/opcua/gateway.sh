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
# GATEWAY_NODE_ARGS: more Node flags for the gateway alone, on its command line (bin/maskinport.mjs keeps them when
# it re-executes itself), e.g. --trace-gc, which NODE_OPTIONS refuses; output in the harness's gw-<name>-<load>.log.
if [ -n "${GATEWAY_CPU_PROF_DIR:-}" ]; then
  export NODE_OPTIONS="--cpu-prof --cpu-prof-dir=$GATEWAY_CPU_PROF_DIR --cpu-prof-name=$site.cpuprofile"
fi
# shellcheck disable=SC2086  # GATEWAY_NODE_ARGS is a list of flags
exec node ${GATEWAY_NODE_ARGS:-} "${MASKINPORT_ROOT:-$ROOT}/bin/maskinport.mjs" run --config "$config"
