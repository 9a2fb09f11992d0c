"""Bounded load on loopback: requests/s and latency percentiles per endpoint.

Start the site first (see docs/benchmarks.md for the exact gunicorn command), then:
usage: python bench/load_api.py --base http://127.0.0.1:8010 --token TOKEN [--seconds 20] [--users 8]
Each endpoint gets `users` threads for `seconds`; every request is counted, any 5xx is reported.
"""

import argparse
import http.client
import statistics
import threading
import time
from urllib.parse import urlparse


def hammer(base: str, path: str, headers: dict, seconds: float, users: int) -> dict:
    parsed = urlparse(base)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def user():
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
        connection.close()

    threads = [threading.Thread(target=user) for _ in range(users)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
        "statuses": statuses,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8010")
    parser.add_argument("--token", required=True)
    parser.add_argument("--handle", default="smdemo_bora_closet")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--users", type=int, default=8)
    args = parser.parse_args()
    headers = {"Authorization": f"Token {args.token}", "Host": "127.0.0.1"}
    for name, path in (
        ("influencer list", "/api/v1/influencers/"),
        ("influencer detail", f"/api/v1/influencers/{args.handle}/"),
        ("history", "/api/v1/recommendations/"),
    ):
        result = hammer(args.base, path, headers, args.seconds, args.users)
        print(
            f"{name:18s} {result['requests']:6d} requests  {result['rps']:7.1f} req/s  "
            f"p50 {result['p50_ms']:6.1f} ms  p95 {result['p95_ms']:6.1f} ms  "
            f"statuses {result['statuses']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
