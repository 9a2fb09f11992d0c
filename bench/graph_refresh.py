"""Live refresh of 1,000 influencers through a fake Graph API that enforces a call budget.

The fake server (tests/fake_graph_api.py) allows `--budget` calls per `--window` seconds (a
scaled-down hour) and reports usage in X-Business-Use-Case-Usage as Meta does (percentages, and
estimated_time_to_regain_access in whole minutes: 0 for a window under a minute, where the client
waits GRAPH_RATE_LIMIT_WAIT_SECONDS, set to one window); a call past the budget gets error 80002
and is counted. The refresh runs as a worker does (refresh_run_execute), resumed after each pause at the
rate limit as the schedule would. The figures: calls made, calls asked past the limit (must be
0), the most calls inside any window (must be <= the budget), pauses, and time.

usage: [DATABASE_URL=postgres://...] python bench/graph_refresh.py [--influencers 1000]
       [--posts 3] [--budget 150] [--window 30]
"""

import argparse
import time
from collections import deque

from _django import bench_database


def max_in_window(stamps: list[float], window: float) -> int:
    best, inside = 0, deque()
    for t in stamps:
        inside.append(t)
        while inside[0] <= t - window:
            inside.popleft()
        best = max(best, len(inside))
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--influencers", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=3)
    parser.add_argument("--budget", type=int, default=150)
    parser.add_argument("--window", type=float, default=30.0)
    args = parser.parse_args()
    with bench_database() as vendor:
        from django.conf import settings
        from django.utils import timezone

        from influencers.models import GraphCredential, Influencer, Post, RefreshRun
        from influencers.services.graph_refresh import refresh_run_create, refresh_run_execute
        from tests.fake_graph_api import FakeGraph

        graph = FakeGraph(tokens=("bench-token-0001",)).start()
        graph.budget_calls, graph.budget_window = args.budget, args.window
        graph.report_regain = args.window >= 60
        # No estimate in the header (a window under a minute): wait one whole window.
        settings.GRAPH_RATE_LIMIT_WAIT_SECONDS = int(args.window)
        settings.INSTAGRAM_GRAPH_API_URL = graph.url
        settings.INSTAGRAM_BUSINESS_ACCOUNT_ID = graph.account_id
        settings.INSTAGRAM_GRAPH_TOKEN = "bench-token-0001"
        settings.GRAPH_SLOW_DELAY_SECONDS = 0.05
        settings.GRAPH_RETRY_BACKOFF_SECONDS = 0.05
        handles = [f"bench_look_{n:04d}" for n in range(args.influencers)]
        for handle in handles:
            graph.add_account(handle, posts=args.posts)
        ids = [Influencer.objects.create(handle=h, tracked=True).pk for h in handles]
        run = refresh_run_create(influencer_ids=ids, trigger="schedule", queue=False)
        started, pauses, paused_for, work = time.monotonic(), 0, 0.0, 0.0
        while True:
            t0 = time.monotonic()
            run = refresh_run_execute(run_id=run.pk)
            work += time.monotonic() - t0
            if run.status != RefreshRun.Status.PAUSED:
                break
            pauses += 1
            wait = max((run.resume_at - timezone.now()).total_seconds(), 0)
            print(f"  paused at {run.done}/{run.total} for {wait:.0f} s (usage at the limit)")
            time.sleep(wait)
            paused_for += wait
        elapsed = time.monotonic() - started
        stamps = sorted(t for t in [r.get("at") for r in graph.requests] if t is not None) or [0.0]
        graph.stop()
        print(f"database: {vendor}")
        print(
            f"influencers: {run.refreshed} refreshed, {run.failed} failed of {run.total}; "
            f"posts stored: {Post.objects.count()}; status {run.status}"
        )
        print(f"calls: {len(graph.requests)}; asked past the limit: {graph.calls_past_limit}")
        print(
            f"most calls in any {args.window:g} s window: {max_in_window(stamps, args.window)} "
            f"(budget {args.budget})"
        )
        print(
            f"pauses at the limit: {pauses} ({paused_for:.0f} s); refresh work {work:.1f} s; "
            f"wall {elapsed:.1f} s; {run.refreshed / work:.1f} influencers/s of work"
        )
        print(f"rate-limited until: {GraphCredential.objects.get().rate_limited_until}")


if __name__ == "__main__":
    main()
