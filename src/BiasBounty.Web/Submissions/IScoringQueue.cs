namespace BiasBounty.Web.Submissions;

/// <summary>
/// Where a stored submission goes to be scored. Declared here and implemented by the worker
/// (<c>Worker/HangfireScoringQueue</c>), so submitting does not depend on how scoring runs.
/// </summary>
public interface IScoringQueue
{
    /// <summary>
    /// The new job's id, or null when the queue refused it (after a few seconds of retries). The submission is already stored, so neither failure
    /// reaches the participant: the worker's stalled-submission sweep enqueues whatever has no live job.
    /// </summary>
    Task<string?> EnqueueAsync(Guid submissionId);
}
