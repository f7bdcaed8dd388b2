using System.CommandLine;
using System.CommandLine.Invocation;
using Microsoft.Extensions.Options;

namespace Thaw.Cli;

/// <summary>
/// Wraps a command's action so that a setting out of range, wherever the command's host first reads it (building the
/// web host, <see cref="SettingsCheck"/>, a command's own options), ends the command with exit code 2 and one line per
/// failure naming the key, the value and what is allowed, instead of System.CommandLine's "Unhandled exception" and
/// a stack trace. Every other exception, cancellation included, still reaches the default handler unchanged.
/// </summary>
internal sealed class InvalidSettingsAction(Command command, AsynchronousCommandLineAction inner, TextWriter stderr) : AsynchronousCommandLineAction
{
    public const int ExitCode = 2;

    /// <summary>Wraps the action of <paramref name="command"/> and of every command below it.</summary>
    public static void Wrap(Command command, TextWriter stderr)
    {
        if (command.Action is AsynchronousCommandLineAction action and not InvalidSettingsAction)
        {
            command.Action = new InvalidSettingsAction(command, action, stderr);
        }

        foreach (Command subcommand in command.Subcommands)
        {
            Wrap(subcommand, stderr);
        }
    }

    public override async Task<int> InvokeAsync(ParseResult parseResult, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.InvokeAsync(parseResult, cancellationToken).ConfigureAwait(false);
        }
        catch (OptionsValidationException e)
        {
            await stderr.WriteLineAsync($"{CommandPath()}: invalid settings:").ConfigureAwait(false);
            foreach (string failure in e.Failures)
            {
                await stderr.WriteLineAsync($"  {failure}").ConfigureAwait(false);
            }

            return ExitCode;
        }
    }

    private string CommandPath()
    {
        var names = new Stack<string>();
        for (Command? c = command; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Push(c.Name);
        }

        return string.Join(' ', ["thaw", .. names]);
    }
}
