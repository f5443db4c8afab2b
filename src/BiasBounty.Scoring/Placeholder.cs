namespace BiasBounty.Scoring; internal static class Placeholder {}
