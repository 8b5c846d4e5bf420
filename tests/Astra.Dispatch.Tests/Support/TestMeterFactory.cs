using System.Diagnostics.Metrics;

namespace Astra.Dispatch.Tests.Support;

/// <summary>Meters for one test, disposed with it (no host, no DI container).</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        lock (_meters)
            _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
            _meters.ForEach(m => m.Dispose());
    }
}
