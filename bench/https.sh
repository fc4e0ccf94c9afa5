#!/usr/bin/env bash
# HTTPS stealing's cost on the passed path, on loopback, in one run, interleaved rounds, medians:
# an app that terminates TLS itself (1 KB responses) direct, through a sidecar that terminates and
# re-encrypts (mirrord.dev/tls-ports), and through a sidecar without it (TLS relayed as opaque
# bytes, as before HTTPS stealing). HTTP/1.1 with wrk, HTTP/2 by ALPN with h2load, 32 connections.
# Usage: bench/https.sh [rounds] [seconds]
# Needs: apt-get install wrk nghttp2-client openssl
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rounds=${1:-3}
seconds=${2:-8}
require bench/https.sh "apt-get install wrk nghttp2-client openssl" wrk h2load openssl
prepare

# The app's certificate, as a kubernetes.io/tls Secret holds it (tls.crt, tls.key, ca.crt).
secret=$work/secret; mkdir -p "$secret"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=bench CA" \
  -keyout "$work/ca.key" -out "$secret/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=orders" -keyout "$secret/tls.key" -out "$work/tls.csr" 2>/dev/null
printf 'subjectAltName=DNS:orders,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$work/ext"
openssl x509 -req -in "$work/tls.csr" -CA "$secret/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -days 1 -extfile "$work/ext" -out "$secret/tls.crt" 2>/dev/null

dotnet "$app_dll" app 18080 19080 15480 18443 "$secret/tls.crt" "$secret/tls.key" >"$work/app.log" 2>&1 & pids+=($!)
wait_for -k https://127.0.0.1:18443/bytes/1
# tls_sidecar NAME LISTEN HEALTH SESSION INBOUND [TLS-PORTS]
tls_sidecar() {
  MIRRORD_Sidecar__DirectListeners="$2=18443" MIRRORD_Sidecar__HealthPort=$3 MIRRORD_Sidecar__SessionPort=$4 MIRRORD_Sidecar__InboundPort=$5 \
  MIRRORD_Sidecar__Tls__Ports="${6:-}" MIRRORD_Sidecar__Tls__CertificateDirectory="${6:+$secret}" \
    "${sidecar_cmd[@]}" >"$work/sidecar-$1.log" 2>&1 & pids+=($!)
  wait_for "http://127.0.0.1:$3/readyz"
}
tls_sidecar terminating 18444 18194 18094 18294 18443
tls_sidecar relaying 18445 18195 18095 18295
declare -A port=([direct]=18443 [terminating]=18444 [relaying]=18445)

for name in direct terminating relaying; do wrk -t2 -c32 -d3s "https://127.0.0.1:${port[$name]}/bytes/1024" >/dev/null; done
echo "## HTTPS pass-through ($rounds rounds of $seconds s, 32 connections, 1 KB responses)"
for round in $(seq "$rounds"); do
  for name in direct terminating relaying; do
    rps=$(wrk -t2 -c32 -d"${seconds}s" --timeout 5s "https://127.0.0.1:${port[$name]}/bytes/1024" | wrk_rps)
    echo "$rps" >>"$work/h1-$name"
    h2=$(h2load -c32 -m10 -t2 -D"$seconds" "https://127.0.0.1:${port[$name]}/bytes/1024" 2>/dev/null | h2load_rps)
    echo "$h2" >>"$work/h2-$name"
    echo "round $round: $name HTTP/1.1 $rps req/s, HTTP/2 $h2 req/s"
  done
done
h1_direct=$(median <"$work/h1-direct"); h2_direct=$(median <"$work/h2-direct")
echo "| path | HTTP/1.1 median req/s | ratio to direct | HTTP/2 median req/s | ratio to direct |"
echo "|---|---|---|---|---|"
for name in direct terminating relaying; do
  a=$(median <"$work/h1-$name"); b=$(median <"$work/h2-$name")
  echo "| $name | $a | $(ratio "$a" "$h1_direct") | $b | $(ratio "$b" "$h2_direct") |"
done
