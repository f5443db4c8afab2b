namespace BiasBounty.Cli;

/// <summary>Checks an output path before any work is done, so a typo costs a one-line error, not a long run and a stack trace.</summary>
public static class OutputFiles
{
    /// <exception cref="UsageException">The folder does not exist, or the path is a folder.</exception>
    public static void CheckWritable(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new UsageException($"cannot write {path}: it is a folder; give a file name");
        var folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
            throw new UsageException($"cannot write {path}: the folder {folder} does not exist");
    }
}
