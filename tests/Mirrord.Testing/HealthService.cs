using Grpc.Core;
using Mirrord.Testing.Grpc.Health;

namespace Mirrord.Testing;

/// <summary>The gRPC health service of <see cref="TestApp"/>: always serving; who answered is in the <c>x-served-by</c> response header.</summary>
public sealed class HealthService : Health.HealthBase
{
    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
        => Task.FromResult(new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.Serving });
}
