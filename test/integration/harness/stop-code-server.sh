#!/usr/bin/env bash
# Usage: stop-code-server.sh <rundir> — ends the process group started by start-code-server.sh (by its id)
RUN=${1:?rundir}; PID=$(cat "$RUN/cs.pid" 2>/dev/null) || exit 0
kill -TERM -- "-$PID" 2>/dev/null || true
for _ in $(seq 1 50); do kill -0 -- "-$PID" 2>/dev/null || { rm -f "$RUN/cs.pid"; exit 0; }; sleep 0.1; done
kill -KILL -- "-$PID" 2>/dev/null || true; rm -f "$RUN/cs.pid"
