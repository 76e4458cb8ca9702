"""`gridgov knowledge …`: import a file of articles (all or nothing, every bad line named), export them, add a
synonym group, mark articles past their end date as expired, check the articles' record against the city's log."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gridgov.actor import Actor, Role
from gridgov.clikit import db_option, friendly, opened

CLI_ACTOR = Actor(user_id=None, role=Role.ADMIN, unit_id=None, name="cli")


@click.group(help="知识库: 导入导出、同义词、到期下架、校验记录")
def knowledge() -> None:
    pass


@knowledge.command("import", help="导入知识库 (.xlsx 或 .csv); 任一行有误则整个文件不导入, 并指明行号")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="导入即发布 (责任部门已审核的文件)")
@db_option
@friendly
def import_file(path: Path, publish: bool, database_url: str | None) -> None:
    from gridgov.knowledge.domain import KnowledgeImportRefused
    from gridgov.knowledge.excel import read_articles
    from gridgov.knowledge.repository import SqlKnowledgeUnitOfWork
    from gridgov.knowledge.services import import_articles

    rows, problems = read_articles(path.read_bytes(), path.name)
    with opened(database_url) as c:
        try:
            ids = import_articles(
                SqlKnowledgeUnitOfWork(c.uow()), rows, CLI_ACTOR, c.clock.now(), problems, publish=publish
            )
        except KnowledgeImportRefused as refused:
            for e in refused.details.get("problems", []):
                where = f"第 {e['line']} 行: " if e.get("line") else ""
                click.echo(f"错误: {path.name} {where}{e['message']}", err=True)
            click.echo("文件有误，未导入任何条目", err=True)
            sys.exit(2)
    click.echo(f"已导入 {len(ids)} 个条目")


@knowledge.command("export", help="导出知识库 (每条的最新版本) 为 .xlsx")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@friendly
def export_file(path: Path, database_url: str | None) -> None:
    from gridgov.knowledge.excel import articles_workbook
    from gridgov.knowledge.queries import export_rows

    with opened(database_url) as c, c.sessions() as session:
        rows = export_rows(session)
    path.write_bytes(articles_workbook(rows))
    click.echo(f"已导出 {len(rows)} 个条目到 {path}")


@knowledge.command("synonyms", help="新增一组同义词 (检索时互相扩展), 例如: 社保卡 社会保障卡 市民卡")
@click.argument("words", nargs=-1, required=True)
@db_option
@friendly
def synonyms(words: tuple[str, ...], database_url: str | None) -> None:
    from gridgov.knowledge.repository import SqlKnowledgeUnitOfWork
    from gridgov.knowledge.services import add_synonyms

    with opened(database_url) as c:
        add_synonyms(SqlKnowledgeUnitOfWork(c.uow()), list(words), CLI_ACTOR, c.clock.now())
    click.echo("已新增同义词组: " + " ".join(words))


@knowledge.command("expire", help="已过失效日期的已发布条目标记为已失效 (检索本就不再推荐它们)")
@db_option
@friendly
def expire(database_url: str | None) -> None:
    from sqlalchemy import select

    from gridgov.clock import SHANGHAI
    from gridgov.knowledge.models import KnowledgeArticle
    from gridgov.knowledge.repository import SqlKnowledgeUnitOfWork
    from gridgov.knowledge.services import expire_due

    with opened(database_url) as c:
        with c.sessions() as session:
            ids = list(
                session.execute(select(KnowledgeArticle.id).where(KnowledgeArticle.status == "published")).scalars()
            )
        now = c.clock.now()
        n = expire_due(SqlKnowledgeUnitOfWork(c.uow()), Actor.system(), now, now.astimezone(SHANGHAI).date(), ids)
    click.echo(f"已下架 {n} 个过期条目")


@knowledge.command("verify", help="校验知识库条目的事件链, 以及每个事件都在全市日志中")
@db_option
@friendly
def verify(database_url: str | None) -> None:
    from gridgov.knowledge.audit import verify_knowledge

    with opened(database_url) as c, c.sessions() as session:
        report = verify_knowledge(session)
    for p in report.problems:
        click.echo(f"篡改: 条目 {p.case_id} 第 {p.seq} 个事件: {p.problem}", err=True)
    if not report.ok:
        sys.exit(1)
    click.echo(f"完整: {report.articles} 个条目, {report.events} 个事件, 全市日志 {report.leaves} 条")
