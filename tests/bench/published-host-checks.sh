#!/usr/bin/env bash
# Checks a published thaw (above all the Native AOT publish, which no test can build: it takes minutes) for what
# trimming can break without a compiler warning: options that bind and are validated at start in every section
# (reflection over the options types), the HTTP API's JSON, and an in-process embedding.
#   dotnet publish src/Thaw.Cli -c Release -r linux-x64 -p:PublishAot=true -o /tmp/aot-pub
#   tests/bench/published-host-checks.sh /tmp/aot-pub
# Exit 0 when every check passes; each failure prints one line.
set -uo pipefail
publish="${1:-publish}"
thaw="$publish/thaw"
[[ -x "$thaw" ]] || { echo "published-host-checks: no $thaw" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
common=(--set Thaw:Storage:ConnectionString= --set "Thaw:CacheDirectory=$work/cache" --set Logging:LogLevel:Default=Warning)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$thaw" --help >"$work/help" 2>&1 && grep -q "serve" "$work/help" || fail "thaw --help"

# One bad value per kind of rule and per project that binds a section: each must stop `thaw serve` at start
# (non-zero exit, not a timeout) with the message that names the key. A value that is silently not bound or not
# validated would let the host start and run into the timeout instead.
bad=(
  "Thaw:Batching:MaxBatchSize=0|Thaw:Batching:MaxBatchSize is 0; allowed: 1 to 4096."
  "Thaw:Batching:Bulk:MaxBatchSize=0|Thaw:Batching:Bulk:MaxBatchSize is 0; allowed: 1 to 4096."
  "Thaw:Models:RetryAfter=0|Thaw:Models:RetryAfter is 00:00:00; allowed: 00:00:01 to 01:00:00."
  "Thaw:Models:Default=|Thaw:Models:Default is required."
  "Thaw:Models:PrewarmRetryMaxDelay=00:00:01|Thaw:Models:PrewarmRetryMaxDelay: 00:00:01 is shorter than"
  "Thaw:Limits:MaxInputs=0|Thaw:Limits:MaxInputs is 0; allowed: 1 to 1048576."
  "Thaw:KeepAlive:Policy=lru|Thaw:KeepAlive:Policy: unknown keep-alive policy 'lru'"
  "Thaw:KeepAlive:Fixed:Window=400.00:00:00|Thaw:KeepAlive:Fixed:Window is 400.00:00:00"
  "Thaw:KeepAlive:Histogram:Margin=1|Thaw:KeepAlive:Histogram:Margin is 1"
  "Thaw:Generation:Bulk:MaxQueuedRequests=0|Thaw:Generation:Bulk:MaxQueuedRequests is 0"
  "Thaw:Jobs:MaxLinesInFlight=1|Thaw:Jobs:MaxLinesInFlight is 1"
  "Thaw:Onnx:IntraOpThreads=2000|Thaw:Onnx:IntraOpThreads is 2000"
  "Thaw:Http:MaxRequestHeaderCount=7|Thaw:Http:MaxRequestHeaderCount is 7"
)
for entry in "${bad[@]}"; do
  setting="${entry%%|*}" message="${entry#*|}"
  timeout 30 "$thaw" serve --urls http://127.0.0.1:0 "${common[@]}" --set Thaw:Models:Prewarm:0=none --set "$setting" >"$work/out" 2>&1
  rc=$?
  if [[ $rc -eq 0 || $rc -eq 124 ]]; then
    fail "--set $setting: thaw serve was not refused (exit $rc)"
  elif ! grep -qF -- "$message" "$work/out"; then
    fail "--set $setting: refused (exit $rc) without '$message': $(tr '\n' ' ' <"$work/out" | head -c 400)"
  fi
done

# The API over HTTP: readiness, an embedding, a refused body.
port=$((20000 + RANDOM % 20000))
"$thaw" serve --urls "http://127.0.0.1:$port" "${common[@]}" >"$work/serve" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" == 200 ]] && break
  sleep 0.1
done
curl -s "http://127.0.0.1:$port/readyz" | grep -q '"status":"ready"' || fail "/readyz is not ready: $(tail -c 400 "$work/serve")"
curl -s -X POST "http://127.0.0.1:$port/v1/embeddings" -H 'content-type: application/json' \
  -d '{"input":"hello","model":"all-minilm-l6-v2"}' | grep -q '"embedding":\[' || fail "POST /v1/embeddings gave no embedding"
curl -s -X POST "http://127.0.0.1:$port/v1/embeddings" -H 'content-type: application/json' -d '{"input":5}' \
  | grep -q '"code":"invalid_value"' || fail "POST /v1/embeddings with a number input was not refused as invalid_value"
curl -s "http://127.0.0.1:$port/v1/models" | grep -q '"id":"all-minilm-l6-v2"' || fail "GET /v1/models"
kill -TERM "$server"
wait "$server" || fail "thaw serve did not stop cleanly on SIGTERM"

"$thaw" embed hello "${common[@]}" 2>"$work/embed.err" | grep -q '"embedding":\[' || fail "thaw embed: $(tail -c 400 "$work/embed.err")"

if [[ $failures -eq 0 ]]; then echo "published-host-checks: all passed ($thaw)"; fi
exit $((failures > 0))
