# One build stage for the whole solution, one runtime target per program:
#   docker build --target webhook -t mirrord-webhook .
#   docker build --target sidecar -t mirrord-sidecar .   (also runs as mirrord-init: "init --ports ...")
#   docker build --target cli -t mirrord-cli .
# The build runs build/publish.sh, the same script the image tests run without a Docker engine.
FROM mcr.microsoft.com/dotnet/sdk:10.0-bookworm-slim AS build
# Native AOT (the sidecar) links with clang and needs zlib's headers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang=1:14.* zlib1g-dev=1:1.2.* \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig Mirrord.Webhook.sln ./
COPY build/ build/
COPY sidecar/ sidecar/
COPY cli/ cli/
COPY webhook/ webhook/
RUN ./build/publish.sh /out

# Distroless-style base: no shell, no package manager; the webhook only needs the runtime.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS webhook
WORKDIR /app
COPY --from=build /out/webhook ./
USER 65532:65532
EXPOSE 8443 9090
ENTRYPOINT ["dotnet", "/app/mirrord-webhook.dll"]

# The sidecar is a Native AOT executable: no .NET runtime in the image, only what it links against.
# Debian slim, because mirrord-init runs iptables (nft and legacy) from this image as root with
# NET_ADMIN; the sidecar itself runs as 65532 with no capabilities.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-bookworm-slim AS sidecar
RUN apt-get update \
 && apt-get install -y --no-install-recommends iptables=1.8.* \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out/sidecar ./
USER 65532:65532
EXPOSE 15080 15082
ENTRYPOINT ["/app/mirrord-sidecar"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS cli
WORKDIR /app
COPY --from=build /out/cli ./
USER 65532:65532
ENTRYPOINT ["dotnet", "/app/mirrord-cli.dll"]
