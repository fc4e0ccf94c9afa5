#!/usr/bin/env bash
# Webhook latency per AdmissionReview over HTTPS at fixed rates (100/s and 500/s), against the same
# server's /healthz at the same rates over the same TLS (the baseline: Kestrel and TLS without the
# injector). h2load with ALPN (h2, as the API server's client negotiates), one connection per 100/s.
# Each review makes the webhook read the pod's namespace (a service mesh's opt-in lives there): a
# small local server answers that GET, standing in for the API server, and its latency is in the figures.
# Usage: bench/webhook.sh [seconds]      (needs h2load from nghttp2-client, and openssl)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
seconds=${1:-15}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet publish webhook/Mirrord.Webhook -c Release -o "$work/webhook" --nologo -v quiet >/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=mirrord-webhook \
  -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null

# The namespace the reviews name, as the API server returns it, over keep-alive HTTP/1.1.
python3 - 18681 <<'PY' >"$work/namespaces.log" 2>&1 &
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
body = json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"mirrord.dev/injection": "enabled"}}}).encode()
class Namespaces(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Namespaces).serve_forever()
PY
cat >"$work/kubeconfig" <<'YAML'
apiVersion: v1
kind: Config
current-context: bench
clusters: [{ name: bench, cluster: { server: "http://127.0.0.1:18681" } }]
users: [{ name: webhook, user: { token: bench } }]
contexts: [{ name: bench, context: { cluster: bench, user: webhook } }]
YAML

MIRRORD_Webhook__Port=18443 MIRRORD_Webhook__MetricsPort=19090 MIRRORD_Webhook__Kubeconfig="$work/kubeconfig" \
MIRRORD_Webhook__CertificateFile="$work/tls.crt" MIRRORD_Webhook__KeyFile="$work/tls.key" \
Logging__LogLevel__Default=Warning \
  dotnet "$work/webhook/mirrord-webhook.dll" >"$work/webhook.log" 2>&1 &
wait_for -k https://127.0.0.1:18443/healthz

# The review: a two-container pod of an opted-in namespace (golden case 04), as the API server sends it.
python3 - "$work/review.json" <<'PY'
import json, sys
pod = json.load(open("tests/Mirrord.Injection.Tests/testassets/injection/04-several-containers-named-ports/input.json"))["pod"]
review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
  "uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "kind": {"group": "", "version": "v1", "kind": "Pod"},
  "namespace": "shop", "operation": "CREATE", "object": pod}}
json.dump(review, open(sys.argv[1], "w"))
PY

at_rate() { # rate name h2load-arguments...
  local rate=$1 name=$2; shift 2
  h2load -c$((rate / 100)) --rps 100 -D "$seconds" --log-file "$work/$name-$rate.log" "$@" >/dev/null
  read -r p50 _ p99 <<<"$(percentiles "$work/$name-$rate.log")"
  echo "$name $rate $p50 $p99 $(failed_requests "$work/$name-$rate.log")" >>"$work/results"
}
h2load -c1 -D 5 -d "$work/review.json" -H 'Content-Type: application/json' https://127.0.0.1:18443/mutate >/dev/null # warm-up
# Measure the injecting path, not a pod left alone because its namespace could not be read.
curl -sk -H 'Content-Type: application/json' --data @"$work/review.json" https://127.0.0.1:18443/mutate | grep -q '"patch"' \
  || { echo "bench/webhook.sh: the webhook did not inject the review's pod (see $work/webhook.log)" >&2; exit 1; }
for rate in 100 500; do
  at_rate "$rate" healthz https://127.0.0.1:18443/healthz
  at_rate "$rate" mutate -d "$work/review.json" -H 'Content-Type: application/json' https://127.0.0.1:18443/mutate
done

echo "| rate | endpoint | p50 | p99 | failed | p99 ratio to /healthz |"
echo "|---:|---|---:|---:|---:|---:|"
while read -r name rate p50 p99 failed; do
  base=$(awk -v r="$rate" '$1 == "healthz" && $2 == r {print $4}' "$work/results")
  printf "| %s/s | %s | %d µs | %d µs | %s | %s |\n" "$rate" "$name" "$p50" "$p99" "$failed" "$(ratio "$p99" "$base")"
done <"$work/results"
