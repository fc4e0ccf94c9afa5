#!/usr/bin/env bash
# Latency of one AdmissionReview over HTTPS on loopback, against the same server's /healthz over
# the same TLS (the baseline: what Kestrel + TLS cost without the injector). Needs wrk and openssl.
# Usage: tests/Mirrord.Benchmarks/Webhook/admission-latency.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/../../.."
seconds=${1:-20}
connections=${2:-1}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet publish webhook/Mirrord.Webhook -c Release -o "$work/webhook" --nologo -v quiet >/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=mirrord-webhook \
  -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null

MIRRORD_Webhook__Port=18443 MIRRORD_Webhook__MetricsPort=19090 \
MIRRORD_Webhook__CertificateFile="$work/tls.crt" MIRRORD_Webhook__KeyFile="$work/tls.key" \
Logging__LogLevel__Default=Warning \
  dotnet "$work/webhook/mirrord-webhook.dll" >"$work/webhook.log" 2>&1 &
for _ in $(seq 50); do curl -skf https://127.0.0.1:18443/healthz >/dev/null && break; sleep 0.2; done

# The review: a two-container pod of an opted-in namespace (golden case 04), as the API server sends it.
python3 - "$work/review.json" <<'PY'
import json, sys
pod = json.load(open("tests/Mirrord.Injection.Tests/testassets/injection/04-several-containers-named-ports/input.json"))["pod"]
review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
  "uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "kind": {"group": "", "version": "v1", "kind": "Pod"},
  "namespace": "shop", "operation": "CREATE", "object": pod}}
json.dump(review, open(sys.argv[1], "w"))
PY
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/review.json", "rb"); wrk.body = f:read("*a"); f:close()
LUA

run() { wrk -t1 -c"$connections" -d"${seconds}s" --latency "$@" | grep -E 'Requests/sec|50%|99%|^\s+Latency'; }
echo "== warm-up"; wrk -t1 -c"$connections" -d5s -s "$work/post.lua" https://127.0.0.1:18443/mutate >/dev/null
echo "== baseline: GET /healthz over the same HTTPS"; run https://127.0.0.1:18443/healthz
echo "== POST /mutate (injects)"; run -s "$work/post.lua" https://127.0.0.1:18443/mutate
