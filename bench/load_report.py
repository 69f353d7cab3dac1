"""Summarise a bench/load.sh run: per endpoint group, requests, errors and
p50/p95/p99 (milliseconds, from locust's CSV), the load average before and
after, and the 5xx answers nginx logged. Writes summary.json beside the CSV.

    .venv/bin/python bench/load_report.py bench/out/load
"""

import csv
import json
import sys
from pathlib import Path


def main(folder):
    folder = Path(folder)
    rows = list(csv.DictReader((folder / "load_stats.csv").open(encoding="utf-8")))
    groups = {}
    for row in rows:
        name = f"{row['Type']} {row['Name']}".strip()  # the sign-in page and the sign-in apart
        groups[name] = {
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "p50_ms": float(row["50%"] or 0),
            "p95_ms": float(row["95%"] or 0),
            "p99_ms": float(row["99%"] or 0),
            "per_s": round(float(row["Requests/s"] or 0), 1),
        }
    failures = []
    path = folder / "load_failures.csv"
    if path.exists():
        failures = [
            f"{r['Method']} {r['Name']}: {r['Error']} ×{r['Occurrences']}"
            for r in csv.DictReader(path.open(encoding="utf-8"))
        ]

    def read(name):
        p = folder / name
        return p.read_text().strip() if p.exists() else ""

    summary = {
        "groups": groups,
        "failures": failures,
        "loadavg_before": read("loadavg-before.txt"),
        "loadavg_after": read("loadavg-after.txt"),
        "nginx_5xx": int(read("nginx-5xx.txt") or 0),
    }
    (folder / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    width = max(len(n) for n in groups)
    out = [f"{'endpoint group':{width}}  requests  errors   p50 ms   p95 ms   p99 ms   req/s"]
    for name, g in groups.items():
        out.append(
            f"{name:{width}}  {g['requests']:8}  {g['errors']:6}  {g['p50_ms']:7.0f}  {g['p95_ms']:7.0f}"
            f"  {g['p99_ms']:7.0f}  {g['per_s']:6}"
        )
    out.append(f"load average before {summary['loadavg_before']}; after {summary['loadavg_after']}")
    out.append(f"nginx 5xx answers: {summary['nginx_5xx']}")
    out.extend(f"error: {f}" for f in failures)
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "bench/out/load"))
