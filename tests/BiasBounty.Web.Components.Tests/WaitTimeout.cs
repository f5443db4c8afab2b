using System.Runtime.CompilerServices;

namespace BiasBounty.Web.Components.Tests;

internal static class WaitTimeout
{
    /// <summary>bUnit's WaitFor default of one second fails on a loaded 2-core CI machine; a wait only lasts as long as it
    /// must, so a longer ceiling costs nothing when the assertion holds.</summary>
    [ModuleInitializer]
    internal static void Raise() => BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(10);
}
