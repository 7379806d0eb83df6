#!/usr/bin/env bash
# Side-by-side OPC UA → MQTT benchmark: Node-RED + node-red-contrib-opcua, the lean node-opcua → mqtt.js
# reference, and Maskinport as shipped (`maskinport run --config FILE`, bench/opcua/gateway.sh) in its
# default configuration (`maskinport`: durable outbox, every MQTT message at QoS 1, embedded store) and
# its lean one (`maskinport_lean`: outbox off, signals at QoS 0, embedded store), one after the other at
# each load, with the peer harness in ../shared/peers/nodered (see README.md here).
#
#   bench/opcua/run.sh                                   # 1k, 5k, 10k, 20k changes/s × 3 gateways, ≈ 8 min
#   GATEWAYS="lean maskinport_lean maskinport" DURATION=25 bench/opcua/run.sh
#   LOADS="500:100" GATEWAYS="lean maskinport" DURATION=10 bench/opcua/run.sh
#
# env: HARNESS (the peer harness, default ../shared/peers/nodered or /work/shared/peers/nodered), WORK (/tmp/mp-opcua-bench),
#      BASELINE (another checkout, run as gateway maskinport_base), GATEWAY_CPU_PROF_DIR and GATEWAY_NODE_ARGS (gateway.sh),
#      plus everything the harness's run.sh takes (LOADS, GATEWAYS, DURATION, WARMUP, SAMPLING_MS, PUBLISH_MS).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Default: shared/ next to the checkout (/work/main/../shared), else the project machine's /work/shared.
HARNESS_SRC="${HARNESS:-}"
if [ -z "$HARNESS_SRC" ]; then
  for candidate in "$ROOT/../shared/peers/nodered" /work/shared/peers/nodered; do
    [ -f "$candidate/run.sh" ] && { HARNESS_SRC="$candidate"; break; }
  done
fi
[ -f "${HARNESS_SRC:-}/run.sh" ] || { echo "peer harness not found: set HARNESS to the peers/nodered folder"; exit 1; }
WORK="${WORK:-/tmp/mp-opcua-bench}"
COPY="$WORK/harness"
mkdir -p "$WORK"

# The harness is read-only where it is shared: run a copy (npm ci once; reused while package-lock.json is unchanged).
if [ ! -x "$COPY/node_modules/.bin/node" ] || ! cmp -s "$HARNESS_SRC/package-lock.json" "$COPY/package-lock.json"; then
  rm -rf "$COPY"
  cp -r "$HARNESS_SRC" "$COPY"
  chmod -R u+w "$COPY"
  (cd "$COPY" && npm ci --no-audit --no-fund)
fi
cp "$HARNESS_SRC/run.sh" "$COPY/run.sh"
chmod u+w "$COPY/run.sh"

# One change to the copy: MEASURE_TOPIC per gateway (MEASURE_TOPIC_<name>), so that the three gateways can be
# measured in one run. Maskinport also publishes retained state and status topics whose JSON would not be a
# latency sample; it is measured on its signal topics only. ${BENCH_V}/${BENCH_P} in the filter are expanded.
sed -i 's|--topic "${MEASURE_TOPIC:-#}"|--topic "$(measure_topic "$gw")"|' "$COPY/run.sh"
sed -i '/^set -uo pipefail$/a measure_topic() { local v="MEASURE_TOPIC_${1//-/_}"; if [ -n "${!v:-}" ]; then eval "echo \\"${!v}\\""; else echo "${MEASURE_TOPIC:-#}"; fi; }' "$COPY/run.sh"
grep -q 'measure_topic "$gw"' "$COPY/run.sh" || { echo "patching run.sh failed: the harness changed, see bench/opcua/README.md"; exit 1; }

# Each gateway's topics carry its name and the load in the site name (maskinport/<gw>-v<V>p<P>/…), so a run never
# sees a retained topic of an earlier one (and the harness starts a fresh broker without persistence per run).
# shellcheck disable=SC2016  # ${BENCH_V}/${BENCH_P} are expanded by the harness when it starts the gateway / measure
# Each run gets a fresh folder (config, store, outbox, library, gateway log) under $WORK/run/gw.
# BASELINE=DIR adds `maskinport_base`: the default configuration run by another checkout (e.g. a copy of main
# before a change, sharing this node_modules), measured in the same run as this one.
for gw in maskinport maskinport_lean maskinport_base; do
  variant=default
  [ "$gw" = maskinport_lean ] && variant=lean
  site="${gw//_/-}-v\${BENCH_V}p\${BENCH_P}"
  root_env=""
  if [ "$gw" = maskinport_base ]; then
    [ -n "${BASELINE:-}" ] || continue
    root_env="env MASKINPORT_ROOT=$BASELINE "
  fi
  export "GW_CMD_$gw=$root_env$ROOT/bench/opcua/gateway.sh $variant $site $WORK/run/gw/$gw-\${BENCH_V}-\${BENCH_P}"
  export "MEASURE_TOPIC_$gw=maskinport/$site/+/signal/#"
done
export GATEWAYS="${GATEWAYS:-nodered lean maskinport_lean maskinport}"
mkdir -p "$WORK/run/gw"
rm -rf "$WORK/run/gw/"*
WORK="$WORK/run" exec "$COPY/run.sh"
