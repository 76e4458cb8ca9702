"""Notification delivery benchmark: messages/s one `gridgov notify worker` delivers to a local SMS gateway, next
to the gateway's raw accept rate in the same run (one keep-alive client sending the same requests, no database).

    .venv/bin/python bench/notify.py                          # 5,000 messages, SQLite and PostgreSQL
    .venv/bin/python bench/notify.py --messages 20000 --backends sqlite
    .venv/bin/python bench/notify.py --smoke                  # 300 messages, one backend (see _common)

The gateway (tests/notify_servers.py: HTTP/1.1 keep-alive, bearer auth, JSON body with the idempotency key) runs
in this process; the raw client and the worker each run as a subprocess, and both rates are counted by the
gateway from its first to its last acceptance, so Python's start-up is outside both. Goal: ≥ 500/s and ≥ 50 % of
raw.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
from sqlalchemy import text  # noqa: E402

from notify_servers import SmsGateway, seed_messages, worker_env  # noqa: E402

from _common import PG_ADMIN, add_smoke, apply_smoke, fresh_db, smoke_backend  # noqa: E402

RAW = """
import sys
from gridgov.notify.channels.sms_http import HttpSmsGateway
from gridgov.notify.domain import Channel, MessageStatus
from gridgov.notify.ports import Outgoing
url, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sender = HttpSmsGateway(url, auth=token)
for i in range(n):
    body = f"【郑州市12345】您反映的问题已立案，查询编号 ZZ{i:08d}。"
    m = Outgoing(i, f"raw-{i:010d}", Channel.SMS, f"138{i:08d}", "", body, MessageStatus.QUEUED, 1, False)
    assert sender.send(m).outcome.value == "accepted"
sender.close()
"""


def raw_rate(n: int) -> float:
    with SmsGateway() as gw:
        subprocess.run([sys.executable, "-c", RAW, f"{gw.url}/sms", SmsGateway.TOKEN, str(n)], check=True)
        assert len(gw.accepted) == n
        return gw.rate()


def worker_rate(kind: str, admin: str, n: int, batch: int) -> tuple[float, float]:
    with fresh_db(kind, admin=admin) as db, SmsGateway() as gw:
        seed_messages(db.container.engine, n, datetime.now(UTC) - timedelta(minutes=1), prefix=f"bench-{time.time()}")
        env = worker_env(gw, db.url, GRIDGOV_NOTIFY_BATCH=str(batch))
        start = time.perf_counter()
        cmd = [sys.executable, "-c", "from gridgov.cli import main; main()", "notify", "worker", "--idle-exit", "1"]
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        with db.container.engine.connect() as conn:
            sent = conn.execute(text("SELECT count(*) FROM notify_messages WHERE status = 'sent'")).scalar_one()
        assert sent == n and len(gw.accepted) == n and not gw.duplicates(), (sent, len(gw.accepted))
        return gw.rate(), n / wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--pg-admin", default=PG_ADMIN)
    add_smoke(ap)
    args = apply_smoke(ap, ap.parse_args(), messages=300)
    backends, admin = args.backends.split(","), args.pg_admin
    if args.smoke:
        kind, admin = smoke_backend()
        backends = [kind]
    raw = raw_rate(args.messages)
    print(f"gateway raw accept : {raw:,.0f} msg/s ({args.messages:,} requests, one keep-alive client, no database)")
    for kind in backends:
        rate, overall = worker_rate(kind, admin, args.messages, args.batch)
        print(
            f"one worker {kind:<10}: {rate:,.0f} msg/s ({args.messages:,} messages, batch {args.batch}) = "
            f"{100 * rate / raw:.0f}% of raw; {overall:,.0f} msg/s counting start-up"
        )


if __name__ == "__main__":
    main()
