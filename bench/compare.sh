#!/usr/bin/env bash
# This tree against an earlier commit, back to back on the same machine, for a change to the request path:
#   pass-through throughput (HTTP/1.1 with wrk, HTTP/2 with h2load) against the app alone; the stolen path
#   (each build's sidecar with each build's CLI) in throughput (wrk) and latency at 1000 requests/s
#   (h2load), against the local app alone; and the pass-through sidecar's memory after 30 s and 60 s at
#   1000 requests/s.
# Usage: bench/compare.sh REV [rounds] [seconds]
# Needs: apt-get install wrk nghttp2-client
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rev=${1:?usage: bench/compare.sh REV [rounds] [seconds]}
rounds=${2:-3}
seconds=${3:-10}
require bench/compare.sh "apt-get install wrk nghttp2-client" wrk h2load
prepare
# Both builds' sidecars run framework-dependent (a base from before Native AOT has nothing else).
current_sidecar=(dotnet "$sidecar_bin/mirrord-sidecar.dll"); current_cli=$cli_bin
git worktree add --detach "$work/base" "$rev" >/dev/null 2>&1
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; git worktree remove --force "$work/base" 2>/dev/null || true; rm -rf "$work"' EXIT
for project in sidecar/Mirrord.Sidecar cli/Mirrord.Cli; do dotnet build -c Release "$work/base/$project" --nologo -v quiet >/dev/null; done
base_sidecar=(dotnet "$work/base/sidecar/Mirrord.Sidecar/bin/Release/net10.0/mirrord-sidecar.dll"); base_cli=$work/base/cli/Mirrord.Cli/bin/Release/net10.0

dotnet "$app_dll" app 18080 19080 15480 >"$work/app.log" 2>&1 & pids+=($!)
dotnet "$app_dll" laptop 28080 29080 25480 >"$work/laptop.log" 2>&1 & pids+=($!)
wait_for http://127.0.0.1:18080/bytes/1 && wait_for http://127.0.0.1:28080/bytes/1
steal='{ "feature": { "network": { "incoming": { "mode": "steal", "http_filter": { "path_filter": "^/bytes", "ports": [18080] } } } } }'
sidecar_cmd=("${base_sidecar[@]}"); cli_bin=$base_cli; sidecar base 1; connect base 1 "$steal" 28080; sidecar base-memory 3; sidecar base-pass 5
sidecar_cmd=("${current_sidecar[@]}"); cli_bin=$current_cli; sidecar current 2; connect current 2 "$steal" 28080; sidecar current-memory 4; sidecar current-pass 6
h1[local]=28080; h1[direct]=18080; h2[direct]=19080

echo "# $(git rev-parse --short "$rev") (base) against this tree ($(git rev-parse --short HEAD)$(git diff --quiet || echo ', with changes'))"
echo "## Pass-through (nobody connected): wrk -t2 -c32 (HTTP/1.1), h2load -t2 -c32 -m10 (h2c), $rounds rounds of $seconds s"
for name in direct base-pass current-pass; do wrk -t2 -c32 -d3s "http://127.0.0.1:${h1[$name]}/bytes/1024" >/dev/null; done
for round in $(seq "$rounds"); do
  for name in direct base-pass current-pass; do
    wrk -t2 -c32 -d"${seconds}s" --timeout 5s "http://127.0.0.1:${h1[$name]}/bytes/1024" | wrk_rps >>"$work/pass1-$name"
    h2load -t2 -c32 -m10 -D "$seconds" "http://127.0.0.1:${h2[$name]}/bytes/1024" | h2load_rps >>"$work/pass2-$name"
  done
done
echo "| target | HTTP/1.1 median req/s | ratio to direct | HTTP/2 median req/s | ratio to direct |"
echo "|---|---:|---:|---:|---:|"
for name in direct base-pass current-pass; do
  m1=$(median <"$work/pass1-$name"); m2=$(median <"$work/pass2-$name")
  echo "| ${name%-pass} | $m1 | $(ratio "$m1" "$(median <"$work/pass1-direct")") | $m2 | $(ratio "$m2" "$(median <"$work/pass2-direct")") |"
done

for name in local base current; do wrk -t2 -c32 -d3s "http://127.0.0.1:${h1[$name]}/bytes/1024" >/dev/null; done
echo "## The stolen path (wrk -t2 -c32, $rounds rounds of $seconds s)"
for round in $(seq "$rounds"); do
  for name in local base current; do
    rps=$(wrk -t2 -c32 -d"${seconds}s" --timeout 5s "http://127.0.0.1:${h1[$name]}/bytes/1024" | wrk_rps)
    echo "$rps" >>"$work/rps-$name"
    echo "round $round: $name $rps req/s"
  done
done
echo "| target | median req/s | ratio to the local app | ratio to base |"
echo "|---|---:|---:|---:|"
for name in local base current; do
  m=$(median <"$work/rps-$name")
  echo "| $name | $m | $(ratio "$m" "$(median <"$work/rps-local")") | $(ratio "$m" "$(median <"$work/rps-base")") |"
done

echo "## Latency at 1000 requests/s (h2load --h1 -c4 --rps 250, $seconds s each)"
echo "| target | p50 µs | p90 µs | p99 µs | failed |"
echo "|---|---:|---:|---:|---:|"
for name in local base current; do
  h2load --h1 -c4 --rps 250 -D "$seconds" --log-file "$work/latency-$name.log" "http://127.0.0.1:${h1[$name]}/bytes/1024" >/dev/null
  read -r p50 p90 p99 <<<"$(percentiles "$work/latency-$name.log")"
  echo "| $name | $p50 | $p90 | $p99 | $(failed_requests "$work/latency-$name.log") |"
done

echo "## Pass-through sidecar memory at 1000 requests/s (MB resident)"
echo "| build | idle | after 30 s | after 60 s |"
echo "|---|---:|---:|---:|"
for name in base-memory current-memory; do
  idle=$(rss_mb "${pid_of[$name]}")
  h2load --h1 -c4 --rps 250 -D 30 "http://127.0.0.1:${h1[$name]}/bytes/1024" >/dev/null
  after30=$(rss_mb "${pid_of[$name]}")
  h2load --h1 -c4 --rps 250 -D 30 "http://127.0.0.1:${h1[$name]}/bytes/1024" >/dev/null
  echo "| ${name%-memory} | $idle | $after30 | $(rss_mb "${pid_of[$name]}") |"
done
