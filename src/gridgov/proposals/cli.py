"""`gridgov proposals …`: import a batch list as the office keeps it (all or nothing, every bad line named), a
batch's report (text or Excel), check the items' record against the city's log."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gridgov.actor import Actor, Role
from gridgov.clikit import db_option, friendly, opened

CLI_ACTOR = Actor(user_id=None, role=Role.ADMIN, unit_id=None, name="cli")


@click.group(help="建议提案: 导入批次清单、办理情况报告、校验事件记录")
def proposals() -> None:
    pass


@proposals.command("import", help="导入一个批次的建议提案清单 (.xlsx/.csv); 任一行有误则整个清单不导入, 并指明行号")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@friendly
def import_list(path: Path, database_url: str | None) -> None:
    from gridgov.proposals.domain import ImportRefused
    from gridgov.proposals.excel import read_proposal_list
    from gridgov.proposals.repository import SqlProposalsUnitOfWork
    from gridgov.proposals.services import import_proposals

    drafts, problems = read_proposal_list(path.read_bytes(), path.name)
    with opened(database_url) as c:
        try:
            count = import_proposals(SqlProposalsUnitOfWork(c.uow()), drafts, CLI_ACTOR, c.clock.now(), problems)
        except ImportRefused as refused:
            for e in refused.details.get("errors", []):
                where = f"第 {e['line']} 行: " if e.get("line") else ""
                click.echo(f"错误: {path.name} {where}{e['message']}", err=True)
            click.echo("清单有误，未导入任何一件", err=True)
            sys.exit(2)
    click.echo(f"已导入 {count} 件")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@proposals.command("report", help="一个批次的办理情况: 按主办单位的按期答复率、见面率、满意率、A/B/C/D、承诺兑现率")
@click.option("--batch", "batch", required=True, help="批次编码")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), default=None, help="写成 Excel 文件")
@db_option
@friendly
def report(batch: str, xlsx: Path | None, database_url: str | None) -> None:
    from gridgov.proposals.excel import report_workbook
    from gridgov.proposals.queries import report as batch_report
    from gridgov.proposals.services.common import today_of

    with opened(database_url) as c, c.sessions() as session:
        rep = batch_report(session, batch, today_of(c.clock.now()))
    if xlsx is not None:
        xlsx.write_bytes(report_workbook(rep))
        click.echo(f"已写入 {xlsx}")
        return
    click.echo(f"{rep['batch']['name']} ({rep['batch']['code']}) 截至 {rep['as_of']}")
    click.echo("主办单位\t件数\t按期答复率\t见面率\t满意率(工作)\t满意率(结果)\tA/B/C/D\t承诺兑现率")
    for row in [*rep["units"], {"unit_name": "合计", **rep["total"]}]:
        classes = "/".join(str(row["classes"][k]) for k in "ABCD")
        click.echo(
            f"{row['unit_name']}\t{row['items']}\t{_pct(row['on_time_rate'])}\t{_pct(row['meeting_rate'])}\t"
            f"{_pct(row['work_rate'])}\t{_pct(row['result_rate'])}\t{classes}\t{_pct(row['promise_rate'])}"
        )


@proposals.command("verify", help="校验建议提案的事件链, 以及每个事件都在全市日志中")
@db_option
@friendly
def verify(database_url: str | None) -> None:
    from gridgov.proposals.audit import verify_proposals

    with opened(database_url) as c, c.sessions() as session:
        rep = verify_proposals(session)
    for p in rep.problems:
        where = f"事件 id={p.event_id}" if p.event_id is not None else "链尾"
        click.echo(f"篡改: 建议提案 {p.case_id} 第 {p.seq} 个事件 ({where}): {p.problem}", err=True)
    if not rep.ok:
        sys.exit(1)
    click.echo(f"完整: {rep.subjects} 件, {rep.events} 个事件, 全市日志中 {rep.leaves} 片叶子与之相符")
