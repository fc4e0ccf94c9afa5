#!/usr/bin/env bash
# Soak: a steady rate through one sidecar for several minutes (HTTP/1.1 and HTTP/2 callers that no
# session's filter matches) while developer sessions attach and detach every few seconds, ending
# alternately with SIGTERM (as Ctrl-C) and with a crash (SIGKILL). Passes when no caller request
# failed, every session stole what it asked for, and the sidecar's memory did not grow after the
# first minute.
# Usage: bench/soak.sh [minutes] [requests/s]
# Needs: apt-get install nghttp2-client curl
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
minutes=${1:-5}
rate=${2:-400}
require bench/soak.sh "apt-get install nghttp2-client curl" h2load curl
prepare

dotnet "$app_dll" app 18080 19080 15480 >"$work/app.log" 2>&1 & pids+=($!)
dotnet "$app_dll" laptop 28080 29080 25480 >"$work/laptop.log" 2>&1 & pids+=($!)
wait_for http://127.0.0.1:18080/whoami
wait_for http://127.0.0.1:28080/whoami
sidecar soak 7
sidecar_pid=${pid_of[soak]}
seconds=$((minutes * 60))

# Callers: 90 % of the rate over HTTP/1.1, 10 % over HTTP/2, for the whole run.
h2load --h1 -c4 --rps $((rate * 9 / 40)) -D "$seconds" --log-file "$work/h1.log" "http://127.0.0.1:18087/bytes/1024" >"$work/h1.out" 2>&1 & h1_load=$!
h2load -c1 --rps $((rate / 10)) -D "$seconds" --log-file "$work/h2.log" "http://127.0.0.1:19087/bytes/1024" >"$work/h2.out" 2>&1 & h2_load=$!

# Memory every 10 s.
(while kill -0 "$sidecar_pid" 2>/dev/null; do echo "$(date +%s) $(rss_mb "$sidecar_pid")"; sleep 10; done) >"$work/rss" & pids+=($!)

# Sessions come and go until the callers are done. The filter lists both ports: a port it left out
# would be stolen whole, as mirrord does.
config='{ "feature": { "network": { "incoming": { "mode": "steal", "http_filter": { "header_filter": "^X-Dev: alice$", "ports": [18080, 19080] } } } } }'
cycles=0 missed=0
while kill -0 "$h1_load" 2>/dev/null; do
  connect "alice-$cycles" 7 "$config" 28080
  cli=${pids[-1]}
  for _ in 1 2 3; do
    served=$(curl -s -D - -o /dev/null -H "X-Dev: alice" http://127.0.0.1:18087/whoami | awk -F': ' 'tolower($1) == "x-served-by" {print $2}' | tr -d '\r')
    [ "$served" = laptop ] || missed=$((missed + 1))
  done
  sleep 2
  # SIGTERM, not SIGINT: background jobs of a script ignore SIGINT.
  if [ $((cycles % 2)) -eq 0 ]; then kill -TERM "$cli"; else kill -KILL "$cli"; fi
  wait "$cli" 2>/dev/null || true
  cycles=$((cycles + 1))
  sleep 1
done
wait "$h2_load" || true

# h2load's summary counts requests that never got an answer; its log, answers that were errors.
unanswered() { sed -n 's/^requests: .* \([0-9]*\) failed, \([0-9]*\) errored, \([0-9]*\) timeout.*/\1 \2 \3/p' "$1" | awk '{print $1 + $2 + $3}'; }
h1_total=$(wc -l <"$work/h1.log"); h2_total=$(wc -l <"$work/h2.log")
h1_failed=$(( $(failed_requests "$work/h1.log") + $(unanswered "$work/h1.out") ))
h2_failed=$(( $(failed_requests "$work/h2.log") + $(unanswered "$work/h2.out") ))
# Memory: the highest sample of the first minute (warm-up) against the highest of the last minute.
read -r early late peak < <(awk -v start="$(head -1 "$work/rss" | cut -d' ' -f1)" -v end="$(tail -1 "$work/rss" | cut -d' ' -f1)" '
  $1 - start <= 60 && $2 > early {early = $2}
  end - $1 <= 60 && $2 > late {late = $2}
  $2 > peak {peak = $2}
  END {print early, late, peak}' "$work/rss")

echo "## Soak: ${minutes} min at ${rate} requests/s through one sidecar, sessions attaching and detaching"
echo "| measure | value |"
echo "|---|---:|"
echo "| HTTP/1.1 caller requests (failed) | $h1_total ($h1_failed) |"
echo "| HTTP/2 caller requests (failed) | $h2_total ($h2_failed) |"
echo "| sessions attached and detached (every other one killed) | $cycles |"
echo "| alice's requests not stolen while her session was up | $missed of $((cycles * 3)) |"
echo "| sidecar RSS, highest in the first minute / last minute / overall | $early / $late / $peak MB |"
echo
for protocol in h1 h2; do echo "h2load ($protocol): $(grep -E '^requests:' "$work/$protocol.out")"; done

status=0
[ "$h1_failed" -eq 0 ] && [ "$h2_failed" -eq 0 ] || { echo "caller requests failed" >&2; status=1; }
[ "$missed" -eq 0 ] || { echo "some of alice's requests were not stolen" >&2; status=1; }
awk -v e="$early" -v l="$late" 'BEGIN {exit !(l <= e * 1.10)}' || { echo "memory grew more than 10 % after the first minute" >&2; status=1; }
exit $status
