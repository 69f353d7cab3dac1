"""A stand-in for 国家税务总局四川省税务局's side of the fee-source exchange.

A separate program (standard library only) that talks to the platform over
HTTP alone. It receives fee sources (费源信息) and review requests, serves a
缴款通知书 for each fee source, records payments on a schedule (or when told
through /control/pay), and publishes all of it as a numbered message feed the
platform reads. Its state is a SQLite file, so killing it loses nothing it
has acknowledged. By configuration it fails, times out, answers twice or
out of order:

    python -m taxsim.server --port 8009 --db var/taxsim.sqlite3 \
        --fail-rate 0.2 --timeout-rate 0.1 --duplicate-rate 0.3 --shuffle --pay mixed --pay-after 2
"""

import argparse
import datetime as dt
import hashlib
import hmac
import json
import os
import random
import sqlite3
import sys
import threading
import time
from decimal import ROUND_HALF_UP, Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

FEN = Decimal("0.01")
# The bureau's working day is Beijing time's, not the host clock's (UTC on servers).
CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
# The bureau's own late-fee tables: daily rates by start date, 出让收益 and 使用费
# apart (see revenue/rules.py for the sources); POST /control/config {"late_rates": ...} replaces them.
DEFAULT_LATE_RATES = {
    "proceeds": [["2017-07-01", "0.002"], ["2023-05-01", "0.0005"]],
    "use_fee": [["1998-02-12", "0.002"]],
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS idem (key TEXT PRIMARY KEY, response TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fee_sources (id INTEGER PRIMARY KEY, body TEXT NOT NULL, amount TEXT NOT NULL,
    received REAL NOT NULL, noticed INTEGER NOT NULL DEFAULT 0, notice_at REAL, paid_plan INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS reviews (id INTEGER PRIMARY KEY, fee_source_id INTEGER, received REAL, answered INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS payments (tax_ref TEXT PRIMARY KEY, fee_source_id INTEGER, seq INTEGER, amount TEXT,
    late_fee TEXT, paid_on TEXT);
CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE, kind TEXT, body TEXT);
"""


class Sim:
    def __init__(self, db, secret, config):
        self.db = sqlite3.connect(db, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)
        self.lock = threading.Lock()
        self.secret = secret.encode()
        self.config = config
        self.random = random.Random(config.get("seed"))

    def sign(self, body):
        return hmac.new(self.secret, body, hashlib.sha256).hexdigest()

    def tx(self, fn, *args):
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                result = fn(*args)
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            return result

    def emit(self, kind, message_id, body):
        self.db.execute(
            "INSERT OR IGNORE INTO messages (id, kind, body) VALUES (?, ?, ?)",
            (message_id, kind, json.dumps(body, ensure_ascii=False)),
        )

    # --- incoming ---

    def receive(self, key, envelope):
        row = self.db.execute("SELECT response FROM idem WHERE key = ?", (key,)).fetchone()
        if row:
            return json.loads(row[0]) | {"duplicate": True}
        body = envelope["body"]
        if envelope["kind"] == "fee_source":
            fs_id = int(body["fee_source_id"])
            self.db.execute(
                "INSERT INTO fee_sources (id, body, amount, received) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET body = excluded.body, amount = excluded.amount, "
                "noticed = 0, received = excluded.received",
                (fs_id, json.dumps(body, ensure_ascii=False), body["amount"], time.time()),
            )
            self.emit("received", f"recv-{key}", {"fee_source_id": fs_id, "revision": body.get("revision")})
            response = {"accepted": True, "fee_source_id": fs_id}
        else:
            self.db.execute(
                "INSERT OR IGNORE INTO reviews (id, fee_source_id, received) VALUES (?, ?, ?)",
                (int(body["review_id"]), int(body["fee_source_id"]), time.time()),
            )
            response = {"accepted": True, "review_id": body["review_id"]}
        self.db.execute("INSERT INTO idem (key, response) VALUES (?, ?)", (key, json.dumps(response)))
        return response

    def pay(self, fs_id, seq, amount, paid_on, tax_ref=None):
        row = self.db.execute("SELECT body FROM fee_sources WHERE id = ?", (fs_id,)).fetchone()
        if row is None:
            raise KeyError(fs_id)
        body = json.loads(row[0])
        instalment = next(i for i in body["instalments"] if i["seq"] == seq)
        tables = self.config.get("late_rates") or DEFAULT_LATE_RATES
        fee = late_fee(
            Decimal(amount),
            dt.date.fromisoformat(instalment["due_date"]),
            paid_on,
            tables["use_fee" if body.get("kind") == "use_fee" else "proceeds"],
        )
        count = self.db.execute("SELECT COUNT(*) FROM payments WHERE fee_source_id = ?", (fs_id,)).fetchone()[0]
        tax_ref = tax_ref or f"SP{fs_id:08d}{count + 1:03d}"
        self.db.execute(
            "INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?)",
            (tax_ref, fs_id, seq, str(amount), str(fee), paid_on.isoformat()),
        )
        self.emit(
            "payment",
            f"pay-{tax_ref}",
            {
                "fee_source_id": fs_id,
                "seq": seq,
                "amount": str(amount),
                "late_fee": str(fee),
                "paid_on": paid_on.isoformat(),
                "tax_ref": tax_ref,
            },
        )
        return tax_ref

    # --- the schedule: notices, payments, review answers ---

    def tick(self):
        now, today = time.time(), dt.datetime.now(CHINA).date()
        notice_delay, pay_after = self.config.get("notice_delay", 0), self.config.get("pay_after")
        for fs_id, body, amount, received in self.db.execute(
            "SELECT id, body, amount, received FROM fee_sources WHERE noticed = 0"
        ).fetchall():
            if now - received >= notice_delay:
                revision = json.loads(body).get("revision", 1)
                self.emit(
                    "notice",
                    f"notice-{fs_id}-r{revision}",
                    {
                        "fee_source_id": fs_id,
                        "notice_no": f"川税缴通〔{today.year}〕{fs_id:06d}号",
                        "issued_on": today.isoformat(),
                        "amount": amount,
                    },
                )
                self.db.execute("UPDATE fee_sources SET noticed = 1, notice_at = ? WHERE id = ?", (now, fs_id))
        if pay_after is not None:
            for fs_id, body, notice_at in self.db.execute(
                "SELECT id, body, notice_at FROM fee_sources WHERE noticed = 1 AND paid_plan = 0"
            ).fetchall():
                if now - notice_at >= pay_after:
                    self.pay_by_plan(fs_id, json.loads(body), today)
                    self.db.execute("UPDATE fee_sources SET paid_plan = 1 WHERE id = ?", (fs_id,))
        for review_id, fs_id in self.db.execute(
            "SELECT id, fee_source_id FROM reviews WHERE answered = 0 AND received <= ?", (now - notice_delay,)
        ).fetchall():
            self.emit(
                "review_outcome",
                f"review-{review_id}",
                {
                    "fee_source_id": fs_id,
                    "review_id": review_id,
                    "upheld": True,
                    "answer": "经复核，原缴款通知书金额无误，维持原金额。",
                    "answered_on": today.isoformat(),
                },
            )
            self.db.execute("UPDATE reviews SET answered = 1 WHERE id = ?", (review_id,))

    def pay_by_plan(self, fs_id, body, today):
        plan = self.config.get("pay", "full")
        choice = plan if plan != "mixed" else ["partial", "none", "full", "full", "full"][fs_id % 5]
        for instalment in body["instalments"]:
            amount = Decimal(instalment["amount"])
            if choice == "none" or (choice == "partial" and instalment["seq"] > 1):
                break
            if choice == "partial":
                amount = (amount / 2).quantize(FEN, rounding=ROUND_HALF_UP)
            self.pay(fs_id, instalment["seq"], amount, min(today, dt.date.fromisoformat(instalment["due_date"])))

    # --- outgoing ---

    def messages(self, after, limit):
        rows = self.db.execute(
            "SELECT seq, id, kind, body FROM messages WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit)
        ).fetchall()
        out = [{"seq": s, "id": i, "kind": k, "body": json.loads(b)} for s, i, k, b in rows]
        twice = [m for m in out if self.random.random() < self.config.get("duplicate_rate", 0)]
        out += twice
        if self.config.get("shuffle"):
            self.random.shuffle(out)
        return out

    def ledger(self):
        result = {}
        for fs_id, amount, noticed in self.db.execute("SELECT id, amount, noticed FROM fee_sources"):
            paid = sum(
                (
                    Decimal(a)
                    for (a,) in self.db.execute("SELECT amount FROM payments WHERE fee_source_id = ?", (fs_id,))
                ),
                Decimal("0.00"),
            )
            result[str(fs_id)] = {"amount": amount, "notified": amount if noticed else "0.00", "paid": str(paid)}
        return result


def late_fee(principal, due_date, paid_on, rates):
    total, day = Decimal(0), due_date + dt.timedelta(days=1)
    table = [(dt.date.fromisoformat(d), Decimal(r)) for d, r in rates]
    while day <= paid_on:
        rate = [r for d, r in table if d <= day][-1]
        total += principal * rate
        day += dt.timedelta(days=1)
    return min(total, principal).quantize(FEN, rounding=ROUND_HALF_UP)


class Handler(BaseHTTPRequestHandler):
    sim: Sim = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        if os.environ.get("TAXSIM_LOG"):
            super().log_message(*args)

    def reply(self, status, payload):
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Signature", self.sim.sign(body))
        self.end_headers()
        self.wfile.write(body)

    def read(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not hmac.compare_digest(self.sim.sign(body), self.headers.get("X-Signature", "")):
            self.reply(401, {"error": "签名无效"})
            return None
        return json.loads(body or b"{}")

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/healthz":
            return self.reply(200, {"ok": True})
        if self.read() is None:
            return
        config = self.sim.config
        if url.path == "/messages":
            if self.sim.random.random() < config.get("fail_rate", 0):
                return self.reply(503, {"error": "服务暂不可用"})
            after, limit = int(query.get("after", ["0"])[0]), int(query.get("limit", ["200"])[0])
            return self.reply(200, {"messages": self.sim.tx(self.sim.messages, after, limit)})
        if url.path == "/ledger":
            return self.reply(200, {"fee_sources": self.sim.tx(self.sim.ledger)})
        self.reply(404, {"error": "not found"})

    def do_POST(self):
        url = urlsplit(self.path)
        data = self.read()
        if data is None:
            return
        sim, config = self.sim, self.sim.config
        if url.path in ("/fee-sources", "/reviews"):
            key = self.headers.get("X-Idempotency-Key")
            if not key:
                return self.reply(400, {"error": "缺少幂等键"})
            if sim.random.random() < config.get("fail_rate", 0):
                return self.reply(503, {"error": "服务暂不可用"})
            response = sim.tx(sim.receive, key, data)
            if sim.random.random() < config.get("timeout_rate", 0):
                time.sleep(config.get("timeout_seconds", 10))  # recorded, but the answer comes too late
            return self.reply(200, response)
        if url.path == "/control/pay":
            try:
                ref = sim.tx(
                    sim.pay,
                    int(data["fee_source_id"]),
                    int(data.get("seq", 1)),
                    Decimal(data["amount"]),
                    dt.date.fromisoformat(data["paid_on"]),
                    data.get("tax_ref"),
                )
            except KeyError:
                return self.reply(404, {"error": "未收到该费源"})
            return self.reply(200, {"tax_ref": ref})
        if url.path == "/control/config":
            config.update(data)
            return self.reply(200, config)
        self.reply(404, {"error": "not found"})


def scheduler(sim, stop):
    while not stop.is_set():
        try:
            sim.tx(sim.tick)
        except sqlite3.Error as exc:
            print(f"taxsim: {exc}", file=sys.stderr)
        stop.wait(0.2)


def main(argv=None):
    parser = argparse.ArgumentParser(description="税务部门费源共享接口模拟器")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("TAXSIM_PORT", "8009")))
    parser.add_argument("--db", default=os.environ.get("TAXSIM_DB", "var/taxsim.sqlite3"))
    parser.add_argument("--secret", default=os.environ.get("TONGBAN_TAX_SECRET", "tongban-taxsim-dev-secret"))
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--timeout-rate", type=float, default=0.0)
    parser.add_argument("--timeout-seconds", type=float, default=10.0)
    parser.add_argument("--duplicate-rate", type=float, default=0.0)
    parser.add_argument("--shuffle", action="store_true")
    parser.add_argument("--notice-delay", type=float, default=0.0, help="收到费源后多少秒送达缴款通知书")
    parser.add_argument("--pay", choices=["none", "full", "partial", "mixed"], default="full")
    parser.add_argument(
        "--pay-after", type=float, default=None, help="通知书送达后多少秒按计划缴款（不设则只在 /control/pay 时缴款）"
    )
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    os.makedirs(os.path.dirname(os.path.abspath(args.db)), exist_ok=True)
    config = {
        "fail_rate": args.fail_rate,
        "timeout_rate": args.timeout_rate,
        "timeout_seconds": args.timeout_seconds,
        "duplicate_rate": args.duplicate_rate,
        "shuffle": args.shuffle,
        "notice_delay": args.notice_delay,
        "pay": args.pay,
        "pay_after": args.pay_after,
        "seed": args.seed,
    }
    sim = Sim(args.db, args.secret, config)
    Handler.sim = sim
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    stop = threading.Event()
    threading.Thread(target=scheduler, args=(sim, stop), daemon=True).start()
    print(f"taxsim listening on http://{args.host}:{args.port}/ (db {args.db})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()


if __name__ == "__main__":
    main()
