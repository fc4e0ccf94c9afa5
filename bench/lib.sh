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

ratio() { echo "$1 $2" | awk '{if ($2 == 0) print "n/a"; else printf "%.2f", $1 / $2}'; }
