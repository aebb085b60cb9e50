#!/usr/bin/env bash
# Load figure for "Zoek passend werk" (issue 7): wrk against `passend serve` on 127.0.0.1.
# Builds an index of N copies of the demo vacancies (default 50 × 38 = 1,900), creates a coach,
# imports a demo candidate and runs wrk on the shortlist and on a free-text search.
# Usage: scripts/web_load.sh [COPIES] [SECONDS]   (needs: cargo build --release; apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
COPIES=${1:-50}
SECS=${2:-20}
ROOT=$(pwd)
BIN=$ROOT/target/release/passend
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk"; exit 1; }
DATA=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
python3 - "$COPIES" > "$DATA/vacancies.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open("config/demo/vacancies.jsonl") if l.strip()]
for n in range(int(sys.argv[1])):
    for v in lines:
        v = json.loads(json.dumps(v))
        v["identifier"]["value"] = f'{v["identifier"]["value"]}-{n}'
        v["url"] = v.get("url", "https://example.nl/v") + f"?copy={n}"
        if n:
            v["hiringOrganization"]["name"] = f'{v["hiringOrganization"]["name"]} {n}'
        print(json.dumps(v))
PY
# run from the data folder so no half-edited config/passend.toml is read; embedded defaults
( cd "$DATA" && "$BIN" --data "$DATA" --now 2025-11-20 ingest vacancies.jsonl )
( cd "$DATA" && PASSEND_PASSWORD=load-test-password "$BIN" --data "$DATA" coach add load )
( cd "$DATA" && exec "$BIN" --data "$DATA" --now 2025-12-20 serve --addr 127.0.0.1:18099 --insecure-cookies ) &
SERVER=$!
for _ in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:18099/healthz && break; sleep 0.2; done
LOGIN=$(curl -s -D - -H 'content-type: application/json' \
  -d '{"name":"load","password":"load-test-password"}' http://127.0.0.1:18099/api/login)
COOKIE=$(printf '%s' "$LOGIN" | grep -i '^set-cookie' | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//')
CSRF=$(printf '%s' "$LOGIN" | tail -1 | python3 -c 'import sys,json;print(json.load(sys.stdin)["csrf"])')
python3 -c 'import json;print(json.dumps({"toml":open("config/demo/candidates/demo-k01.toml").read()}))' |
  curl -s -o /dev/null -w 'import %{http_code}\n' -H "cookie: $COOKIE" -H "x-csrf-token: $CSRF" \
  -H 'content-type: application/json' -d @- http://127.0.0.1:18099/api/candidates
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for path in "/api/candidates/demo-k01/search" "/api/candidates/demo-k01/search?q=administratief&radius=60"; do
  echo "== $path"
  wrk -t2 -c8 -d"${SECS}s" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:18099$path" |
    grep -E 'Requests/sec|Latency|50%|99%|Non-2xx'
done
