from common.jobs import job_task


@job_task("reconcile")
def team_activity_prune_task() -> int:
    """Beat, hourly: drop team activity older than TEAM_ACTIVITY_RETENTION_DAYS."""
    from accounts.teams.services import team_activity_prune

    return team_activity_prune()
