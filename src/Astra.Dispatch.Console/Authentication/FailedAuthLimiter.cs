using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Console.Authentication;

/// <summary>
/// Counts failed authentications per client address (an IPv6 address by its /64, which one host usually holds whole) in
/// a fixed window. Once an address has used up its failures, every request of it that needs a key gets 429 with
/// <c>Retry-After</c> until the window ends, right keys included: otherwise a guesser would still learn which guess worked.
/// </summary>
internal sealed class FailedAuthLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public FailedAuthLimiter(IOptions<ConsoleOptions> options)
    {
        var limit = options.Value.FailedAuthLimit;
        var window = options.Value.FailedAuthWindow;
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = window, QueueLimit = 0, AutoReplenishment = true }));
    }

    /// <summary>Whether the address has no failures left; then when to try again.</summary>
    public bool IsLocked(HttpContext context, out TimeSpan retryAfter)
    {
        // A zero-permit acquire only reads the state: it fails, with the retry time, once the window's permits are gone.
        using var lease = _limiter.AttemptAcquire(PartitionOf(context), 0);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(60);
        return !lease.IsAcquired;
    }

    /// <summary>Counts one failed authentication of the address.</summary>
    public void RecordFailure(HttpContext context) => _limiter.AttemptAcquire(PartitionOf(context)).Dispose();

    public void Dispose() => _limiter.Dispose();

    internal static string PartitionOf(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
            return "unknown";
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
