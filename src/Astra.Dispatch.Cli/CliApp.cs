using Astra.Dispatch.Bus.Operations;
using Astra.Dispatch.Cli.DeadLetters;
using Astra.Dispatch.Cli.Deliveries;
using Astra.Dispatch.Cli.Events;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Cli.Keys;
using Astra.Dispatch.Cli.Rules;
using Astra.Dispatch.Cli.Status;
using Astra.Dispatch.Management;
using Astra.Dispatch.Rules;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client.Exceptions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Astra.Dispatch.Cli;

/// <summary>The <c>astra-dispatch</c> command line, runnable in-process (tests) or from <c>Program</c>.</summary>
internal static class CliApp
{
    /// <summary>Runs one command line. Exit codes: 0 ok, 1 the operation failed, 2 usage or validation error.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error,
        IReadOnlyDictionary<string, string?>? configOverrides = null, CancellationToken cancellationToken = default)
    {
        var isConsole = ReferenceEquals(output, Console.Out);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = isConsole ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isConsole ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isConsole ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!isConsole)
            console.Profile.Width = 200;
        var cli = new CliOutput(console, output, error, configOverrides);
        var services = new ServiceCollection();
        services.AddSingleton(cli);
        var app = new CommandApp(new TypeRegistrar(services));
        app.Configure(config =>
        {
            config.SetApplicationName("astra-dispatch");
            config.ConfigureConsole(console);
            config.PropagateExceptions();
            config.AddExample("rules", "import", "rules.yaml");
            config.AddExample("deliveries", "list", "--status", "failed", "--since", "1h");
            config.AddExample("dlq", "redrive", "--all");
            config.AddExample("status", "--json");
            config.AddExample("keys", "create", "--role", "operator", "--tenant", "acme", "--name", "crm-sync");
            RulesBranch.Add(config);
            DeliveriesBranch.Add(config);
            DeadLettersBranch.Add(config);
            EventsBranch.Add(config);
            KeysBranch.Add(config);
            config.AddCommand<StatusCommand>("status")
                .WithDescription("Broker connection, queue depths and consumers, delivery outcomes over the last hour.")
                .WithExample("status").WithExample("status", "--json");
        });

        var verbose = args.Contains("--verbose");
        try
        {
            return await app.RunAsync([.. args.Select(a => a == "-" ? Events.EventInput.StandardInput : a)], cancellationToken);
        }
        catch (CommandAppException ex)
        {
            return Fail(error, ExitCodes.Usage, ex.Message, ex, verbose);
        }
        catch (CliException ex)
        {
            return Fail(error, ex.ExitCode, ex.Message, ex, verbose);
        }
        catch (RuleValidationException ex)
        {
            await error.WriteLineAsync($"{ex.Errors.Count} rule error(s):");
            foreach (var e in ex.Errors)
                await error.WriteLineAsync($"  {e}");
            return ExitCodes.Usage;
        }
        catch (ManagementValidationException ex)
        {
            foreach (var e in ex.Errors)
                await error.WriteLineAsync($"{e.Field}: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (BrokerUnavailableException ex)
        {
            return Fail(error, ExitCodes.Failed, ex.Message, ex, verbose);
        }
        catch (ArgumentException ex) when (ex.Message.StartsWith("Dispatch:", StringComparison.Ordinal))
        {
            return Fail(error, ExitCodes.Usage, ex.Message, ex, verbose);
        }
        catch (BrokerUnreachableException ex)
        {
            return Fail(error, ExitCodes.Failed, $"Cannot connect to the broker ({ex.InnerException?.Message ?? ex.Message}).", ex, verbose);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            return Fail(error, ExitCodes.Failed, "Cancelled.", ex, verbose);
        }
        catch (Exception ex)
        {
            return Fail(error, ExitCodes.Failed, ex.Message, ex, verbose);
        }
    }

    private static int Fail(TextWriter error, int code, string message, Exception ex, bool verbose)
    {
        error.WriteLine(message.ReplaceLineEndings(" ").Trim());
        if (verbose)
            error.WriteLine(ex.ToString());
        return code;
    }
}
