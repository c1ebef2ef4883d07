#!/usr/bin/env bash
# Usage: start-code-server.sh <rundir> <port> [workspace-folder]
# code-server on 127.0.0.1:<port> in its OWN process group (setsid), with HOME, TMPDIR, user data and
# extensions all inside <rundir>; writes <rundir>/cs.pid and <rundir>/cs.log; returns once /healthz answers.
# Env: CS_BIN, NODE24_BIN (from setup.sh). Keep <rundir> short: unix socket paths must stay < 108 chars.
set -euo pipefail
RUN=${1:?rundir}; PORT=${2:?port}; WS=${3:-}
: "${CS_BIN:?run setup.sh first}" "${NODE24_BIN:?run setup.sh first}"
mkdir -p "$RUN/home" "$RUN/ud/User" "$RUN/exts" "$RUN/tmp"
export PATH="$NODE24_BIN:$PATH"
export HOME="$RUN/home" XDG_CONFIG_HOME="$RUN/home/.config" XDG_DATA_HOME="$RUN/home/.local/share" XDG_CACHE_HOME="$RUN/home/.cache"
export TMPDIR="$RUN/tmp"
# nothing leaves the machine: outbound HTTP(S) of the server goes to a refused loopback port
export HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost
export EXTENSIONS_GALLERY='{"serviceUrl":"http://127.0.0.1:9/gallery","itemUrl":"http://127.0.0.1:9/items"}'
# remote.autoForwardPortsSource "output": the workbench's port finder otherwise scans /proc and spawns
# processes from the extension host's thread every few seconds (findCandidatePorts: 50–170 ms tasks in
# its CPU profile, counted as our block by the bench's event-loop monitor). code-server has a tunnel
# provider, which turns the finder on even with remote.autoForwardPorts off.
[ -f "$RUN/ud/User/settings.json" ] || cat > "$RUN/ud/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "update.mode": "none",
  "workbench.enableExperiments": false,
  "chat.disableAIFeatures": true,
  "window.commandCenter": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "git.enabled": false,
  "typescript.tsserver.enable": false,
  "remote.autoForwardPorts": false,
  "remote.autoForwardPortsSource": "output"
}
JSON
START=$(date +%s%N)
# enable-smoke-test-driver: the built workbench honours the `payload` URL parameter (extension under
# development + its tests); reconnection-grace-time: a hung extension host does not outlive the run
setsid "$CS_BIN" --config /dev/null --bind-addr "127.0.0.1:$PORT" --auth none \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override --disable-proxy \
  --vscode-option enable-smoke-test-driver --reconnection-grace-time 5 \
  --user-data-dir "$RUN/ud" --extensions-dir "$RUN/exts" \
  ${CS_EXTRA_ARGS:-} ${WS:+"$WS"} >"$RUN/cs.log" 2>&1 < /dev/null &
echo $! > "$RUN/cs.pid"
for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
    echo "[harness] code-server pid $(cat "$RUN/cs.pid") ready on :$PORT after $(( ($(date +%s%N) - START) / 1000000 )) ms"; exit 0; fi
  if ! kill -0 "$(cat "$RUN/cs.pid")" 2>/dev/null; then echo "[harness] code-server died"; cat "$RUN/cs.log"; exit 1; fi
  sleep 0.1
done
echo "[harness] timeout waiting for code-server"; exit 1
