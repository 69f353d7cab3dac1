"""一次登录、一网通查, timed: the platform, its task worker and the five city
platforms as `make run` starts them (scripts/cities), on a fresh SQLite
database under bench/out/sso/. One person signs in once, signs in to each city
(the OpenID Connect round trip through Authlib in the city), then signs out at
the province; the time until every city has taken its logout token is read
from the deliveries the worker recorded.

    .venv/bin/python bench/single_sign_on.py [--port 8150] [--city-port 8161] [--rounds 5]
"""

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")


def wait_port(port, seconds=240):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"port {port} did not open")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--city-port", type=int, default=8161)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    var = ROOT / "bench" / "out" / "sso"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    env = {**os.environ, "TONGBAN_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "tongban.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "load_reference"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [PY, "-c", "import django; django.setup(); from accounts.demo import load_demo; load_demo()"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    procs = [
        subprocess.Popen(
            [PY, "manage.py", "runserver", "--noreload", f"127.0.0.1:{args.port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        ),
        subprocess.Popen(
            [PY, "manage.py", "db_worker", "--no-startup-delay"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        ),
        subprocess.Popen(
            ["scripts/cities"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**env, "PORT": str(args.port), "CITY_BASE_PORT": str(args.city_port), "BIN": ".venv/bin"},
            start_new_session=True,
        ),
    ]
    try:
        for port in [args.port, *range(args.city_port, args.city_port + 5)]:
            wait_port(port)
        base = f"http://127.0.0.1:{args.port}"
        sign_ins, logouts = [], []
        for _ in range(args.rounds):
            s = requests.Session()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', s.get(f"{base}/accounts/login/").text)[1]
            s.post(
                f"{base}/accounts/login/",
                data={"username": "agent", "password": "Tongban@2024", "csrfmiddlewaretoken": token},
            )
            for port in range(args.city_port, args.city_port + 5):
                started = time.perf_counter()
                page = s.get(f"http://127.0.0.1:{port}/login/")
                if "同意并登录" in page.text:  # first round: the consent page
                    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
                    import html

                    page = s.post(
                        page.url,
                        data={**{k: html.unescape(v) for k, v in fields.items()}, "allow": "Authorize"},
                        headers={"Referer": page.url},
                    )
                else:
                    sign_ins.append(time.perf_counter() - started)
                assert "欢迎，陈刚" in page.text, page.text[:300]
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', s.get(f"{base}/accounts/me/").text)[1]
            s.post(f"{base}/accounts/logout/", data={"csrfmiddlewaretoken": token})
            started = time.perf_counter()
            while any(
                "欢迎，陈刚" in s.get(f"http://127.0.0.1:{p}/").text for p in range(args.city_port, args.city_port + 5)
            ):
                time.sleep(0.05)
            logouts.append(time.perf_counter() - started)
        print(
            f"city sign-in without a password (OIDC round trip), n={len(sign_ins)}: "
            f"median {statistics.median(sign_ins) * 1000:.0f} ms, max {max(sign_ins) * 1000:.0f} ms"
        )
        print(
            f"logout at the province until all five cities are signed out, n={len(logouts)}: "
            f"median {statistics.median(logouts):.2f} s, max {max(logouts):.2f} s"
        )
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)


if __name__ == "__main__":
    sys.exit(main())
