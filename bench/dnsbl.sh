#!/usr/bin/env bash
# The benchmark of issue 5. Hunnypot's DNSBL and rbldnsd serve the same listing (rbldnsd from
# Hunnypot's own rbldnsd export), and dnsperf drives each the same way, in turns, in the same
# run: half the queries name listed addresses, half unlisted ones. It prints queries per second
# for both and the ratio. Then it grows the listing to a million addresses and times the
# exports: `hunnypot export` (a JVM of its own, on the running node's database) and the HTTP API.
#
# Usage: bench/dnsbl.sh [--listed N] [--seconds S] [--rounds N] [--export N]
#   or the same through LISTED, SECONDS_PER_ROUND, ROUNDS, EXPORT; JAVA_OPTS goes to Hunnypot's JVM,
#   JAR names a Hunnypot jar to use instead of building this checkout's.
# Exit status: 0 measured and the target met (at least 0.5x rbldnsd's rate); 2 measured but
# the target missed; 1 a failure (a server that does not start or answers wrongly).
# Everything runs on 127.0.0.1 on free ports; files and logs go to bench/work/dnsbl-<time>/.
set -euo pipefail

LISTED=${LISTED:-100000}                  # listed addresses served by both
SECONDS_PER_ROUND=${SECONDS_PER_ROUND:-15}
ROUNDS=${ROUNDS:-3}                       # measured rounds per server; the median is reported
WARMUP=${WARMUP:-10}                      # seconds of load before the measured rounds (the JIT)
EXPORT=${EXPORT:-1000000}                 # listed addresses for the export timing
QUERIES=200000                            # distinct queries in dnsperf's file, replayed in a loop
ZONE=bl.bench.invalid
JAVA_OPTS=${JAVA_OPTS:--Xmx1g -XX:+UseParallelGC} # on 2 cores, G1 costs the DNSBL a sixth of its rate

while [ $# -gt 0 ]; do
  case "$1" in
    --listed) LISTED=$2; shift 2 ;;
    --seconds) SECONDS_PER_ROUND=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --export) EXPORT=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 1 ;;
  esac
done

bench=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench")
run=$bench/work/dnsbl-$(date +%Y%m%d-%H%M%S)
mkdir -p "$run"
chmod 755 "$run" # rbldnsd reads its zone as nobody
say() { printf '%s\n' "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
for tool in dnsperf rbldnsd java python3 curl; do
  command -v "$tool" >/dev/null || die "$tool is missing (Debian: dnsperf, rbldnsd, openjdk-17-jre-headless, python3, curl)"
done

if [ -n "${JAR:-}" ]; then
  jar=$JAR # a jar built elsewhere
else
  jar=$root/launcher/target/hunnypot.jar
  "$root/hunnypot" --version >/dev/null # builds the jar if it is missing or stale
fi

http_port=$(free_port)
dnsbl_port=$(free_port)
rbldnsd_port=$(free_port)
export HUNNYPOT_DATA_DIR=$run/data HUNNYPOT_HTTP_HOST=127.0.0.1 HUNNYPOT_HTTP_PORT=$http_port \
  HUNNYPOT_DNSBL_HOST=127.0.0.1 HUNNYPOT_DNSBL_PORT=$dnsbl_port HUNNYPOT_DNSBL_ZONE=$ZONE

# ---- processes we start, stopped on exit ----------------------------------------------------
hunnypot_pid="" rbldnsd_pid=""
stop_hunnypot() {
  [ -n "$hunnypot_pid" ] || return 0
  kill -TERM "$hunnypot_pid" 2>/dev/null || true
  wait "$hunnypot_pid" 2>/dev/null || true
  hunnypot_pid=""
}
cleanup() {
  stop_hunnypot
  if [ -n "$rbldnsd_pid" ]; then kill "$rbldnsd_pid" 2>/dev/null || true; wait "$rbldnsd_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

# Starts Hunnypot with the roles given; returns once its DNSBL listens and has loaded its index
# (or fails after 120 s).
start_hunnypot() {
  local log=$run/hunnypot-$1.log
  # shellcheck disable=SC2086
  java $JAVA_OPTS -jar "$jar" --roles "$1" >"$log" 2>&1 &
  hunnypot_pid=$!
  for _ in $(seq 240); do
    grep -q "listening on 127.0.0.1 port $dnsbl_port" "$log" && grep -q "DNSBL index loaded" "$log" && return 0
    kill -0 "$hunnypot_pid" 2>/dev/null || die "Hunnypot exited; see $log"
    sleep 0.5
  done
  die "Hunnypot's DNSBL not listening with its index loaded after 120 s; see $log"
}
postgres_port() { sed -n 4p "$run/data/postgres/postmaster.pid"; }
seed() { java -cp "$jar" "$bench/DnsblSeed.java" "$(postgres_port)" "$@"; }

# ---- the listing -----------------------------------------------------------------------------
say "Seeding $LISTED listed addresses..."
start_hunnypot recorder,api
seed "$LISTED" "$ZONE" "$run/queries.txt" "$QUERIES" >&2
stop_hunnypot # the DNSBL loads its index at start: start it again on the seeded database
start_hunnypot api
loaded=$(grep -o 'DNSBL index loaded: .*' "$run/hunnypot-api.log")
say "$loaded"
java -jar "$jar" export rbldnsd --output "$run/listing.ip4set" >&2
rbldnsd -n -u nobody -b "127.0.0.1/$rbldnsd_port" -w "$run" "$ZONE:ip4set:listing.ip4set" >"$run/rbldnsd.log" 2>&1 &
rbldnsd_pid=$!
sleep 1

# Runs dnsperf against a port for the given seconds; prints its queries per second. Every
# answer must be NOERROR or NXDOMAIN, half each: both servers answer the same listing.
perf() {
  local out=$run/dnsperf-$1-$2.txt
  dnsperf -s 127.0.0.1 -p "$1" -d "$run/queries.txt" -l "$2" -q 200 >"$out" 2>&1 || die "dnsperf failed; see $out"
  grep -q 'NOERROR [0-9]* (50\.00%), NXDOMAIN [0-9]* (50\.00%)' "$out" || die "unexpected answers; see $out"
  awk '/Queries per second/ { printf "%.0f\n", $4 }' "$out"
}

say "Warming up both servers ($WARMUP s each)..."
perf "$dnsbl_port" "$WARMUP" >/dev/null
perf "$rbldnsd_port" "$WARMUP" >/dev/null
hunnypot_rates=() rbldnsd_rates=()
for round in $(seq "$ROUNDS"); do
  hunnypot_rates+=("$(perf "$dnsbl_port" "$SECONDS_PER_ROUND")")
  rbldnsd_rates+=("$(perf "$rbldnsd_port" "$SECONDS_PER_ROUND")")
  say "round $round: Hunnypot ${hunnypot_rates[-1]} q/s, rbldnsd ${rbldnsd_rates[-1]} q/s"
done
hunnypot_qps=$(median "${hunnypot_rates[@]}")
rbldnsd_qps=$(median "${rbldnsd_rates[@]}")
ratio=$(awk -v a="$hunnypot_qps" -v b="$rbldnsd_qps" 'BEGIN { printf "%.2f", a / b }')

# ---- exports of a million addresses ---------------------------------------------------------
say "Growing the listing to $EXPORT addresses..."
seed "$EXPORT" "$ZONE" >&2
stop_hunnypot # and again, to time the index's load from the bigger listing
start_hunnypot api
loaded_export=$(grep -o 'DNSBL index loaded: .*' "$run/hunnypot-api.log")
rss_mb=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$hunnypot_pid/status")
say "$loaded_export; the node's RSS ${rss_mb} MB"
exports=()
timed() { local start end; start=$(date +%s.%N); "$@" >/dev/null; end=$(date +%s.%N); awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'; }
for format in rbldnsd plain nftables json; do
  file=$run/export.$format
  cli=$(timed java -jar "$jar" export "$format" --output "$file")
  http=$(timed curl -sf -o "$file.http" "http://127.0.0.1:$http_port/api/v1/export/$format")
  [ "$format" != plain ] || cmp -s "$file" "$file.http" || die "the CLI and HTTP exports differ"
  exports+=("$(printf '| `%s` | %s s | %s s | %s MB |' "$format" "$cli" "$http" \
    "$(awk -v b="$(stat -c %s "$file")" 'BEGIN { printf "%.1f", b / 1048576 }')")")
done

cat <<EOF

DNSBL, $LISTED listed addresses, dnsperf -q 200, half listed and half unlisted names, median of $ROUNDS rounds of $SECONDS_PER_ROUND s:

| server | queries/s |
|---|---|
| Hunnypot DNSBL | $hunnypot_qps |
| rbldnsd (same listing, ip4set) | $rbldnsd_qps |
| ratio | ${ratio}x |

$loaded

$loaded_export (the JVM's resident memory then: $rss_mb MB; the embedded PostgreSQL, a process of its own, not counted)

Exports of $EXPORT listed addresses (\`hunnypot export\` includes its JVM's start):

| format | \`hunnypot export\` | GET /api/v1/export | size |
|---|---|---|---|
$(printf '%s\n' "${exports[@]}")
EOF

awk -v r="$ratio" 'BEGIN { exit !(r >= 0.5) }' || { say "target missed: ${ratio}x rbldnsd, below 0.5x"; exit 2; }
