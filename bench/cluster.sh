#!/usr/bin/env bash
# The cluster's benchmark (issue 4): separate JVMs clustered on 127.0.0.1, driven by Postfix's
# smtp-source, every figure counted until the sightings are in PostgreSQL.
#  1. End-to-end sightings per second through one listener node, then through two at once, to
#     a central node (recorder, MX monitor, API, embedded PostgreSQL).
#  2. The spool: SPOOL sessions into a listener with no recorder in its cluster (the rate while
#     spooling), then the time a recorder takes to drain them, with recorder.batchSize 500 and
#     with 1 (one insert per sighting): rows per second of each, and their ratio.
#
# Usage: bench/cluster.sh [--sessions N] [--rounds N] [--spool N] [--parallel N] [--warmup N]
#   or the same through SESSIONS, ROUNDS, SPOOL, PARALLEL, WARMUP; JAVA_OPTS goes to every JVM.
# Exit status: 0 done; 1 a check failed (sightings stored differ from sessions sent, a node
# failed). Scratch files and each node's log go to bench/work/cluster-<time>/.
set -euo pipefail

SESSIONS=${SESSIONS:-20000}   # sessions per end-to-end round, split evenly when two listeners take them
ROUNDS=${ROUNDS:-3}           # end-to-end rounds of each kind, alternating; medians reported
SPOOL=${SPOOL:-100000}        # sightings spooled, then drained
PARALLEL=${PARALLEL:-20}      # sessions in parallel per smtp-source (-s)
WARMUP=${WARMUP:-20000}       # sessions before the measured rounds, through both listeners
JAVA_OPTS=${JAVA_OPTS:--Xmx384m -XX:+UseSerialGC}

while [ $# -gt 0 ]; do
  case "$1" in
    --sessions) SESSIONS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --spool) SPOOL=$2; shift 2 ;;
    --parallel) PARALLEL=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 1 ;;
  esac
done

bench=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench")
work=$bench/work
run=$work/cluster-$(date +%Y%m%d-%H%M%S)
mkdir -p "$run"
jar=$root/launcher/target/hunnypot.jar
helper() { python3 "$bench/smtpbench.py" "$@"; }
say() { printf '%s\n' "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }
per_second() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ---- smtp-source: installed, or from the Debian package postfix, unpacked (nothing installed) --
if command -v smtp-source >/dev/null; then
  source_bin=$(command -v smtp-source) postfix_libs=""
else
  postfix=$work/postfix
  if [ ! -x "$postfix/usr/sbin/smtp-source" ]; then
    say "Fetching smtp-source (Debian package postfix, unpacked)..."
    (cd "$work" && { apt-get download postfix >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get download postfix >/dev/null 2>&1; }; }) \
      || die "apt-get download postfix"
    dpkg-deb -x "$(ls -t "$work"/postfix_*.deb | head -1)" "$postfix"
  fi
  source_bin=$postfix/usr/sbin/smtp-source postfix_libs=$postfix/usr/lib/postfix
fi

# ---- the nodes ------------------------------------------------------------------------------
read -r hz_central hz_l1 hz_l2 http_central http_l1 http_l2 smtp_l1 smtp_l2 dnsbl <<<"$(helper free-ports 9)"
declare -A pids=() http=([central]=$http_central [l1]=$http_l1 [l2]=$http_l2) smtp=([l1]=$smtp_l1 [l2]=$smtp_l2)
declare -A hazelcast=([central]=$hz_central [l1]=$hz_l1 [l2]=$hz_l2)
common=(
  HUNNYPOT_CLUSTER_NAME="bench-$$"
  HUNNYPOT_CLUSTER_MEMBERS="127.0.0.1:$hz_central,127.0.0.1:$hz_l1,127.0.0.1:$hz_l2"
  HUNNYPOT_TRAP_DOMAINS=trap.example
  HUNNYPOT_SMTP_HOST=127.0.0.1 HUNNYPOT_SMTP_HOSTNAME=bench.hunnypot.invalid
  HUNNYPOT_SMTP_MAX_CONNECTIONS=1000 HUNNYPOT_SMTP_MAX_PER_IP=1000 HUNNYPOT_SMTP_MAX_BYTES=8192
  HUNNYPOT_HTTP_HOST=127.0.0.1 HUNNYPOT_DNSBL_HOST=127.0.0.1 HUNNYPOT_DNSBL_PORT="$dnsbl"
)

# start_node <name> <roles> <data dir> [VAR=value...]: starts it, waits for its /ready.
start_node() {
  local name=$1 roles=$2 data=$3; shift 3
  env "${common[@]}" HUNNYPOT_NODE_NAME="$name" HUNNYPOT_DATA_DIR="$data" HUNNYPOT_CLUSTER_PORT="${hazelcast[$name]}" \
      HUNNYPOT_HTTP_PORT="${http[$name]}" HUNNYPOT_SMTP_PORT="${smtp[$name]:-0}" "$@" \
      java $JAVA_OPTS -jar "$jar" --cluster --roles "$roles" >>"$run/$name.log" 2>&1 &
  pids[$name]=$!
  helper wait-ready "http://127.0.0.1:${http[$name]}/ready" --pid "${pids[$name]}" --timeout 180 \
    || { tail -20 "$run/$name.log" >&2; die "$name did not become ready (log: $run/$name.log)"; }
}

# stop_node <name>: SIGTERM, as systemd would; the node drains, then leaves the cluster.
stop_node() {
  local pid=${pids[$1]:-}
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 450); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "pids[$1]"
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for name in l1 l2 central; do stop_node "$name"; done
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# drive <label> <node> <sessions>: one smtp-source run at a listener; its log tells the sessions
# that reached DATA and its 451 (smtp-source -A then ends each with RSET and QUIT).
drive() {
  LD_LIBRARY_PATH=$postfix_libs "$source_bin" -A -s "$PARALLEL" -M bench.example -f sender@example.org \
    -t bench@trap.example -m "$3" "127.0.0.1:${smtp[$2]}" 2>"$run/$1-source.log" || die "smtp-source against $2 (log: $run/$1-source.log)"
}
# drive_both <label> <sessions>: half of them through each listener, at once.
drive_both() {
  drive "$1-l1" l1 $(($2 / 2)) &
  local first=$!
  drive "$1-l2" l2 $(($2 - $2 / 2))
  wait "$first"
}

stats=http://127.0.0.1:$http_central/api/v1/stats
# wait_stored <expected> <since> [timeout]: prints the sightings stored and the seconds from <since> until then.
wait_stored() { helper wait-stored "$stats" totals.sightings --expected "$1" --since "$2" --settle 30 --timeout "${3:-120}"; }

say "Building Hunnypot if needed..."
(cd "$root" && ./hunnypot --version >"$run/build.log" 2>&1) || { tail -30 "$run/build.log" >&2; die "./hunnypot --version"; }
failed=0
check() { # check <what> <stored> <sent>
  if [ "$2" -ne "$3" ]; then say "!!!!!!!! MISMATCH in $1: $3 sessions sent, $2 sightings stored !!!!!!!!"; failed=1; fi
}

# ---- 1. end to end, one listener and two --------------------------------------------------
say "Starting the central node (recorder, mx-monitor, api; embedded PostgreSQL) and two listener nodes..."
start_node central recorder,mx-monitor,api "$run/central-e2e"
start_node l1 listener "$run/l1"
start_node l2 listener "$run/l2"
load_before=$(cut -d' ' -f1 /proc/loadavg)
sent=0
if [ "$WARMUP" -gt 0 ]; then
  say "Warm-up: $WARMUP sessions through both listeners"
  since=$EPOCHREALTIME
  drive_both warmup "$WARMUP"
  sent=$((sent + WARMUP))
  read -r stored _ <<<"$(wait_stored "$sent" "$since")"
  check warm-up "$stored" "$sent"
fi
one_rates=() two_rates=()
for round in $(seq "$ROUNDS"); do
  since=$EPOCHREALTIME
  drive "one-$round" l1 "$SESSIONS"
  sent=$((sent + SESSIONS))
  read -r stored seconds <<<"$(wait_stored "$sent" "$since")"
  check "round $round, one listener" "$stored" "$sent"
  one_rates+=("$(per_second "$SESSIONS" "$seconds")")

  since=$EPOCHREALTIME
  drive_both "two-$round" "$SESSIONS"
  sent=$((sent + SESSIONS))
  read -r stored seconds <<<"$(wait_stored "$sent" "$since")"
  check "round $round, two listeners" "$stored" "$sent"
  two_rates+=("$(per_second "$SESSIONS" "$seconds")")
  say "  round $round of $SESSIONS sessions: one listener ${one_rates[-1]} sightings/s, two listeners ${two_rates[-1]} sightings/s"
done
one_rate=$(median "${one_rates[@]}") two_rate=$(median "${two_rates[@]}")
e2e_sent=$sent
for name in l1 l2 central; do stop_node "$name"; done

# ---- 2. the spool: filled with no recorder, then drained, batched and one insert at a time --
say "Spooling $SPOOL sessions at a listener alone in its cluster (no recorder)..."
rm -rf "$run/l1"
start_node l1 listener "$run/l1"
since=$EPOCHREALTIME
drive spool l1 "$SPOOL"
completed=$(grep -c 'data rejected: 45' "$run/spool-source.log" || true)
spooling_rate=$(per_second "$SPOOL" "$(awk -v a="$since" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')")
read -r spooled _ <<<"$(helper wait-stored "http://127.0.0.1:$http_l1/ready" spool.sightings --expected "$SPOOL" --since "$since")"
check "spooling" "$spooled" "$SPOOL"
stop_node l1
spool_dir=$run/l1/spool/l1
cp -a "$spool_dir" "$run/spool-copy"
say "  $SPOOL sessions ($completed whole dialogues) at $spooling_rate/s, all in the spool: $(du -sh "$spool_dir" | cut -f1)," \
    "$(find "$spool_dir" -name '*.sightings' | wc -l) files"

# drain <label> <batch size>: a fresh central node with that batch size, then the listener with
# the spool; sets `drained`: seconds from the listener's readiness until every sighting is stored.
drain() {
  local stored
  rm -rf "$spool_dir" && cp -a "$run/spool-copy" "$spool_dir"
  start_node central recorder,mx-monitor,api "$run/central-$1" HUNNYPOT_RECORDER_BATCH_SIZE="$2"
  start_node l1 listener "$run/l1"
  read -r stored drained <<<"$(wait_stored "$SPOOL" "$EPOCHREALTIME" 1800)"
  check "the drain with batch size $2" "$stored" "$SPOOL"
  stop_node l1
  stop_node central
}
say "Draining it into a recorder with recorder.batchSize 500..."
drain batched 500
batched_seconds=$drained batched_rate=$(per_second "$SPOOL" "$drained")
say "  $batched_seconds s, $batched_rate rows/s"
say "Draining it again, into a fresh database, with recorder.batchSize 1..."
drain single 1
single_seconds=$drained single_rate=$(per_second "$SPOOL" "$drained")
say "  $single_seconds s, $single_rate rows/s"
load_after=$(cut -d' ' -f1 /proc/loadavg)

cat <<EOF

Hunnypot cluster benchmark, $(date -u +%Y-%m-%d), Hunnypot $(git -C "$root" describe --always --dirty), $(nproc) CPUs,
separate JVMs on 127.0.0.1 (JAVA_OPTS=$JAVA_OPTS), load average $load_before to $load_after.
smtp-source -A -s $PARALLEL per listener; every rate is counted until the last sighting was stored.

| Figure | Value |
|---|---|
| End to end, one listener node, sightings/s (median of $ROUNDS rounds of $SESSIONS) | $one_rate |
| End to end, two listener nodes at once, sightings/s (the same sessions split in two) | $two_rate |
| Sightings stored / sessions sent, end to end | $e2e_sent / $e2e_sent (checked each round) |
| A listener with no recorder, sessions/s into its spool | $spooling_rate |
| Drain of $SPOOL spooled sightings, recorder.batchSize 500 | $batched_seconds s ($batched_rate rows/s) |
| Drain of $SPOOL spooled sightings, recorder.batchSize 1 (one insert per sighting) | $single_seconds s ($single_rate rows/s) |
| Rows/s, batched / one insert per sighting | $(ratio "$batched_rate" "$single_rate") |
EOF
exit "$failed"
