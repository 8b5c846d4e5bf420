using Astra.Dispatch.Dispatching.Warmup;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Astra.Dispatch.Tests.Dispatching;

public sealed class StartupWarmupTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly Lifetime _lifetime = new();

    [Fact]
    public async Task Steps_RunOnlyOnceTheHostHasStarted_ThenComplete()
    {
        var ran = new List<string>();
        using var warmup = Warmup([new Step("one", _ => ran.Add("one")), new Step("two", _ => ran.Add("two"))]);

        await warmup.StartAsync(CancellationToken.None);
        await Task.Yield();
        Assert.Empty(ran);
        Assert.False(warmup.IsComplete);

        _lifetime.Started();
        await warmup.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["one", "two"], ran);
        Assert.True(warmup.IsComplete);
    }

    [Fact]
    public async Task FailingStep_Skipped_TheOthersRun_StillComplete()
    {
        var ran = new List<string>();
        using var warmup = Warmup([new Step("broken", (Action<CancellationToken>)(_ => throw new InvalidOperationException("boom"))), new Step("after", _ => ran.Add("after"))]);

        await warmup.StartAsync(CancellationToken.None);
        _lifetime.Started();
        await warmup.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["after"], ran);
        Assert.True(warmup.IsComplete);
    }

    [Fact]
    public async Task StepPastTheTimeout_GivenUp_ReadyAnyway()
    {
        var entered = new TaskCompletionSource();
        using var warmup = Warmup([new Step("hangs", async token =>
        {
            entered.SetResult();
            await Task.Delay(Timeout.Infinite, token);
        })], new WarmupOptions { Timeout = TimeSpan.FromSeconds(15) });

        await warmup.StartAsync(CancellationToken.None);
        _lifetime.Started();
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(warmup.IsComplete);

        _time.Advance(TimeSpan.FromSeconds(15));
        await warmup.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(warmup.IsComplete);
    }

    [Fact]
    public async Task StepIgnoringItsToken_AbandonedAtTheDeadline_ReadyAnyway()
    {
        var never = new TaskCompletionSource();
        var entered = new TaskCompletionSource();
        using var warmup = Warmup([new Step("deaf", _ =>
        {
            entered.TrySetResult();
            return never.Task;
        })], new WarmupOptions { Timeout = TimeSpan.FromSeconds(15) });

        await warmup.StartAsync(CancellationToken.None);
        _lifetime.Started();
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(15));
        await warmup.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(warmup.IsComplete);
    }

    [Fact]
    public async Task Disabled_CompleteAtOnce_NoStepRuns()
    {
        var ran = false;
        using var warmup = Warmup([new Step("one", _ => ran = true)], new WarmupOptions { Enabled = false });

        await warmup.StartAsync(CancellationToken.None);
        await warmup.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(warmup.IsComplete);
        Assert.False(ran);
    }

    private StartupWarmup Warmup(IWarmupStep[] steps, WarmupOptions? options = null) =>
        new(steps, _lifetime, Options.Create(options ?? new WarmupOptions()), _time, NullLogger<StartupWarmup>.Instance);

    private sealed class Step(string name, Func<CancellationToken, Task> run) : IWarmupStep
    {
        public Step(string name, Action<CancellationToken> run)
            : this(name, token =>
            {
                run(token);
                return Task.CompletedTask;
            })
        {
        }

        public string Name => name;

        public Task RunAsync(CancellationToken cancellationToken) => run(cancellationToken);
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _started = new();

        public CancellationToken ApplicationStarted => _started.Token;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void Started() => _started.Cancel();

        public void StopApplication()
        {
        }
    }
}
