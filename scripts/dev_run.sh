#!/usr/bin/env bash
# `make run`: the bot plus the Microsoft 365 Agents Playground (a local Teams-like client), loopback only.
#
#   1. vsbot db upgrade && vsbot demo seed          (idempotent)
#   2. vsbot serve on 127.0.0.1:$VSB_PORT            (background, log in var/bot.log, waits for /healthz)
#   3. the Playground on 127.0.0.1:$VSB_PLAYGROUND_PORT, channel msteams, fixed personal-chat id, signed in as the
#      demo persona Sam Reed (tools/playground/playground.yml)   (until Ctrl-C; log in var/playground.log)
# Ctrl-C (or SIGTERM to this script) stops both.
#
# Environment:
#   PERSONA                  who the Playground signs in as: sam (social worker, default), dana (DSL), olu (West
#                            officer), chris (North officer), mina (manager), admin. `make run PERSONA=olu`.
#                            With the bot already running (another `make run` in another terminal), only a
#                            Playground is started, on VSB_PLAYGROUND_PORT: two tabs show both sides of a referral.
#   VSB_PORT                 bot port (default 3978)
#   VSB_PLAYGROUND_PORT      Playground port (default 56150)
#   VSB_PLAYGROUND_CONFIG    Playground config file (default tools/playground/playground.yml; empty = its built-in
#                            users, Alex Wilber etc., who are not demo staff)
#   VSB_PLAYGROUND_CONVERSATION_ID  personal chat id when no config file is used (default vsb-dev-personal-chat)
#   VENV                     virtual environment (default .venv)
# DATABASE_URL, VSB_TIMEZONE, VSB_LOG_LEVEL etc. are read by the bot as usual (environment or .env). Auth is forced
# off (empty MicrosoftAppId, VSB_ENVIRONMENT=development) and the tenant allow-list emptied: the Playground sends
# unsigned requests from a mock tenant.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="${VENV:-.venv}"
BOT_PORT="${VSB_PORT:-3978}"
PLAYGROUND_PORT="${VSB_PLAYGROUND_PORT:-56150}"
PLAYGROUND_DIR="tools/playground"
PLAYGROUND_CLI="$PLAYGROUND_DIR/node_modules/@microsoft/m365agentsplayground/cli.js"
PERSONA="${PERSONA:-sam}"
PLAYGROUND_CONFIG="${VSB_PLAYGROUND_CONFIG-$PLAYGROUND_DIR/playground.yml}"
CONVERSATION_ID="${VSB_PLAYGROUND_CONVERSATION_ID:-vsb-dev-personal-chat}"
PY="$VENV/bin/python"
VSBOT="$VENV/bin/vsbot"

die() { echo "dev_run: $*" >&2; exit 1; }

[ -x "$VSBOT" ] || die "$VSBOT not found: create the virtual environment first (make run does)"
command -v node >/dev/null || die "node is not installed (Node.js 20+ is needed for the Agents Playground)"

pinned="$(node -p "require('./$PLAYGROUND_DIR/package.json').dependencies['@microsoft/m365agentsplayground']")"
installed="$(node -p "try { require('./$PLAYGROUND_DIR/node_modules/@microsoft/m365agentsplayground/package.json').version } catch (e) { '' }")"
if [ "$pinned" != "$installed" ]; then
  echo "dev_run: installing the Agents Playground $pinned (npm ci --prefix $PLAYGROUND_DIR)"
  npm ci --prefix "$PLAYGROUND_DIR" --no-audit --no-fund
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
REUSE_BOT=0
if port_in_use "$BOT_PORT"; then
  if "$PY" -c "import sys,urllib.request; sys.exit(0 if b'ok' in urllib.request.urlopen('http://127.0.0.1:$BOT_PORT/healthz', timeout=1).read() else 1)" 2>/dev/null; then
    REUSE_BOT=1  # a bot from another `make run`: add a Playground for another persona beside it
    echo "dev_run: using the bot already running on 127.0.0.1:$BOT_PORT"
  else
    die "127.0.0.1:$BOT_PORT is already in use (another program? set VSB_PORT)"
  fi
fi
# The Playground silently falls back to a random port when its port is taken; refuse instead.
port_in_use "$PLAYGROUND_PORT" && die "127.0.0.1:$PLAYGROUND_PORT is already in use (set VSB_PLAYGROUND_PORT)"

# Development mode, explicitly: the only way the bot starts without an app id (and then on loopback only).
export MicrosoftAppId="" MicrosoftAppPassword="" MicrosoftAppTenantId="" VSB_ALLOWED_TENANTS="" VSB_ENVIRONMENT=development
mkdir -p var
if [ -z "${VSB_PLAYGROUND_CONFIG+x}" ] && [ "$PERSONA" != "sam" ]; then
  PLAYGROUND_CONFIG="var/playground-$PERSONA.yml"
  "$PY" scripts/playground_persona.py "$PERSONA" "$PLAYGROUND_CONFIG" >/dev/null || exit 1
fi

if [ "$REUSE_BOT" = 0 ]; then
  "$VSBOT" db upgrade
  "$VSBOT" demo seed
fi

SETSID=()
command -v setsid >/dev/null && SETSID=(setsid)  # own process group each, so stopping reaches grandchildren too
BOT_PID=""
PLAYGROUND_PID=""

stop_group() {  # stop_group PID NAME: TERM the group, wait up to 12 s, then KILL
  local pid="$1" name="$2" i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  echo "dev_run: stopping $name"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleaned=0
cleanup() {
  [ "$cleaned" = 1 ] && return
  cleaned=1
  trap - INT TERM
  stop_group "$PLAYGROUND_PID" "the Agents Playground"
  stop_group "$BOT_PID" "the bot"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_http() {  # wait_http URL EXPECTED_BODY_SUBSTRING PID NAME LOG
  local url="$1" expect="$2" pid="$3" name="$4" log="$5" i
  for i in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || { echo "dev_run: $name exited; last lines of $log:" >&2; tail -n 30 "$log" >&2; return 1; }
    if "$PY" - "$url" "$expect" <<'PY' 2>/dev/null
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=1) as r:
    sys.exit(0 if sys.argv[2] in r.read().decode() else 1)
PY
    then return 0; fi
    sleep 0.1
  done
  echo "dev_run: $name did not answer $url within 30 s; see $log" >&2
  return 1
}

if [ "$REUSE_BOT" = 0 ]; then
  "${SETSID[@]}" "$VSBOT" serve --host 127.0.0.1 --port "$BOT_PORT" >var/bot.log 2>&1 </dev/null &
  BOT_PID=$!
  wait_http "http://127.0.0.1:$BOT_PORT/healthz" ok "$BOT_PID" "the bot" var/bot.log
  echo "dev_run: bot ready on http://127.0.0.1:$BOT_PORT/api/messages (log: var/bot.log)"
fi

PRELOAD="$ROOT/$PLAYGROUND_DIR/loopback.cjs"
case "$PRELOAD" in *" "*) PRELOAD="\"$PRELOAD\"" ;; esac
playground_env=(
  TEAMSAPPTESTER_BROWSER=none
  "NODE_OPTIONS=${NODE_OPTIONS:+$NODE_OPTIONS }--require $PRELOAD"
  "M365_AGENTS_PLAYGROUND_LOGFILE=$ROOT/var/playground-$PERSONA.log"
)
if [ -n "$PLAYGROUND_CONFIG" ]; then
  [ -f "$PLAYGROUND_CONFIG" ] || die "Playground config $PLAYGROUND_CONFIG not found"
  playground_env+=("M365_AGENTS_PLAYGROUND_CONFIG_PATH=$(cd "$(dirname "$PLAYGROUND_CONFIG")" && pwd)/$(basename "$PLAYGROUND_CONFIG")")
fi
# cwd var/: without a config path the Playground looks for ./.m365agentsplayground.yml and writes ./devTools/.
(cd var && exec env "${playground_env[@]}" "${SETSID[@]}" node "$ROOT/$PLAYGROUND_CLI" \
  -e "http://127.0.0.1:$BOT_PORT/api/messages" -c msteams -p "$PLAYGROUND_PORT" --dt \
  --service-url "http://127.0.0.1:$PLAYGROUND_PORT/_connector" --conversation-id "$CONVERSATION_ID" </dev/null) &
PLAYGROUND_PID=$!
wait_http "http://127.0.0.1:$PLAYGROUND_PORT/_debug/ping" pong "$PLAYGROUND_PID" "the Agents Playground" "var/playground-$PERSONA.log"

who="$("$PY" - "http://127.0.0.1:$PLAYGROUND_PORT/_internal/v1/config" <<'PY' 2>/dev/null || echo "?"
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
    c = json.load(r)["config"]
u = c["currentUser"]
print(f'{u["name"]} (aadObjectId {u["aadObjectId"]}), personal chat "{c["personalChat"]["id"]}"')
PY
)"

cat <<EOF

  ────────────────────────────────────────────────────────────────────────────
   Virtual School Assistant in the Microsoft 365 Agents Playground

   Open   http://127.0.0.1:$PLAYGROUND_PORT
          (remote machine: ssh -L $PLAYGROUND_PORT:127.0.0.1:$PLAYGROUND_PORT this-host, then open it locally)
   You    $who

   Other side   in another terminal: make run PERSONA=olu VSB_PLAYGROUND_PORT=56151   (the West officer;
                also dana, chris, mina, admin). Messages that waited for them arrive when they open the chat.
   Try    help                         the main menu card
          refer                        make a referral (e.g. home postcode HA1 2AB → West)
          book                         book a surgery
          ask                          then: "do you arrange school transport?"
          my referrals
   Check  $PY scripts/playground_smoke.py     (sends "help" through the Playground's API)
   Logs   var/bot.log · var/playground-$PERSONA.log          Stop: Ctrl-C
  ────────────────────────────────────────────────────────────────────────────

EOF

set +e
wait "$PLAYGROUND_PID"
status=$?
set -e
PLAYGROUND_PID=""
echo "dev_run: the Agents Playground exited ($status)"
exit "$status"
