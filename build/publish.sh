#!/usr/bin/env bash
# Publishes the three programs exactly as the images carry them: locked restore, Release,
# framework-dependent, no apphost (the images run "dotnet program.dll").
# Usage: build/publish.sh OUTPUT_DIR [webhook|sidecar|cli ...]   (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: build/publish.sh OUTPUT_DIR [webhook|sidecar|cli ...]}
shift
programs=("$@")
[ ${#programs[@]} -eq 0 ] && programs=(webhook sidecar cli)

for program in "${programs[@]}"; do
  case "$program" in
    webhook) project=webhook/Mirrord.Webhook/Mirrord.Webhook.csproj ;;
    sidecar) project=sidecar/Mirrord.Sidecar/Mirrord.Sidecar.csproj ;;
    cli) project=cli/Mirrord.Cli/Mirrord.Cli.csproj ;;
    *) echo "build/publish.sh: unknown program \"$program\" (webhook, sidecar or cli)" >&2; exit 1 ;;
  esac
  dotnet restore "$project" --locked-mode --nologo -v quiet
  dotnet publish "$project" -c Release --no-restore --nologo -v quiet -p:UseAppHost=false -o "$out/$program"
done
