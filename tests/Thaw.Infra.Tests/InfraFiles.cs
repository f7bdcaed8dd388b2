namespace Thaw.Infra.Tests;

/// <summary>The repository's infra/ folder and the names of its entries and parameters files.</summary>
internal static class InfraFiles
{
    public const string GpuEntry = "main.bicep";
    public const string CpuEntry = "main.cpu.bicep";
    public const string GpuT4Parameters = "gpu-t4.bicepparam";
    public const string GpuA100JobsParameters = "gpu-a100-jobs.bicepparam";
    public const string CpuParameters = "cpu.bicepparam";

    public static string Directory { get; } = Path.Combine(FindRepositoryRoot(), "infra");

    public static TheoryData<string> Entries => [GpuEntry, CpuEntry];

    public static TheoryData<string> ParametersFiles => [GpuT4Parameters, GpuA100JobsParameters, CpuParameters];

    /// <summary>Every .bicep file, modules included, relative to infra/.</summary>
    public static TheoryData<string> BicepFiles
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string file in System.IO.Directory.EnumerateFiles(Directory, "*.bicep", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(Directory, file));
            }

            return data;
        }
    }

    private static string FindRepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Functions.sln above {AppContext.BaseDirectory}.");
    }
}
