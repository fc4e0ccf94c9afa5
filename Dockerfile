# syntax=docker/dockerfile:1
# One build stage for the whole solution, one runtime target per program.
#   docker build --target sidecar -t mirrord-sidecar .
#   docker build --target cli -t mirrord-cli .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig Mirrord.Webhook.sln ./
COPY sidecar/ sidecar/
COPY cli/ cli/
COPY webhook/ webhook/
COPY tests/ tests/
RUN dotnet restore sidecar/Mirrord.Sidecar/Mirrord.Sidecar.csproj --locked-mode \
 && dotnet restore cli/Mirrord.Cli/Mirrord.Cli.csproj --locked-mode
RUN dotnet publish sidecar/Mirrord.Sidecar/Mirrord.Sidecar.csproj -c Release --no-restore -o /out/sidecar \
 && dotnet publish cli/Mirrord.Cli/Mirrord.Cli.csproj -c Release --no-restore -o /out/cli

# The sidecar needs no privileges: its ports are above 1024 and it only proxies.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS sidecar
WORKDIR /app
COPY --from=build /out/sidecar ./
USER 65532:65532
EXPOSE 15080 15090
ENTRYPOINT ["dotnet", "/app/mirrord-sidecar.dll"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS cli
WORKDIR /app
COPY --from=build /out/cli ./
USER 65532:65532
ENTRYPOINT ["dotnet", "/app/mirrord-cli.dll"]
