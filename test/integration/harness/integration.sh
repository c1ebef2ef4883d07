#!/usr/bin/env bash
# `npm run test:integration`: builds the extension and the suite, starts a private code-server, runs the
# suite inside its extension host, stops everything, and ends with the line `N passed, M failed`.
# Env: FILES=a,b (only test files whose path contains one), GREP=regex (only matching test titles),
#      TEST_TIMEOUT=seconds for the whole suite (default 900), VERBOSE=1, KEEP_RUN=1 (keep the run dir for inspection).
#      CMU_BUILD=production builds the extension as published (`node esbuild.js --production`: minified, no maps).
#      CMU_CODE_CACHE=dir: the extension's code cache (src/extension/codeCache.ts) is copied from dir into the
#      run's global storage before the start and back after the run, so a later run activates as a user does
#      after the first activation (bench/workbench.js); without it every run is a first activation.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
cd "$ROOT"
T0=$(date +%s)

# 1. tools (no-op once cached in .vscode-test/tools)
ENV_LINES=$("$HERE/setup.sh") || { echo "0 passed, 1 failed (harness setup failed)"; exit 2; }
while IFS='=' read -r k v; do [ -n "$k" ] && export "$k=$v"; done <<<"$ENV_LINES"

# 2. the extension bundle + the suite bundle
BUILD_FLAGS=(); [ "${CMU_BUILD:-}" = production ] && BUILD_FLAGS=(--production)
node esbuild.js "${BUILD_FLAGS[@]}" || { echo "0 passed, 1 failed (extension build failed)"; exit 1; }
[ -f dist/extension.js ] || { echo "0 passed, 1 failed (no dist/extension.js)"; exit 1; }
# 3. a private run dir (short path: unix sockets), a workspace with hostile workspace settings, a port
RUN=$(mktemp -d /tmp/cmu-it.XXXXXX)
LAST="$ROOT/.vscode-test/last-run"
# the suite is bundled per run: parallel runs must not rebuild each other's suite
export SUITE_OUT="$ROOT/out/test/it-$(basename "$RUN")"
cleanup() {
  "$HERE/stop-code-server.sh" "$RUN"
  rm -rf "$SUITE_OUT"
  rm -rf "$LAST"; mkdir -p "$LAST"
  cp "$RUN/cs.log" "$RUN/results.json" "$LAST/" 2>/dev/null
  cp -r "$RUN/ud/logs" "$LAST/vscode-logs" 2>/dev/null
  if [ -n "${CMU_CODE_CACHE:-}" ] && [ -d "${CACHE_IN_RUN:-}" ]; then mkdir -p "$CMU_CODE_CACHE" && cp -a "$CACHE_IN_RUN/." "$CMU_CODE_CACHE/"; fi
  [ -n "${KEEP_RUN:-}" ] || rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$RUN/ws"
CACHE_IN_RUN="$RUN/ud/User/globalStorage/cmu-explorer.cmu-explorer/code-cache"
if [ -n "${CMU_CODE_CACHE:-}" ] && [ -d "$CMU_CODE_CACHE" ]; then
  mkdir -p "$(dirname "$CACHE_IN_RUN")" && cp -a "$CMU_CODE_CACHE" "$CACHE_IN_RUN"
fi
cp -r "$ROOT/test/integration/fixtures/workspace/." "$RUN/ws/" 2>/dev/null || true
node "$HERE/build.js" || { echo "0 passed, 1 failed (suite build failed)"; exit 1; }
PORT=${PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}

# 4. run
"$HERE/start-code-server.sh" "$RUN" "$PORT" "$RUN/ws" || { echo "0 passed, 1 failed (code-server did not start)"; exit 1; }
CMU_TEST_RUN_DIR="$RUN" TMPDIR="$RUN/tmp" node "$HERE/run.js" "http://127.0.0.1:$PORT" "$RUN/ws" "$RUN/results.json" "${TEST_TIMEOUT:-900}" 2>&1 \
  | tee "$RUN/run.out" | grep --line-buffered -v -E '^[0-9]+ passed, [0-9]+ failed'
RC=${PIPESTATUS[0]}
echo "[harness] total $(( $(date +%s) - T0 )) s (logs: .vscode-test/last-run)"
tail -n 1 "$RUN/run.out"
exit $RC
