"""`gridgov escalate` (the deadline scan), `audit verify` (the events' hash chain) and `gridgov topics` (hot
topics over recent cases).

Services are imported inside each command, so `gridgov --help` does not load the database layer."""

from __future__ import annotations

import json
import sys

import click

from gridgov.clikit import db_option, friendly, opened, parse_now


@click.command(help="时限扫描: 80% 黄牌预警; 超期红牌并逐级升级 (社区→街道→区→市)，每超一个周期再升一级")
@db_option
@click.option("--now", "now_text", default=None, help="以此时刻为当前时间 (ISO 8601, 带时区)")
@click.option("--dry-run", is_flag=True, help="只显示将执行的操作，不写入")
@click.option("--batch-size", type=int, default=None)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@friendly
def escalate(
    database_url: str | None, now_text: str | None, dry_run: bool, batch_size: int | None, as_json: bool
) -> None:
    from gridgov.cases.services import scan_overdue

    now = parse_now(now_text)
    with opened(database_url) as c:
        report = scan_overdue(
            c.uow_factory,
            now or c.clock.now(),
            c.calendar,
            c.policy,
            batch_size or c.settings.escalation_batch_size,
            dry_run=dry_run,
        )
    if as_json:
        click.echo(
            json.dumps(
                {
                    "scanned": report.scanned,
                    "warned": report.warned,
                    "escalated": report.escalated,
                    "dry_run": dry_run,
                    "steps": report.steps,
                },
                ensure_ascii=False,
                default=str,
            )
        )
        return
    for s in report.steps[:50]:
        target = f" → {s['to_unit_name']}" if "to_unit_name" in s else ""
        click.echo(f"  {s['tracking_code']} {'黄牌预警' if s['action'] == 'warn' else '超期升级'}{target}")
    prefix = "(演练, 未写入) " if dry_run else ""
    click.echo(f"{prefix}扫描 {report.scanned} 件, 预警 {report.warned}, 升级 {report.escalated}")


@click.command("verify", help="校验每个案件的事件哈希链; 有篡改则以非零码退出并指出第一个问题事件")
@db_option
def audit_verify(database_url: str | None) -> None:
    from gridgov.cases.audit import verify_all

    with opened(database_url) as c, c.sessions() as session:
        report = verify_all(session)
    if report.ok:
        click.echo(f"完整: {report.cases} 个案件, {report.events} 个事件, 哈希链无断裂")
        return
    for p in report.problems:
        where = f"事件 id={p.event_id}" if p.event_id is not None else "链尾"
        click.echo(f"篡改: 案件 {p.case_id} 第 {p.seq} 个事件 ({where}): {p.problem}", err=True)
    sys.exit(1)


@click.command(help="热点问题 (每月一题): 近 N 天案件按文本聚类排名")
@click.option("--days", type=int, default=30, show_default=True)
@click.option("--top", type=int, default=10, show_default=True)
@click.option("--now", "now_text", default=None, help="以此时刻为当前时间 (ISO 8601, 带时区)")
@db_option
@friendly
def topics(days: int, top: int, now_text: str | None, database_url: str | None) -> None:
    from gridgov.cases.topics import recent_topics

    with opened(database_url) as c, c.sessions() as s:
        found = recent_topics(s, parse_now(now_text) or c.clock.now(), days, top)
    for t in found:
        places = "、".join(p["name"] for p in t["places"][:3]) or "-"
        click.echo(f"{t['rank']}. {t['titles'][0]}  ({t['count']} 件, {places}, {t['first']:%m-%d}~{t['last']:%m-%d})")
        for title in t["titles"][1:]:
            click.echo(f"     · {title}")
