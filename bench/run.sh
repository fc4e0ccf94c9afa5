#!/usr/bin/env bash
# The sidecar against direct, nginx and HAProxy on loopback, in one run, interleaved rounds, medians:
#   1. HTTP/1.1 throughput (wrk) and 2. HTTP/2 throughput (h2load), 1 KB responses, 32 connections,
#      with CPU seconds per 1000 requests of each proxy process;
#   3. added latency at a fixed 1000 requests/s over 4 connections (h2load --rps, p50/p90/p99);
#   4. the stolen path: sidecar, tunnel and CLI to a local app, against direct to that app;
#   5. the sidecar's memory: idle, after 30 s at 1000 requests/s, peak at 256 connections; and under the
#      injected memory limit (a memory cgroup), the most charged at 256 and 1000 connections;
#   6. the webhook at 100 and 500 reviews/s (bench/webhook.sh);
#   7. start-up: from exec to /readyz answering 200, the Native AOT sidecar against the same code on the JIT.
# The sidecar is the Native AOT executable the image ships (build/publish.sh).
# Usage: bench/run.sh [rounds] [seconds]
# Needs: apt-get install wrk nghttp2-client nginx-light haproxy openssl
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rounds=${1:-3}
seconds=${2:-8}
require bench/run.sh "apt-get install wrk nghttp2-client nginx-light haproxy openssl" wrk h2load nginx haproxy openssl
prepare

# The app in the pod (HTTP/1.1 on 18080, h2c on 19080) and the developer's local app (28080, 29080).
dotnet "$app_dll" app 18080 19080 15480 >"$work/app.log" 2>&1 & pids+=($!); pid_of[direct]=$!
dotnet "$app_dll" laptop 28080 29080 25480 >"$work/laptop.log" 2>&1 & pids+=($!)
h1[direct]=18080; h2[direct]=19080

# nginx cannot proxy plain-text HTTP/2 upstream, so its h2c listener speaks HTTP/1.1 to the app.
cat >"$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  # nginx closes a client connection after 1000 requests by default, and h2load does not reconnect:
  # without this its HTTP/2 figure stops at 1000 requests per connection.
  keepalive_requests 1000000;
  upstream app { server 127.0.0.1:18080; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:18081;
    listen 127.0.0.1:19081 http2;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
nginx -c "$work/nginx.conf" -g 'daemon off;' & pids+=($!); pid_of[nginx]=$!
h1[nginx]=18081; h2[nginx]=19081

cat >"$work/haproxy.cfg" <<HAPROXY
global
  nbthread 2
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  http-reuse always
frontend h1
  bind 127.0.0.1:18082
  default_backend app
frontend h2
  bind 127.0.0.1:19082 proto h2
  default_backend app-h2
backend app
  server app 127.0.0.1:18080
backend app-h2
  server app 127.0.0.1:19080 proto h2
HAPROXY
haproxy -f "$work/haproxy.cfg" & pids+=($!); pid_of[haproxy]=$!
h1[haproxy]=18082; h2[haproxy]=19082

sidecar memory 6 # untouched until section 5
# The injector's default memory limit (Injection:MemoryLimit), read from its source so the two cannot drift.
limit_mi=$(sed -n 's/.*MemoryLimit { get; set; } = "\([0-9]*\)Mi".*/\1/p' webhook/Mirrord.Injection/InjectionOptions.cs)
limited_cgroup=
if [ "$(id -u)" = 0 ]; then
  limited_cgroup=$(memory_cgroup $((limit_mi * 1048576)))
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rmdir "$limited_cgroup" 2>/dev/null; rm -rf "$work"' EXIT
  sidecar_cgroup=$limited_cgroup sidecar limited 7
fi
idle_mb=$(rss_mb "${pid_of[memory]}")
sidecar sidecar 3
sidecar sidecar-10-rules 4
# Ten header rules that never match the benchmark's requests: every request is evaluated and passed.
rules=$(for i in $(seq 1 10); do printf '{ "header": "^X-Dev-%d: developer-%d$" }' "$i" "$i"; if [ "$i" -lt 10 ]; then printf ', '; fi; done)
connect sidecar-10-rules 4 "{ \"feature\": { \"network\": { \"incoming\": { \"mode\": \"steal\", \"http_filter\": { \"any_of\": [ $rules ], \"ports\": [18080, 19080] } } } } }" 1
sidecar stealing 5
connect stealing 5 '{ "feature": { "network": { "incoming": { "mode": "steal", "http_filter": { "path_filter": "^/bytes", "ports": [18080] } } } } }' 28080
wait_for "http://127.0.0.1:${h1[direct]}/bytes/1024"
for name in nginx haproxy; do wait_for "http://127.0.0.1:${h1[$name]}/bytes/1024"; done

order=(direct nginx haproxy sidecar sidecar-10-rules)
throughput() { # protocol: h1 (wrk) or h2 (h2load, 10 streams per connection)
  local protocol=$1 name port rps before after
  for round in $(seq "$rounds"); do
    for name in "${order[@]}"; do
      if [ "$protocol" = h1 ]; then port=${h1[$name]}; else port=${h2[$name]}; fi
      before=$(cpu_ticks "${pid_of[$name]}")
      if [ "$protocol" = h1 ]; then
        rps=$(wrk -t2 -c32 -d"${seconds}s" "http://127.0.0.1:$port/bytes/1024" | wrk_rps)
      else
        rps=$(h2load -t2 -c32 -m10 -D "$seconds" "http://127.0.0.1:$port/bytes/1024" | h2load_rps)
      fi
      after=$(cpu_ticks "${pid_of[$name]}")
      echo "$name $rps $((after - before))" >>"$work/throughput-$protocol"
      echo "round $round: $protocol $name $rps req/s" >&2
    done
  done
  local ticks direct median cpu
  ticks=$(getconf CLK_TCK)
  direct=$(awk '$1 == "direct" {print $2}' "$work/throughput-$protocol" | median)
  echo "| target | median req/s | ratio to direct | CPU s per 1000 requests (that process) |"
  echo "|---|---:|---:|---:|"
  for name in "${order[@]}"; do
    median=$(awk -v n="$name" '$1 == n {print $2}' "$work/throughput-$protocol" | median)
    cpu=$(awk -v n="$name" -v s="$seconds" -v t="$ticks" '$1 == n {c += $3 / t; r += $2 * s} END {printf "%.4f", c / r * 1000}' "$work/throughput-$protocol")
    printf "| %s | %.0f | %s | %s |\n" "$name" "$median" "$(ratio "$median" "$direct")" "$cpu"
  done
}

fixed_rate() { # name url: 1000 requests/s over 4 HTTP/1.1 connections, one log per round
  h2load --h1 -c4 --rps 250 -D "$seconds" --log-file "$work/latency-$1-$round.log" "$2" >/dev/null
}
latency_table() { # baseline-name names...
  local base=$1 name b50 b90 b99 p50 p90 p99
  cat "$work"/latency-"$base"-*.log >"$work/latency-$base.all"
  read -r b50 b90 b99 <<<"$(percentiles "$work/latency-$base.all")"
  echo "| target | p50 | p90 | p99 | added p50 | added p90 | added p99 | failed |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for name in "$@"; do
    cat "$work"/latency-"$name"-*.log >"$work/latency-$name.all"
    read -r p50 p90 p99 <<<"$(percentiles "$work/latency-$name.all")"
    printf "| %s | %d µs | %d µs | %d µs | %d µs | %d µs | %d µs | %s |\n" "$name" "$p50" "$p90" "$p99" \
      $((p50 - b50)) $((p90 - b90)) $((p99 - b99)) "$(failed_requests "$work/latency-$name.all")"
  done
}

echo "== warm-up" >&2
for name in "${order[@]}" stealing; do wrk -t2 -c32 -d3s "http://127.0.0.1:${h1[$name]}/bytes/1024" >/dev/null; done

echo "## 1. HTTP/1.1 throughput (wrk -t2 -c32, ${rounds} rounds of ${seconds} s)"
throughput h1
echo
echo "## 2. HTTP/2 throughput (h2load -t2 -c32 -m10, ${rounds} rounds of ${seconds} s)"
throughput h2
echo
echo "## 3. Latency at 1000 requests/s (h2load --h1 -c4 --rps 250, ${rounds} rounds of ${seconds} s)"
for round in $(seq "$rounds"); do
  for name in "${order[@]}"; do fixed_rate "$name" "http://127.0.0.1:${h1[$name]}/bytes/1024"; done
done
latency_table direct "${order[@]:1}"
echo
echo "## 4. Stolen path: sidecar, tunnel and CLI to the local app (wrk -t2 -c32 -d30s)"
wrk_summary() { awk '/Requests\/sec/ {rps = $2} /Non-2xx/ {bad += $NF} /Socket errors/ {gsub(",", ""); bad += $4 + $6 + $8 + $10} END {printf "%.0f %d", rps, bad}'; }
read -r local_rps local_bad <<<"$(wrk -t2 -c32 -d30s --timeout 5s http://127.0.0.1:28080/bytes/1024 | wrk_summary)"
read -r stolen_rps stolen_bad <<<"$(wrk -t2 -c32 -d30s --timeout 5s "http://127.0.0.1:${h1[stealing]}/bytes/1024" | wrk_summary)"
echo "| target | req/s | ratio to direct | errors |"
echo "|---|---:|---:|---:|"
echo "| direct to the local app | $local_rps | 1.00 | $local_bad |"
echo "| stolen: sidecar → tunnel → CLI → local app | $stolen_rps | $(ratio "$stolen_rps" "$local_rps") | $stolen_bad |"
for round in $(seq "$rounds"); do
  fixed_rate local http://127.0.0.1:28080/bytes/1024
  fixed_rate stolen "http://127.0.0.1:${h1[stealing]}/bytes/1024"
done
echo
latency_table local stolen
echo
echo "## 5. Sidecar memory (resident set)"
h2load --h1 -c4 --rps 250 -D 30 "http://127.0.0.1:${h1[memory]}/bytes/1024" >/dev/null
after_load_mb=$(rss_mb "${pid_of[memory]}")
wrk -t2 -c256 -d"${seconds}s" "http://127.0.0.1:${h1[memory]}/bytes/1024" >/dev/null
peak_mb=$(rss_mb "${pid_of[memory]}" VmHWM)
echo "| state | MB |"
echo "|---|---:|"
echo "| idle, after start | $idle_mb |"
echo "| after 30 s at 1000 requests/s | $after_load_mb |"
echo "| peak, 256 connections for ${seconds} s | $peak_mb |"
if [ -n "$limited_cgroup" ]; then
  echo
  echo "Under the injected limit (${limit_mi} MiB, a memory cgroup): the most charged, and requests that failed."
  echo
  echo "| load | MB charged at most | failed requests |"
  echo "|---|---:|---:|"
  for connections in 256 1000; do
    read -r _ bad <<<"$(wrk -t2 -c"$connections" -d"${seconds}s" --timeout 5s "http://127.0.0.1:${h1[limited]}/bytes/1024" | wrk_summary)"
    echo "| ${connections} connections for ${seconds} s | $(peak_mb "$limited_cgroup") | $bad |"
  done
fi
echo
echo "## 6. Webhook: one AdmissionReview over HTTPS at a fixed rate"
bench/webhook.sh 15
echo
echo "## 7. Sidecar start-up: exec to /readyz answering 200 (median of 10 starts)"
echo "| build | ms |"
echo "|---|---:|"
echo "| Native AOT (the image's) | $(exec_to_ready_ms "${sidecar_cmd[@]}") |"
echo "| the same code on the JIT (dotnet mirrord-sidecar.dll) | $(exec_to_ready_ms dotnet "$sidecar_bin/mirrord-sidecar.dll") |"
