using System.Net.Mime;
using MassTransit;

namespace Astra.Dispatch.Bus;

/// <summary>
/// Plain JSON bodies, without MassTransit's envelope, for everything the worker sends: results, so any AMQP client
/// can read them, and <c>SendHttpAction</c> commands, because writing and parsing the envelope (addresses, host
/// metadata, headers twice) was a large share of the worker's CPU per delivery (docs/benchmark.md). Headers travel as AMQP headers.
/// </summary>
internal static class RawJson
{
    public static readonly ContentType ContentType = new("application/json");

    /// <summary>Serialize this message as plain JSON.</summary>
    public static void UseRawJson(this SendContext context) =>
        context.Serializer = context.Serialization.GetMessageSerializer(ContentType);
}
