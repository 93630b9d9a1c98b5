#!/usr/bin/env bash
# The MX monitor's benchmark (issue 3): classification rate with cold DNS and from the cache,
# against the test DNS server on 127.0.0.1; then N simultaneous SMTP sessions through the real
# listener to one backup-MX domain, counting the DNS queries that reach the server and the probes
# that reach the primary MX (the target: exactly one per record and one per host).
#
# Usage: bench/mx.sh [--domains N] [--passes N] [--window N] [--sessions "N N ..."]
#   or the same through DOMAINS, PASSES, WINDOW, SESSIONS; JAVA_OPTS goes to the JVM and
#   MVN_FLAGS to Maven (e.g. -o). Everything runs in one JVM on loopback; nothing is left behind.
set -euo pipefail

DOMAINS=${DOMAINS:-20000}         # distinct domains classified cold, then again from the cache
PASSES=${PASSES:-5}               # passes over them from the cache
WINDOW=${WINDOW:-100}             # classification requests in flight at a time
SESSIONS=${SESSIONS:-100 1000 5000} # crowd sizes: simultaneous sessions to one domain (two sockets each)
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
MVN_FLAGS=${MVN_FLAGS:-}

while [ $# -gt 0 ]; do
  case "$1" in
    --domains) DOMAINS=$2; shift 2 ;;
    --passes) PASSES=$2; shift 2 ;;
    --window) WINDOW=$2; shift 2 ;;
    --sessions) SESSIONS=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 1 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
classpath=$(mktemp)
trap 'rm -f "$classpath"' EXIT

# The launcher's test classes hold the harness (io.hunnypot.launcher.MxBench); its test
# classpath has the listener, the MX monitor and the test DNS server.
# shellcheck disable=SC2086
mvn -B -q $MVN_FLAGS -pl launcher -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$classpath" >&2

echo "MX monitor benchmark: $(nproc) CPUs, $DOMAINS domains, $PASSES cached passes, $WINDOW in flight, crowds of $SESSIONS"
# shellcheck disable=SC2086
java $JAVA_OPTS -cp "launcher/target/test-classes:launcher/target/classes:$(cat "$classpath")" \
  io.hunnypot.launcher.MxBench "$DOMAINS" "$PASSES" "$WINDOW" $SESSIONS 2>&1 | grep -v ' INFO '
