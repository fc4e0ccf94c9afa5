#!/usr/bin/env bash
# Pass-through throughput on loopback, one run, interleaved rounds, medians: the app direct, nginx,
# HAProxy, the sidecar with no session, and the sidecar with a session whose 10-rule filter never
# matches. wrk, 32 connections, 1 KB responses. Also CPU seconds per 1000 requests of each proxy.
# Usage: bench/run.sh [rounds] [seconds]      (needs wrk, nginx and haproxy: apt-get install wrk nginx-light haproxy)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-8}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

for project in tests/Mirrord.TestApp cli/Mirrord.Cli; do dotnet build -c Release "$project" --nologo -v quiet >/dev/null; done
app_dll=tests/Mirrord.TestApp/bin/Release/net10.0/Mirrord.TestApp.dll
bin=cli/Mirrord.Cli/bin/Release/net10.0
export DOTNET_TieredPGO=1 Logging__LogLevel__Default=Warning

declare -A pid_of
dotnet "$app_dll" app 18080 19080 15480 >"$work/app.log" 2>&1 & pids+=($!); pid_of[direct]=$!

cat >"$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  upstream app { server 127.0.0.1:18080; keepalive 64; }
  server {
    listen 127.0.0.1:18081;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
nginx -c "$work/nginx.conf" -g 'daemon off;' & pids+=($!); pid_of[nginx]=$!

cat >"$work/haproxy.cfg" <<HAPROXY
global
  nbthread 2
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  http-reuse always
frontend in
  bind 127.0.0.1:18082
  default_backend app
backend app
  server app 127.0.0.1:18080
HAPROXY
haproxy -f "$work/haproxy.cfg" & pids+=($!); pid_of[haproxy]=$!

sidecar() { # listen-port session-port health-port inbound-port
  MIRRORD_Sidecar__DirectListeners="$1=18080" MIRRORD_Sidecar__SessionPort=$2 MIRRORD_Sidecar__HealthPort=$3 MIRRORD_Sidecar__InboundPort=$4 \
    dotnet "$bin/mirrord-sidecar.dll" >"$work/sidecar-$1.log" 2>&1 & pids+=($!)
}
sidecar 18083 18093 18193 18293; pid_of[sidecar]=$!
sidecar 18084 18094 18194 18294; pid_of[sidecar-10-rules]=$!

# Ten header rules that never match the benchmark's requests: every request is evaluated and passed.
rules=$(for i in $(seq 1 10); do printf '{ "header": "^X-Dev-%d: developer-%d$" }' "$i" "$i"; if [ "$i" -lt 10 ]; then printf ', '; fi; done)
cat >"$work/mirrord.json" <<JSON
{ "feature": { "network": { "incoming": { "mode": "steal", "http_filter": { "any_of": [ $rules ], "ports": [18080] } } } } }
JSON
for _ in $(seq 50); do curl -sf http://127.0.0.1:18193/readyz >/dev/null && curl -sf http://127.0.0.1:18194/readyz >/dev/null && break; sleep 0.2; done
dotnet "$bin/mirrord-cli.dll" connect --sidecar-address 127.0.0.1:18094 -f "$work/mirrord.json" --local-port 1 >"$work/cli.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do grep -q "registered on pod" "$work/cli.log" && break; sleep 0.2; done

declare -A ports=([direct]=18080 [nginx]=18081 [haproxy]=18082 [sidecar]=18083 [sidecar-10-rules]=18084)
order=(direct nginx haproxy sidecar sidecar-10-rules)

cpu_ticks() { # utime+stime of a process and its children (nginx's workers)
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1" 2>/dev/null); do
    [ -r "/proc/$pid/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}

echo "== warm-up"
for name in "${order[@]}"; do wrk -t2 -c32 -d3s "http://127.0.0.1:${ports[$name]}/bytes/1024" >/dev/null; done
for round in $(seq "$rounds"); do
  for name in "${order[@]}"; do
    before=$(cpu_ticks "${pid_of[$name]}")
    rps=$(wrk -t2 -c32 -d"${seconds}s" "http://127.0.0.1:${ports[$name]}/bytes/1024" | awk '/Requests\/sec/ {print $2}')
    after=$(cpu_ticks "${pid_of[$name]}")
    echo "$name $rps $(( after - before ))" >>"$work/results"
    echo "round $round: $name $rps req/s"
  done
done

ticks=$(getconf CLK_TCK)
echo
echo "| target | median req/s | ratio to direct | CPU s per 1000 requests (that process) |"
echo "|---|---:|---:|---:|"
direct=$(awk '$1=="direct" {print $2}' "$work/results" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
for name in "${order[@]}"; do
  median=$(awk -v n="$name" '$1==n {print $2}' "$work/results" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  cpu=$(awk -v n="$name" -v s="$seconds" -v t="$ticks" '$1==n {c+=$3/t; r+=$2*s} END {printf "%.4f", c/r*1000}' "$work/results")
  printf "| %s | %.0f | %.2f | %s |\n" "$name" "$median" "$(echo "$median / $direct" | bc -l)" "$cpu"
done
