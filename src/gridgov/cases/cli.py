"""`gridgov escalate` (the deadline scan), `gridgov audit …` (the record: keygen, checkpoint, verify, prove,
check-proof; docs/audit.md) and `gridgov topics` (hot topics over recent cases).

Services are imported inside each command, so `gridgov --help` does not load the database layer."""

from __future__ import annotations

import json
import sys
from typing import Any

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
    from gridgov.cases.services.supervision import SupervisionScan, scan_supervisions

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
        # 督办/催办 (issue 15): unanswered 督办 past their deadline go one level up (not in a dry run)
        pressed = SupervisionScan() if dry_run else scan_supervisions(c.uow_factory, now or c.clock.now())
    if as_json:
        click.echo(
            json.dumps(
                {
                    "scanned": report.scanned,
                    "warned": report.warned,
                    "escalated": report.escalated,
                    "dry_run": dry_run,
                    "steps": report.steps,
                    "urged": report.urged,
                    "supervisions_escalated": pressed.escalated,
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
    click.echo(f"{prefix}催办 {report.urged} 件, 督办超期升级 {pressed.escalated} 件")


@click.command(
    "verify", help="校验审计记录: 日志与签名树头和库外检查点一致, 每个案件的事件链完整, 案件与任务行与事件相符"
)
@db_option
@click.option(
    "--public-key", default=None, help="公钥 (ed25519:… 或文件); 默认 GRIDGOV_AUDIT_PUBLIC_KEY 或密钥旁的 .pub"
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="并行校验的进程数 (按案件编号分段); 默认: 日志满 50,000 条时每个 CPU 一个, 否则 1",
)
@friendly
def audit_verify(database_url: str | None, public_key: str | None, as_json: bool, jobs: int | None) -> None:
    from gridgov.audit.sql import read_head
    from gridgov.cases.audit import LogProblem, default_jobs, verify_all

    with opened(database_url) as c:
        checkpoints, unreadable = _read_checkpoints(c)
        with c.sessions() as session:
            if jobs is None:
                with c.engine.connect() as conn:
                    head = read_head(conn)
                jobs = default_jobs(int(head["size"]) if head else 0)
            try:
                report = verify_all(
                    session,
                    jobs=jobs,
                    verifier=c.audit_verifier(public_key),
                    checkpoints=checkpoints,
                    checkpoint_problems=unreadable,
                    origin=c.audit_origin,
                )
            except Exception as exc:  # noqa: BLE001  (a value no writer makes stops the read: say so, exit 1)
                text = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
                line = f"篡改: 记录中有无法读取的值, 校验中止 ({text}); 记录已被改动, 或数据库出错"
                if as_json:
                    empty = dict.fromkeys(("cases", "events", "log_size", "root", "checkpoint"))
                    doc = {"ok": False, **empty, "problems": [line], "notes": []}  # the keys of a report, unknown
                    click.echo(json.dumps(doc, ensure_ascii=False))
                else:
                    click.echo(line, err=True)
                sys.exit(1)
    lines = []
    for p in report.problems:
        if isinstance(p, LogProblem):
            lines.append(f"篡改: 日志: {p.problem}")
        else:
            where = f"事件 id={p.event_id}" if p.event_id is not None else "链尾"
            lines.append(f"篡改: 案件 {p.case_id} 第 {p.seq} 个事件 ({where}): {p.problem}")
    if report.more_problems:
        lines.append(f"另有 {report.more_problems} 处问题未列出")
    if as_json:
        cp = report.checkpoint
        doc = {
            "ok": report.ok,
            "cases": report.cases,
            "events": report.events,
            "log_size": report.log_size,
            "root": report.root,
            "checkpoint": cp.to_json() if cp else None,
            "problems": lines,
            "notes": report.notes,
        }
        click.echo(json.dumps(doc, ensure_ascii=False))
    else:
        for line in lines:
            click.echo(line, err=True)
        for note in report.notes:
            click.echo(f"注意: {note}")
    if not report.ok:
        sys.exit(1)
    if not as_json:
        click.echo(f"完整: {report.cases} 个案件, {report.events} 个事件, 哈希链无断裂")
        cp = report.checkpoint
        against = f", 含最新检查点 (大小 {cp.size}, {cp.time})" if cp else ""
        click.echo(f"日志: {report.log_size} 条, 树根 {report.root[:16]}…{against}; 案件与任务行与事件相符")


def _read_checkpoints(c: Any) -> tuple[list[Any], list[str]]:
    checkpoints, problems = [], []
    for store in c.checkpoint_stores():
        checkpoints.extend(store.all())
        problems.extend(store.problems())
    return checkpoints, problems


@click.command("keygen", help="生成签名密钥 (Ed25519): 私钥文件只放在数据库以外, 公钥写在其旁的 .pub")
@click.option(
    "--path", "key_path", default=None, help="私钥文件 (默认 GRIDGOV_AUDIT_KEY_PATH 或 var/audit/ed25519.key)"
)
def audit_keygen(key_path: str | None) -> None:
    from gridgov.audit.keys import generate_key, public_key_text, public_path
    from gridgov.config import Settings

    path = key_path or Settings().audit_key_path or "var/audit/ed25519.key"
    try:
        signer = generate_key(path)
    except FileExistsError:
        click.echo(f"错误: 密钥文件已存在, 不会覆盖: {path}", err=True)
        sys.exit(2)
    click.echo(f"私钥: {path} (权限 0600; 设置 GRIDGOV_AUDIT_KEY_PATH={path})")
    click.echo(f"公钥: {public_path(path)}  {public_key_text(signer.public_key())}  (key id {signer.key_id})")


@click.command("checkpoint", help="签署日志当前的树 (大小, 树根, 时间) 并写到数据库以外的检查点存储")
@db_option
@click.option("--adopt", is_flag=True, help="树头尚未签名时 (迁移前的历史) 一并签署; 请先确认 audit verify 通过")
@friendly
def audit_checkpoint(database_url: str | None, adopt: bool) -> None:
    from gridgov.audit.sql import LogError, make_checkpoint

    with opened(database_url) as c:
        if c.audit_signer is None:
            click.echo("错误: 未配置签名密钥 (GRIDGOV_AUDIT_KEY_PATH); 先运行 gridgov audit keygen", err=True)
            sys.exit(2)
        stores = c.checkpoint_stores()
        try:
            with c.sessions() as session:
                result = make_checkpoint(
                    session, signer=c.audit_signer, stores=stores, origin=c.audit_origin, now=c.clock.now(), adopt=adopt
                )
        except LogError as exc:
            click.echo(f"错误: {exc}", err=True)
            sys.exit(1)
    cp = result.checkpoint
    click.echo(f"检查点: 大小 {cp.size}, 树根 {cp.root}, 时间 {cp.time}, 密钥 {cp.key_id}")
    if result.adopted:
        click.echo("已签署迁移前的日志树头")
    timing = f"重算树 {result.hash_seconds:.3f} s, 签名 {result.sign_seconds * 1000:.3f} ms"
    click.echo(f"写入: {'; '.join(s.name for s in stores)} ({timing})")


@click.command("prove", help="输出案件事件的包含证明 (JSON): 叶子位置、叶子哈希、审计路径、树大小、树根与签名检查点")
@click.argument("case")
@db_option
@friendly
def audit_prove(case: str, database_url: str | None) -> None:
    from sqlalchemy import or_, select

    from gridgov.audit.sql import head_checkpoint, read_head
    from gridgov.cases.audit import prove_case
    from gridgov.cases.models import Case

    with opened(database_url) as c:
        checkpoints, _ = _read_checkpoints(c)
        verifier = c.audit_verifier()
        valid = [cp for cp in checkpoints if verifier is None or cp.valid(verifier)]
        with c.sessions() as session:
            cond = [Case.tracking_code == case] + ([Case.id == int(case)] if case.isdigit() else [])
            case_id = session.execute(select(Case.id).where(or_(*cond))).scalar()
            if case_id is None:
                click.echo(f"错误: 案件不存在: {case}", err=True)
                sys.exit(2)
            published = True
            if valid:
                checkpoint = max(valid, key=lambda cp: (cp.size, cp.time))
            else:  # nothing published yet: the signed head in the database
                row = read_head(session.connection())
                if row is None or not row["signature"]:
                    click.echo("错误: 尚无签名检查点 (gridgov audit checkpoint)", err=True)
                    sys.exit(2)
                checkpoint, published = head_checkpoint(row), False
            doc = prove_case(session, case_id, checkpoint)
    doc["published_checkpoint"] = published
    click.echo(json.dumps(doc, ensure_ascii=False, indent=1))


@click.command("check-proof", help="不连数据库, 用公钥核对 audit prove 输出的包含证明")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--public-key", required=True, help="公钥 (ed25519:… 或文件)")
def audit_check_proof(file: str, public_key: str) -> None:
    from pathlib import Path

    from gridgov.audit.keys import load_verifier
    from gridgov.audit.proof import check_proof

    try:
        doc = json.loads(Path(file).read_text(encoding="utf-8"))
        verifier = load_verifier(public_key)
    except ValueError as exc:
        click.echo(f"错误: {exc}", err=True)
        sys.exit(2)
    problems = check_proof(doc, verifier)
    for p in problems:
        click.echo(f"不成立: {p}", err=True)
    if problems:
        sys.exit(1)
    click.echo(f"成立: {len(doc['leaves'])} 个事件在大小为 {doc['tree_size']} 的日志中, 检查点由该公钥签署")


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
