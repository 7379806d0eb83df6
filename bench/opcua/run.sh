#!/usr/bin/env bash
# Side-by-side OPC UA → MQTT benchmark: Node-RED + node-red-contrib-opcua, the lean node-opcua → mqtt.js
# reference, and Maskinport (bench/opcua/gateway.ts: adapter → pipeline → MQTT sink + embedded store),
# one after the other at each load, with the peer harness in ../shared/peers/nodered (see README.md here).
#
#   bench/opcua/run.sh                                   # 1k, 5k, 10k, 20k changes/s × 3 gateways, ≈ 8 min
#   LOADS="500:100" GATEWAYS="lean maskinport" DURATION=10 bench/opcua/run.sh
#
# env: HARNESS (the peer harness, default /work/shared/peers/nodered), WORK (/tmp/mp-opcua-bench),
#      plus everything the harness's run.sh takes (LOADS, GATEWAYS, DURATION, WARMUP, SAMPLING_MS, PUBLISH_MS).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HARNESS_SRC="${HARNESS:-$ROOT/../shared/peers/nodered}"
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
# sees a retained topic of an earlier one (the gateway also clears its retained topics when it stops).
# shellcheck disable=SC2016  # ${BENCH_V}/${BENCH_P} are expanded by the harness when it starts the gateway / measure
# The gateway runs with the V8 flags every maskinport process gets from bin/maskinport.mjs (bin/node-flags.mjs).
NODE_FLAGS="$(cd "$ROOT" && node -e 'import("./bin/node-flags.mjs").then((m) => console.log(m.NODE_FLAGS.join(" ")))')"
for gw in maskinport maskinport_mqtt; do
  store=""
  [ "$gw" = maskinport ] && store="--store $WORK/run/store-\${BENCH_V}-\${BENCH_P}.db"
  export "GW_CMD_$gw=node $NODE_FLAGS ${GW_NODE_FLAGS:-} $ROOT/bench/opcua/gateway.ts --site $gw-v\${BENCH_V}p\${BENCH_P} $store --pki $WORK/run/pki"
  export "MEASURE_TOPIC_$gw=maskinport/$gw-v\${BENCH_V}p\${BENCH_P}/+/signal/#"
done
export GATEWAYS="${GATEWAYS:-nodered lean maskinport}"
mkdir -p "$WORK/run"
rm -f "$WORK/run/"store-*.db*
WORK="$WORK/run" exec "$COPY/run.sh"
