#!/usr/bin/env bash
# Stops what a test run left behind: every process started under a test run (mocha marks its environment with
# PYRO_TEST_RUN, and every daemon a test starts on this machine inherits it: the smoke daemons, and the services
# that `pyro up` with connection: local starts), then the simulated hosts.
#   test-cleanup.sh [RUN_ID]   only that run's processes; without it, any run's (leftovers of an interrupted run)
set -uo pipefail
want=${1:-}

# Never this script or the processes it runs under (mocha calls it from its signal handler).
declare -A spare=()
p=$$
while [ -n "$p" ] && [ "$p" != 0 ]; do
  spare[$p]=1
  p=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)
done

marked() {
  local pid
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [ -n "${spare[$pid]:-}" ] && continue
    if [ -n "$want" ]; then
      { tr '\0' '\n' < "$d/environ"; } 2>/dev/null | grep -qx "PYRO_TEST_RUN=$want" && echo "$pid"
    else
      { tr '\0' '\n' < "$d/environ"; } 2>/dev/null | grep -q '^PYRO_TEST_RUN=' && echo "$pid"
    fi
  done
}

pids=$(marked)
if [ -n "$pids" ]; then
  echo "test-cleanup: stopping $(echo "$pids" | wc -w) leftover test processes" >&2
  kill -TERM $pids 2>/dev/null
  for _ in $(seq 1 20); do
    alive=""
    for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive="$alive $pid"; done
    [ -z "$alive" ] && break
    sleep 0.5
  done
  [ -n "${alive:-}" ] && kill -KILL $alive 2>/dev/null
fi
bash "$(dirname "$0")/testbed.sh" down >/dev/null 2>&1 || true
exit 0
