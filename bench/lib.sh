# Helpers shared by the benchmark scripts: process accounting and statistics over result files.
# Sourced, not run.

# utime+stime clock ticks of a process and its children (nginx's workers).
cpu_ticks() {
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1" 2>/dev/null); do
    [ -r "/proc/$pid/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}

# Resident memory of a process in MB: rss_mb PID [VmRSS|VmHWM].
rss_mb() {
  awk -v field="${2:-VmRSS}:" '$1 == field {printf "%.1f", $2 / 1024}' "/proc/$1/status"
}

# The median of the numbers on stdin.
median() {
  sort -n | awk '{a[NR] = $1} END {if (NR == 0) print 0; else print a[int((NR + 1) / 2)]}'
}

# p50 p90 p99 in microseconds of an h2load --log-file (column 3), successful requests only.
percentiles() {
  awk -F'\t' '$2 >= 200 && $2 < 400 {print $3}' "$1" | sort -n |
    awk '{a[NR] = $1} END {if (NR == 0) {print "0 0 0"; exit} printf "%d %d %d\n", a[int(NR * 0.50) + 1], a[int(NR * 0.90) + 1], a[int(NR * 0.99) + 1]}'
}

# Requests whose status was not 2xx/3xx (or that failed outright) in an h2load --log-file.
failed_requests() {
  awk -F'\t' '$2 < 200 || $2 >= 400 {n++} END {print n + 0}' "$1"
}

# Waits until a URL answers, for up to 20 s.
wait_for() {
  for _ in $(seq 100); do curl -sf -o /dev/null "$@" && return 0; sleep 0.2; done
  echo "gave up waiting for $*" >&2
  return 1
}

# Requests per second from a wrk (wrk_rps) or h2load (h2load_rps) report on stdin.
wrk_rps() { awk '/Requests\/sec/ {print $2}'; }
h2load_rps() { awk '/^finished in/ {gsub(",", ""); print $4}'; }

ratio() { echo "$1 $2" | awk '{if ($2 == 0) print "n/a"; else printf "%.2f", $1 / $2}'; }

# require SCRIPT INSTALL-HINT TOOL...: stops the script, saying what to install, when a tool is missing.
require() {
  local script=$1 hint=$2 tool
  shift 2
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$script needs $tool: $hint" >&2; exit 2; }
  done
}

# prepare: a scratch folder $work (removed, and every process in $pids stopped, on exit), Release
# builds of the test app ($app_dll), the sidecar ($sidecar_bin, framework-dependent) and the CLI
# ($cli_bin), the sidecar as the image ships it (Native AOT, build/publish.sh), started by
# "${sidecar_cmd[@]}", and the maps pid_of, h1, h2 the helpers below fill.
prepare() {
  work=$(mktemp -d)
  pids=()
  declare -gA pid_of=() h1=() h2=()
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
  for project in tests/Mirrord.TestApp sidecar/Mirrord.Sidecar cli/Mirrord.Cli; do dotnet build -c Release "$project" --nologo -v quiet >/dev/null; done
  app_dll=tests/Mirrord.TestApp/bin/Release/net10.0/Mirrord.TestApp.dll
  sidecar_bin=sidecar/Mirrord.Sidecar/bin/Release/net10.0
  build/publish.sh "$work/publish" sidecar >/dev/null
  sidecar_cmd=("$work/publish/sidecar/mirrord-sidecar")
  cli_bin=cli/Mirrord.Cli/bin/Release/net10.0
  export Logging__LogLevel__Default=Warning
}

# memory_cgroup BYTES: a memory cgroup limited to BYTES, as a container's limit makes one (v2 or v1); prints
# its folder. peak_mb FOLDER: the most memory charged to it so far, in MB.
memory_cgroup() {
  local folder
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    folder=/sys/fs/cgroup/mirrord-bench-$$; mkdir -p "$folder"; echo "$1" >"$folder/memory.max"
  else
    folder=/sys/fs/cgroup/memory/mirrord-bench-$$; mkdir -p "$folder"; echo "$1" >"$folder/memory.limit_in_bytes"
  fi
  echo "$folder"
}
peak_mb() {
  local file=$1/memory.peak
  [ -f "$file" ] || file=$1/memory.max_usage_in_bytes
  awk '{printf "%.1f", $1 / 1048576}' "$file"
}

# The programs under test (after prepare); a sidecar starts inside the cgroup in $sidecar_cgroup when set.
# sidecar NAME N: listeners 1808N (-> 18080) and 1908N (-> 19080), session 1809N, health 1819N, inbound 1829N.
sidecar() {
  local name=$1 n=$2
  MIRRORD_Sidecar__DirectListeners="1808$n=18080,1908$n=19080" MIRRORD_Sidecar__SessionPort=1809$n \
  MIRRORD_Sidecar__HealthPort=1819$n MIRRORD_Sidecar__InboundPort=1829$n \
    sh -c 'if [ -n "$0" ]; then echo $$ >"$0/cgroup.procs"; fi; exec "$@"' "${sidecar_cgroup:-}" "${sidecar_cmd[@]}" >"$work/sidecar-$name.log" 2>&1 & pids+=($!)
  pid_of[$name]=$!; h1[$name]=1808$n; h2[$name]=1908$n
  wait_for "http://127.0.0.1:1819$n/readyz"
}
# connect NAME N CONFIG-JSON LOCAL-PORT: mirrord-cli connect to sidecar N; returns once registered.
connect() {
  echo "$3" >"$work/$1.json"
  dotnet "$cli_bin/mirrord-cli.dll" connect --sidecar-address "127.0.0.1:1809$2" -f "$work/$1.json" --local-port "$4" >"$work/cli-$1.log" 2>&1 & pids+=($!)
  for _ in $(seq 100); do grep -q "registered on pod" "$work/cli-$1.log" && return 0; sleep 0.2; done
  echo "the $1 session did not register" >&2; cat "$work/cli-$1.log" >&2; return 1
}

# exec_to_ready_ms COMMAND...: milliseconds from starting the sidecar to its /readyz answering 200 (health
# port 18199, polled every millisecond), the median of 10 starts.
exec_to_ready_ms() {
  local i start
  for i in $(seq 10); do
    start=$(date +%s%N)
    MIRRORD_Sidecar__HealthPort=18199 MIRRORD_Sidecar__SessionPort=18099 MIRRORD_Sidecar__InboundPort=18299 "$@" >/dev/null 2>&1 &
    local pid=$!
    until curl -sf -o /dev/null --max-time 1 http://127.0.0.1:18199/readyz; do sleep 0.001; done
    echo $(( ($(date +%s%N) - start) / 1000000 ))
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done | median
}
