"""How long the weekly bulletin takes: draft build, refresh, DOCX, PDF.

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/bulletin_export.py [--runs 5] [--image docs/bulletin-demo-page1.png]

Needs a database with the demo loaded (`make setup` / `manage.py setup_demo`):
the week 2024-11-04..08 over the demo year (about 825,000 case events). Each
run builds that week's draft afresh inside a transaction that is rolled back
(the demo bulletin stays as it was), refreshes it, writes the DOCX and renders
the PDF with LibreOffice. The baseline, measured in the same run, is
LibreOffice converting an empty DOCX: the floor any PDF costs. Prints medians
and writes bench/out/bulletin_export.json. With --image, page 1 of the demo
bulletin's PDF is rendered to a PNG (pdftoppm) for the docs.
"""

import argparse
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--image", help="write page 1 of the demo bulletin as PNG here")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction
    from docx import Document

    from accounts.models import User
    from bulletin import demo, render, services
    from bulletin.models import Bulletin
    from cases.models import CaseEvent

    editor = User.objects.get(username="editor")
    events = CaseEvent.objects.count()
    if not Bulletin.objects.filter(week_start=demo.WEEK_START).exists():
        sys.exit("The demo bulletin is missing: run `make setup` (manage.py setup_demo) on this database first.")
    ready, _ = render.pdf_readiness()
    empty = io.BytesIO()
    Document().save(empty)

    class Rollback(Exception):
        pass

    rows = {name: [] for name in ("build", "refresh", "docx", "pdf", "empty_pdf")}
    cold_pdf = None
    for run in range(args.runs):
        try:
            with transaction.atomic():
                Bulletin.objects.filter(week_start=demo.WEEK_START).delete()
                seconds, bulletin = timed(lambda: services.build_draft(editor, week_start=demo.WEEK_START))
                rows["build"].append(seconds)
                seconds, bulletin = timed(lambda b=bulletin: services.refresh(editor, b, version=b.version))
                rows["refresh"].append(seconds)
                seconds, docx = timed(lambda b=bulletin: services.docx_bytes(b))
                rows["docx"].append(seconds)
                if ready:
                    seconds, _ = timed(lambda d=docx: render.docx_to_pdf(d))
                    if cold_pdf is None:
                        cold_pdf = seconds  # the first conversion also makes LibreOffice's profile
                    else:
                        rows["pdf"].append(seconds)
                    rows["empty_pdf"].append(timed(lambda: render.docx_to_pdf(empty.getvalue()))[0])
                raise Rollback
        except Rollback:
            pass
        print(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in rows.items() if v), flush=True)

    median = {k: round(statistics.median(v), 3) for k, v in rows.items() if v}
    result = {
        "machine": f"{platform.node()} {os.cpu_count()} cores",
        "database": connection.vendor,
        "case_events": events,
        "runs": args.runs,
        "median_seconds": median,
        "cold_first_pdf_seconds": round(cold_pdf, 3) if cold_pdf else None,
    }
    if "pdf" in median and "empty_pdf" in median:
        result["pdf_vs_empty_document"] = round(median["pdf"] / median["empty_pdf"], 2)
        result["build_docx_pdf_seconds"] = round(median["build"] + median["docx"] + median["pdf"], 3)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bulletin_export.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))

    if args.image:
        if not ready:
            sys.exit(render.pdf_missing_message())
        bulletin = Bulletin.objects.get(week_start=demo.WEEK_START)
        pdf = render.docx_to_pdf(services.docx_bytes(bulletin))
        with tempfile.TemporaryDirectory() as work:
            source = Path(work) / "bulletin.pdf"
            source.write_bytes(pdf)
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "80",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(source),
                    str(Path(args.image).with_suffix("")),
                ],
                check=True,
            )
        print(f"page 1 → {args.image}")


if __name__ == "__main__":
    main()
