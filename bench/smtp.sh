#!/usr/bin/env bash
# The benchmark of issue 2: Postfix's smtp-source drives smtp-sink, then Hunnypot, the same
# way; it prints sessions per second for both, checks that every session Hunnypot saw became
# one stored sighting, then holds many idle SMTP sessions open against Hunnypot and prints
# the resident memory of its JVM and of its embedded PostgreSQL.
#
# Usage: bench/smtp.sh [--sessions N] [--parallel N] [--warmup N] [--idle N]
#   or the same through SESSIONS, PARALLEL, WARMUP, IDLE; JAVA_OPTS is passed to the JVM.
# Exit status: 0 done and targets met; 1 a check failed (stored sightings differ from the
# sessions sent, idle sessions refused, a process failed); 2 measured, but a target missed.
# Everything runs on 127.0.0.1; scratch files go to bench/work/run-<time>/.
set -euo pipefail

SESSIONS=${SESSIONS:-10000}   # sessions per measured run
PARALLEL=${PARALLEL:-20}      # sessions in parallel (smtp-source -s)
WARMUP=${WARMUP:-2000}        # sessions before each measured run, so that the JIT has warmed up
IDLE=${IDLE:-10000}           # concurrent idle sessions held for the memory figure
JAVA_OPTS=${JAVA_OPTS:--Xmx256m -Xss512k -XX:+UseSerialGC -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=64m}
export JAVA_OPTS

while [ $# -gt 0 ]; do
  case "$1" in
    --sessions) SESSIONS=$2; shift 2 ;;
    --parallel) PARALLEL=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --idle) IDLE=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 1 ;;
  esac
done

bench=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench")
work=$bench/work
run=$work/run-$(date +%Y%m%d-%H%M%S)
mkdir -p "$run"
helper() { python3 "$bench/smtpbench.py" "$@"; }
say() { printf '%s\n' "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
per_second() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.0f", kb / 1024 }'; }

STATS_FIELD=totals.sightings # in GET /api/v1/stats: the number of stored sightings
TRAP_DOMAIN=trap.example
SOURCE_FLAGS=(-A -s "$PARALLEL" -M bench.example -f sender@example.org -t "bench@$TRAP_DOMAIN")

# ---- processes we start, stopped on exit ---------------------------------------------------
sink_pid="" hunnypot_pid="" idle_pid="" pgdata=""

stop_hunnypot() {
  [ -n "$hunnypot_pid" ] || return 0
  kill -TERM "$hunnypot_pid" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$hunnypot_pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$hunnypot_pid" 2>/dev/null; then
    say "Hunnypot (pid $hunnypot_pid) still running 60 s after SIGTERM: killing it"
    kill -KILL "$hunnypot_pid" 2>/dev/null || true
  fi
  wait "$hunnypot_pid" 2>/dev/null || true
  hunnypot_pid=""
  # Its embedded PostgreSQL normally stops with it; if the JVM was killed, stop it here.
  if [ -f "$pgdata/postmaster.pid" ]; then
    local postmaster; postmaster=$(head -1 "$pgdata/postmaster.pid")
    if kill -0 "$postmaster" 2>/dev/null; then
      kill -INT "$postmaster" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$postmaster" 2>/dev/null || break; sleep 0.2; done
    fi
  fi
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [ -z "$idle_pid" ] || { kill -TERM "$idle_pid" 2>/dev/null; wait "$idle_pid" 2>/dev/null; } || true
  [ -z "$sink_pid" ] || { kill -TERM "$sink_pid" 2>/dev/null; wait "$sink_pid" 2>/dev/null; } || true
  stop_hunnypot
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. smtp-source and smtp-sink, from the Debian package if not installed -----------------
if command -v smtp-source >/dev/null && command -v smtp-sink >/dev/null; then
  source_bin=$(command -v smtp-source) sink_bin=$(command -v smtp-sink) postfix_libs=""
else
  postfix=$work/postfix
  if [ ! -x "$postfix/usr/sbin/smtp-source" ]; then
    say "Fetching smtp-source and smtp-sink (Debian package postfix, unpacked, nothing installed)..."
    (cd "$work" && { apt-get download postfix >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get download postfix >/dev/null 2>&1; }; }) \
      || die "apt-get download postfix"
    rm -rf "$postfix"
    dpkg-deb -x "$(ls -t "$work"/postfix_*.deb | head -1)" "$postfix"
  fi
  source_bin=$postfix/usr/sbin/smtp-source sink_bin=$postfix/usr/sbin/smtp-sink
  postfix_libs=$postfix/usr/lib/postfix
fi
missing=$(LD_LIBRARY_PATH=$postfix_libs ldd "$source_bin" "$sink_bin" | awk '/not found/ { print $1 }' | sort -u)
[ -z "$missing" ] || die "libraries missing for smtp-source/smtp-sink: $missing (install their packages with apt-get)"
smtp_source() { LD_LIBRARY_PATH=$postfix_libs "$source_bin" "$@"; }
smtp_sink() { LD_LIBRARY_PATH=$postfix_libs "$sink_bin" "$@"; }

ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $((IDLE + 1000)) ] || die "open-file limit $(ulimit -n) is too low for $IDLE idle sessions"

# Runs smtp-source: drive <label> <port> <sessions>. Sets `seconds` (wall time), `completed`
# (sessions whose DATA got its 4xx: the whole dialogue, since smtp-source -A then sends RSET
# and QUIT) and `started` (epoch time). Any other complaint of smtp-source is shown.
drive() {
  local label=$1 port=$2 count=$3 log=$run/$1-source.log t0 t1 rc=0
  started=$EPOCHREALTIME t0=$EPOCHREALTIME
  smtp_source "${SOURCE_FLAGS[@]}" -m "$count" "127.0.0.1:$port" 2>"$log" || rc=$?
  t1=$EPOCHREALTIME
  seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  completed=$(grep -c 'data rejected: 45' "$log" || true)
  if grep -v 'data rejected: 45' "$log" | grep -q . || [ "$rc" -ne 0 ]; then
    say "smtp-source against $label (exit $rc) also said:"
    grep -v 'data rejected: 45' "$log" | sort | uniq -c | sort -rn | head -5 >&2
  fi
  [ "$rc" -eq 0 ] || die "smtp-source against $label exited with $rc"
}

read -r sink_port smtp_port http_port <<<"$(helper free-ports 3)"

# ---- 2a. smtp-sink --------------------------------------------------------------------------
# -r DATA: smtp-sink rejects DATA with 450 as Hunnypot does with 451, so both servers hold
# the same dialogue (HELO, MAIL, RCPT, DATA, RSET, QUIT) and the figures compare like for like.
sink_user=(); [ "$(id -u)" -ne 0 ] || sink_user=(-u nobody)
smtp_sink "${sink_user[@]}" -r DATA "127.0.0.1:$sink_port" 1024 >"$run/smtp-sink.log" 2>&1 &
sink_pid=$!
sleep 0.3
kill -0 "$sink_pid" 2>/dev/null || die "smtp-sink did not start: $(cat "$run/smtp-sink.log")"
say "smtp-sink on 127.0.0.1:$sink_port: $WARMUP warm-up sessions, then $SESSIONS measured, $PARALLEL in parallel"
[ "$WARMUP" -eq 0 ] || drive sink-warmup "$sink_port" "$WARMUP"
drive smtp-sink "$sink_port" "$SESSIONS"
sink_seconds=$seconds sink_completed=$completed
sink_rate=$(per_second "$SESSIONS" "$sink_seconds")
kill -TERM "$sink_pid"; wait "$sink_pid" 2>/dev/null || true; sink_pid=""
say "  smtp-sink: $sink_completed of $SESSIONS sessions completed in $sink_seconds s: $sink_rate sessions/s"

# ---- 2b. Hunnypot ---------------------------------------------------------------------------
limit=$(( (IDLE > PARALLEL ? IDLE : PARALLEL) + 100 ))
config=$run/hunnypot.yaml
cat >"$config" <<EOF
# Generated by bench/smtp.sh: limits raised for the benchmark, loopback only.
node:
  name: bench
smtp:
  host: 127.0.0.1
  port: $smtp_port
  hostname: bench.hunnypot.invalid
  maxConnections: $limit
  maxPerIp: $limit
  maxBytes: 8192
http:
  host: 127.0.0.1
  port: $http_port
trap:
  domains: [$TRAP_DOMAIN]
data:
  dir: $run/data
EOF
pgdata=$run/data/postgres
stats_url=http://127.0.0.1:$http_port/api/v1/stats

# Starts Hunnypot with the generated configuration and any extra VAR=value settings; waits for /ready.
start_hunnypot() {
  local label=$1; shift
  (cd "$root" && exec env "$@" ./hunnypot --config "$config") >"$run/hunnypot-$label.log" 2>&1 &
  hunnypot_pid=$!
  helper wait-ready "http://127.0.0.1:$http_port/ready" --pid "$hunnypot_pid" --timeout 240 \
    || { tail -30 "$run/hunnypot-$label.log" >&2; die "Hunnypot did not become ready (log: $run/hunnypot-$label.log)"; }
}

say "Building Hunnypot if needed..."
(cd "$root" && ./hunnypot --version >"$run/build.log" 2>&1) || { tail -30 "$run/build.log" >&2; die "./hunnypot --version"; }
say "Hunnypot on 127.0.0.1:$smtp_port (HTTP $http_port), JAVA_OPTS=$JAVA_OPTS"
start_hunnypot throughput
if [ "$WARMUP" -ne 0 ]; then
  drive hunnypot-warmup "$smtp_port" "$WARMUP"
  read -r warm_stored _ <<<"$(helper wait-stored "$stats_url" "$STATS_FIELD" --expected "$WARMUP" --since "$EPOCHREALTIME")"
fi
drive hunnypot "$smtp_port" "$SESSIONS"
hp_seconds=$seconds hp_completed=$completed
hp_rate=$(per_second "$SESSIONS" "$hp_seconds")
sent=$((WARMUP + SESSIONS))
read -r stored stored_after <<<"$(helper wait-stored "$stats_url" "$STATS_FIELD" --expected "$sent" --since "$started" --settle 5 --timeout 90)"
recorded_rate=$(per_second "$SESSIONS" "$stored_after")
say "  Hunnypot: $hp_completed of $SESSIONS sessions completed in $hp_seconds s: $hp_rate sessions/s;" \
    "all stored $stored_after s after the start: $recorded_rate sessions/s"
rate_ratio=$(ratio "$hp_rate" "$sink_rate")
# Each smtp-source session must be one clean sighting: class trap-domain, ended by QUIT.
eval "$(helper breakdown "$stats_url")" # clean_class clean_ending breakdown
say "  Stored sightings by $breakdown"
failed=0
if [ "$stored" -ne "$sent" ] || [ "$clean_class" -ne "$sent" ] || [ "$clean_ending" -ne "$sent" ] \
    || [ "$hp_completed" -ne "$SESSIONS" ] || [ "$sink_completed" -ne "$SESSIONS" ]; then
  say ""
  say "!!!!!!!! MISMATCH: $sent sessions sent to Hunnypot (warm-up $WARMUP + $SESSIONS), $stored sightings stored" \
      "($clean_class trap-domain, $clean_ending ended by QUIT); completed dialogues:" \
      "Hunnypot $hp_completed, smtp-sink $sink_completed of $SESSIONS !!!!!!!!"
  say ""
  failed=1
fi
stop_hunnypot

# ---- 4. idle sessions and resident memory ---------------------------------------------------
say "Holding $IDLE idle sessions against Hunnypot (restarted with a 600 s idle timeout)..."
start_hunnypot idle HUNNYPOT_SMTP_IDLE_TIMEOUT_SECONDS=600
helper idle "$smtp_port" --count "$IDLE" --hold 120 >"$run/idle.log" 2>"$run/idle.err" &
idle_pid=$!
for _ in $(seq 600); do
  grep -q '^held' "$run/idle.log" 2>/dev/null || ! kill -0 "$idle_pid" 2>/dev/null && break
  sleep 0.2
done
read -r _ held _ refused _ opened_in <<<"$(grep '^held' "$run/idle.log" || echo "held 0 failed ? opened_in ?")"
sleep 3 # let the sessions settle before reading memory
memory=$(helper memory "$hunnypot_pid" "$pgdata") || die "reading memory"
kill -TERM "$idle_pid" 2>/dev/null || true
wait "$idle_pid" 2>/dev/null || true
idle_pid=""
closed=$(awk '/^closed_by_server/ { print $2 }' "$run/idle.log")
eval "$memory" # java_rss_kb java_threads pg_processes pg_rss_kb pg_pss_kb pg_postmaster
say "  $held of $IDLE sessions opened and greeted in $opened_in s ($refused failed), $closed closed by Hunnypot while held"
if [ "$held" -ne "$IDLE" ] || [ "$closed" -ne 0 ]; then
  head -5 "$run/idle.err" >&2
  say "!!!!!!!! IDLE SESSIONS: $held of $IDLE held, $closed closed by the server !!!!!!!!"
  failed=1
fi
stop_hunnypot

# ---- 3 and 5. the figures -------------------------------------------------------------------
met() { if [ "$1" = 1 ]; then echo "met"; else echo "NOT MET"; fi; }
ratio_met=$(awk -v r="$rate_ratio" 'BEGIN { print (r >= 0.5) }')
rss_met=$(awk -v kb="$java_rss_kb" 'BEGIN { print (kb < 512 * 1024) }')
cat <<EOF

Hunnypot SMTP benchmark, $(date -u +%Y-%m-%d), $(nproc) CPUs, loopback; smtp-source ${SOURCE_FLAGS[*]}
(-m $SESSIONS measured after $WARMUP warm-up sessions, one message per session); JAVA_OPTS=$JAVA_OPTS

| Figure | Value |
|---|---|
| smtp-sink (rejecting DATA), sessions/s | $sink_rate |
| Hunnypot, sessions/s | $hp_rate |
| Ratio Hunnypot / smtp-sink (target ≥ 0.5) | $rate_ratio ($(met "$ratio_met")) |
| Hunnypot, sessions/s until every sighting was stored | $recorded_rate |
| Sightings stored / sessions sent | $stored / $sent |
| Concurrent idle sessions held | $held of $IDLE |
| JVM resident memory with them (target < 512 MB) | $(mb "$java_rss_kb") MB ($(met "$rss_met")), $java_threads threads |
| Embedded PostgreSQL, $pg_processes processes | $(mb "$pg_rss_kb") MB RSS summed, $(mb "$pg_pss_kb") MB PSS |
EOF
[ "$failed" -eq 0 ] || exit 1
[ "$ratio_met" = 1 ] && [ "$rss_met" = 1 ] || exit 2
