#!/usr/bin/env bash
# Publishes the programs exactly as the images carry them, from a locked restore, in Release:
#   webhook, cli    framework-dependent, no apphost (the images run "dotnet program.dll");
#   sidecar         Native AOT for this machine's architecture (the image runs ./mirrord-sidecar, which is
#                   also mirrord-init); needs clang and zlib1g-dev;
#   cli-single-file self-contained single-file CLIs, OUTPUT_DIR/cli-single-file/RID/mirrord-cli[.exe], for
#                   the RIDs in $CLI_RIDS (default: linux-x64 linux-arm64 osx-arm64 win-x64).
# Usage: build/publish.sh OUTPUT_DIR [webhook|sidecar|cli|cli-single-file ...]   (default: webhook sidecar cli)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: build/publish.sh OUTPUT_DIR [webhook|sidecar|cli|cli-single-file ...]}
shift
programs=("$@")
[ ${#programs[@]} -eq 0 ] && programs=(webhook sidecar cli)
quiet=(--nologo -v quiet)

case "$(uname -m)" in
  x86_64) native_rid=linux-x64 ;;
  aarch64 | arm64) native_rid=linux-arm64 ;;
  *) echo "build/publish.sh: no Native AOT build for $(uname -m) (linux-x64 and linux-arm64 are supported)" >&2; exit 1 ;;
esac

for program in "${programs[@]}"; do
  case "$program" in
    webhook | cli)
      project=$([ "$program" = webhook ] && echo webhook/Mirrord.Webhook/Mirrord.Webhook.csproj || echo cli/Mirrord.Cli/Mirrord.Cli.csproj)
      dotnet restore "$project" --locked-mode "${quiet[@]}"
      dotnet publish "$project" -c Release --no-restore "${quiet[@]}" -p:UseAppHost=false -o "$out/$program"
      ;;
    sidecar)
      project=sidecar/Mirrord.Sidecar/Mirrord.Sidecar.csproj
      dotnet restore "$project" --locked-mode "${quiet[@]}"
      dotnet publish "$project" -c Release --no-restore "${quiet[@]}" -r "$native_rid" \
        -p:PublishDocumentationFiles=false -p:PublishReferencesDocumentationFiles=false -o "$out/sidecar"
      ;;
    cli-single-file)
      project=cli/Mirrord.Cli/Mirrord.Cli.csproj
      # Every project of this build gets its obj/ and bin/ under artifacts/single-file/: nothing of the regular build is touched.
      apart=(-p:SingleFileCli=true -p:UseArtifactsOutput=true "-p:ArtifactsPath=$PWD/artifacts/single-file")
      dotnet restore "$project" --locked-mode "${quiet[@]}" "${apart[@]}"
      for rid in ${CLI_RIDS:-linux-x64 linux-arm64 osx-arm64 win-x64}; do
        dotnet publish "$project" -c Release --no-restore "${quiet[@]}" "${apart[@]}" -r "$rid" --self-contained \
          -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
          -p:IsTransformWebConfigDisabled=true -p:DebugType=none \
          -p:PublishDocumentationFiles=false -p:PublishReferencesDocumentationFiles=false -o "$out/cli-single-file/$rid"
      done
      ;;
    *) echo "build/publish.sh: unknown program \"$program\" (webhook, sidecar, cli or cli-single-file)" >&2; exit 1 ;;
  esac
done
