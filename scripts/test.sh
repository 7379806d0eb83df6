#!/usr/bin/env bash
# `npm test`: the whole test suite on this machine, with no manual step.
#
#   1. node modules (npm ci when node_modules is missing) and the Node 24 check;
#   2. the Debian packages the integration tests drive, installed with apt-get
#      when running as root (otherwise: a list of what to install, exit 1);
#   3. tsc --noEmit, and tsc -p src/web/public (the pages' scripts, checkJs);
#   4. real services on free loopback ports, each in a temp dir: Mosquitto,
#      InfluxDB 1.x and a throwaway PostgreSQL cluster; their URLs go to the
#      tests as MASKINPORT_TEST_MQTT_URL, MASKINPORT_TEST_INFLUX_URL and
#      MASKINPORT_TEST_PG_URL;
#   5. vitest run (arguments are passed on: `npm test -- test/pipeline`);
#   6. on exit, however it ends: the services stopped and their temp dir removed.
#
# Nothing here stops or changes a service the machine already runs: the test
# services use their own ports and data. Any failure exits non-zero and says why.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
# The project's Node 24 and tools, also when this script is run directly.
export PATH="$ROOT/node_modules/.bin:$PATH"

# Debian packages the integration tests use (udev: serialport's device lookup).
PACKAGES=(mosquitto mosquitto-clients socat influxdb chromium udev curl postgresql)

say() { printf '== %s\n' "$*"; }
fail() {
  printf 'npm test: %s\n' "$*" >&2
  exit 1
}

# --- 1. node modules and Node 24 ------------------------------------------------
if [ ! -x node_modules/.bin/vitest ]; then
  say "node modules (npm ci)"
  npm ci --no-fund --no-audit || fail "npm ci failed (see above); the tests need the project's node modules"
fi
node scripts/require-node24.mjs

# --- 2. Debian packages -----------------------------------------------------------
missing_packages() {
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || printf '%s\n' "$pkg"
  done
}
command -v dpkg-query >/dev/null || fail "dpkg-query not found: this script installs its services on Debian (packages: ${PACKAGES[*]})"
mapfile -t need < <(missing_packages)
if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then
    fail "missing Debian packages: ${need[*]}. Install them (sudo apt-get install ${need[*]}) or run npm test as root, which installs them."
  fi
  say "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail "apt-get update failed (is the package mirror reachable?); still missing: ${need[*]}"
  if ! apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
    # One by one, to name the package that cannot be installed.
    for pkg in "${need[@]}"; do
      apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1 || printf 'npm test: cannot install %s\n' "$pkg" >&2
    done
  fi
  mapfile -t still < <(missing_packages)
  ((${#still[@]} == 0)) || fail "apt-get could not install: ${still[*]} (try: apt-get install ${still[*]})"
fi

# --- 3. type check ----------------------------------------------------------------
say "tsc --noEmit (server, then the pages' scripts)"
tsc --noEmit
tsc -p src/web/public --noEmit

# --- 4. services --------------------------------------------------------------------
work="$(mktemp -d /tmp/maskinport-test.XXXXXX)"
pids=()
pg_data=""
vitest_pid=""
tests_failed=0
as_postgres() {
  # initdb and pg_ctl refuse to run as root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
  local pid
  if [ -n "$vitest_pid" ]; then
    kill "$vitest_pid" 2>/dev/null || true
    wait "$vitest_pid" 2>/dev/null || true
  fi
  if [ -n "$pg_data" ]; then as_postgres "$PG_BIN/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true; fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if ((tests_failed)); then
    for log in "$work"/*.log "$work"/pg/*.log; do
      if [ -s "$log" ]; then printf -- '-- last lines of %s\n' "$log"; tail -n 10 "$log"; fi
    done
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Four free loopback ports: broker, influxd HTTP, influxd RPC, PostgreSQL.
read -r MQTT_PORT INFLUX_PORT INFLUX_RPC_PORT PG_PORT < <(node -e '
  const net = require("node:net");
  const servers = [0, 1, 2, 3].map(() => net.createServer().listen(0, "127.0.0.1"));
  Promise.all(servers.map((s) => new Promise((r) => s.once("listening", r)))).then(() => {
    console.log(servers.map((s) => s.address().port).join(" "));
    for (const s of servers) s.close();
  });
')

wait_until() { # seconds, command...
  local tries=$(($1 * 10))
  shift
  while ((tries-- > 0)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}

say "mosquitto on 127.0.0.1:$MQTT_PORT"
cat >"$work/mosquitto.conf" <<CONF
listener $MQTT_PORT 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 200000
CONF
/usr/sbin/mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
pids+=($!)
wait_until 10 mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" -t maskinport-test/ready -m 1 ||
  { cat "$work/mosquitto.log" >&2; fail "mosquitto did not accept connections on 127.0.0.1:$MQTT_PORT within 10 s"; }
export MASKINPORT_TEST_MQTT_URL="mqtt://127.0.0.1:$MQTT_PORT"

say "influxd on 127.0.0.1:$INFLUX_PORT"
cat >"$work/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$INFLUX_RPC_PORT"
[meta]
  dir = "$work/influxdb/meta"
  logging-enabled = false
[data]
  dir = "$work/influxdb/data"
  wal-dir = "$work/influxdb/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:$INFLUX_PORT"
  log-enabled = false
[logging]
  level = "error"
CONF
/usr/bin/influxd -config "$work/influxdb.conf" >"$work/influxdb.log" 2>&1 &
pids+=($!)
influx_ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$INFLUX_PORT/ping")" = 204 ]; }
wait_until 20 influx_ready ||
  { cat "$work/influxdb.log" >&2; fail "influxd did not answer http://127.0.0.1:$INFLUX_PORT/ping within 20 s"; }
export MASKINPORT_TEST_INFLUX_URL="http://127.0.0.1:$INFLUX_PORT"

say "postgresql on 127.0.0.1:$PG_PORT"
PG_BIN="$(find /usr/lib/postgresql -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname)"
[ -n "$PG_BIN" ] || fail "initdb not found under /usr/lib/postgresql: apt-get install postgresql"
# The postgres user must reach its data dir inside our temp dir.
chmod 711 "$work"
mkdir "$work/pg"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$work/pg"; fi
as_postgres "$PG_BIN/initdb" -D "$work/pg/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 \
  >"$work/postgres-initdb.log" 2>&1 ||
  { cat "$work/postgres-initdb.log" >&2; fail "initdb failed (PostgreSQL at $PG_BIN)"; }
pg_data="$work/pg/data"
# Trust on loopback only (initdb -A trust), no Unix socket outside the temp dir.
as_postgres "$PG_BIN/pg_ctl" -D "$pg_data" -l "$work/pg/postgres.log" -w -t 30 \
  -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $work/pg -c fsync=off" start >/dev/null ||
  { cat "$work/pg/postgres.log" >&2; fail "PostgreSQL did not start on 127.0.0.1:$PG_PORT"; }
as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres maskinport_test ||
  fail "createdb maskinport_test failed on 127.0.0.1:$PG_PORT"
# A superuser: tests may create schemas and further databases.
export MASKINPORT_TEST_PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/maskinport_test"

# --- 5. tests -------------------------------------------------------------------------
say "vitest run $*"
# In the background so that a signal to this script is handled at once (bash
# runs a trap only after a foreground command ends); cleanup() stops vitest.
vitest run "$@" &
vitest_pid=$!
wait "$vitest_pid" || tests_failed=1
vitest_pid=""
exit "$tests_failed"
