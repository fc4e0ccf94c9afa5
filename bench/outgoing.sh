#!/usr/bin/env bash
# Outgoing connections of mirrord-cli exec (docs/OUTGOING.md), against a plain relay over the same hops in the
# same run. The path under test: curl -> the CLI's -L forward -> the sidecar's session endpoint (TCP, where a
# cluster has the port-forward) -> the destination. The baseline: curl -> socat -> socat -> the destination, two
# plain relays where exec has its two ends. Both carry one download (throughput, MB/s) and many one-byte
# requests, each on a new connection (time to first byte, which holds the connection's set-up through the
# pod), from inside the command exec runs.
# Usage: bench/outgoing.sh [rounds]
# Needs: apt-get install socat curl
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rounds=${1:-5}
require bench/outgoing.sh "apt-get install socat curl" socat curl
prepare

dotnet "$app_dll" destination 18080 19080 15480 >"$work/app.log" 2>&1 & pids+=($!)
wait_for http://127.0.0.1:18080/bytes/1
sidecar exec 1
socat TCP-LISTEN:18601,reuseaddr,fork TCP:127.0.0.1:18602 & pids+=($!)
socat TCP-LISTEN:18602,reuseaddr,fork TCP:127.0.0.1:18080 & pids+=($!)

# measure PORT LABEL: appends "label MB/s" lines (one 64 MiB download per round) and "label ms" lines (median
# time to first byte of 200 one-byte requests, each on a new connection, per round).
cat >"$work/measure.sh" <<'EOF'
port=$1 label=$2 rounds=$3 out=$4
for round in $(seq "$rounds"); do
  curl -s -o /dev/null -w '%{speed_download}\n' "http://127.0.0.1:$port/bytes/67108864" | awk -v l="$label" '{printf "%s-mbps %.1f\n", l, $1 / 1048576}' >>"$out"
  for i in $(seq 200); do curl -s -o /dev/null -w '%{time_starttransfer}\n' "http://127.0.0.1:$port/bytes/1"; done |
    sort -n | awk -v l="$label" '{a[NR] = $1} END {printf "%s-ms %.3f\n", l, a[int((NR + 1) / 2)] * 1000}' >>"$out"
done
EOF

bash "$work/measure.sh" 18080 direct "$rounds" "$work/results"
bash "$work/measure.sh" 18601 relay "$rounds" "$work/results"
dotnet "$cli_bin/mirrord-cli.dll" exec --sidecar-address 127.0.0.1:18091 -L 18600:127.0.0.1:18080 -- \
  bash "$work/measure.sh" 18600 exec "$rounds" "$work/results" >"$work/cli.log" 2>&1

value() { awk -v k="$1" '$1 == k {print $2}' "$work/results" | median; }
echo "# Outgoing through the pod: this tree ($(git rev-parse --short HEAD)$(git diff --quiet || echo ', with changes')), $rounds rounds"
echo "| path | one stream (MB/s) | vs relay | first byte on a new connection (ms, median) | vs relay |"
echo "|---|---|---|---|---|"
for path in direct relay exec; do
  mbps=$(value "$path-mbps"); ms=$(value "$path-ms")
  echo "| $path | $mbps | $(ratio "$mbps" "$(value relay-mbps)") | $ms | $(ratio "$ms" "$(value relay-ms)") |"
done
grep -c '"outgoing-connection"' "$work/sidecar-exec.log" | awk '{print "\naudit lines written by the sidecar: " $1}'
