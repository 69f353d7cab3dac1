"""Fixtures of the revenue tests: the dated parameters, the revenue demo
staff, and the tax-bureau simulator started as a separate process."""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def revenue_setup(db, settings):
    from revenue import demo, rules

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # not what these tests check
    rules.load_parameters()
    demo.load_users()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Simulator:
    """The simulator as a subprocess; `restart` keeps its database file."""

    def __init__(self, tmp_path, args=()):
        self.port, self.db, self.args, self.proc = free_port(), tmp_path / "taxsim.sqlite3", list(args), None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, *extra):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "taxsim.server", "--port", str(self.port), "--db", str(self.db), *self.args, *extra],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the tax-bureau simulator did not start")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self, *extra):
        self.kill()
        return self.start(*extra)


@pytest.fixture
def taxsim(tmp_path, settings):
    """Start with `taxsim(args...)`; the platform is pointed at it."""
    started = []

    def start(*args):
        sim = Simulator(tmp_path, args).start()
        settings.TONGBAN_TAX_URL = sim.url
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.kill()
