# syntax=docker/dockerfile:1
# One build stage for the whole solution, one runtime target per program.
#   docker build --target cli -t mirrord-cli .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig Mirrord.Webhook.sln ./
COPY sidecar/ sidecar/
COPY cli/ cli/
COPY webhook/ webhook/
COPY tests/ tests/
RUN dotnet restore cli/Mirrord.Cli/Mirrord.Cli.csproj --locked-mode
RUN dotnet publish cli/Mirrord.Cli/Mirrord.Cli.csproj -c Release --no-restore -o /out/cli

FROM mcr.microsoft.com/dotnet/runtime:10.0 AS cli
WORKDIR /app
COPY --from=build /out/cli ./
USER 65532:65532
ENTRYPOINT ["dotnet", "/app/mirrord-cli.dll"]
