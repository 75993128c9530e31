#!/usr/bin/env bash
# `make run`: migrate, load the demo data, and serve — with a local test mail server whose
# messages are printed here, unless KIDSVOICE_MAIL_SERVER points at a real one.
set -euo pipefail
BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-5000}
export KIDSVOICE_BASE_URL=${KIDSVOICE_BASE_URL:-http://$HOST:$PORT}

"$BIN/kidsvoice" db upgrade
"$BIN/kidsvoice" demo

if [ -z "${KIDSVOICE_MAIL_SERVER:-}" ]; then
  MAIL_PORT=${MAIL_PORT:-8025}
  "$BIN/python" -m aiosmtpd -n -l "127.0.0.1:$MAIL_PORT" -c aiosmtpd.handlers.Debugging &
  mail_pid=$!
  trap 'kill $mail_pid 2>/dev/null || true' EXIT INT TERM
  export KIDSVOICE_MAIL_SERVER=127.0.0.1 KIDSVOICE_MAIL_PORT=$MAIL_PORT
  echo "Invitation e-mails go to a local test mail server and are printed below."
fi
"$BIN/kidsvoice" run --host "$HOST" --port "$PORT"
