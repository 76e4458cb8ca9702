"""`gridgov transfers export|import`: the 转办 documents (docs/hotline.md#转办-transfers) written to a file or read
from one, for instances that pass them by file rather than HTTP. A bad file ends with exit code 2 and names the
line (JSON) or the field (the document) that is wrong."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from gridgov.actor import Actor, Role
from gridgov.clikit import db_option, friendly, opened

CLI_ACTOR = Actor(user_id=None, role=Role.ADMIN, unit_id=None, name="cli")


@click.group(help="转办: 导出、导入转办文档 (案件或办理结果)")
def transfers() -> None:
    pass


@transfers.command("export", help="导出转办文档: 转出记录为案件文档, 转入记录为办理结果文档")
@click.argument("transfer_id", type=click.IntRange(min=1))
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), required=False)
@db_option
@friendly
def export_document(transfer_id: int, path: Path | None, database_url: str | None) -> None:
    from gridgov.transfers import services
    from gridgov.transfers.domain import targets_of
    from gridgov.transfers.repository import SqlTransfersUnitOfWork

    with opened(database_url) as c:
        policy = services.TransferPolicy(c.settings.instance_code, targets_of(c.settings.transfer_targets))
        try:
            doc = services.export_case(SqlTransfersUnitOfWork(c.uow()), transfer_id, CLI_ACTOR, policy)
        except services.TransferNotFound:
            doc = services.outcome_of(SqlTransfersUnitOfWork(c.uow()), transfer_id, CLI_ACTOR, policy)
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    if path is None:
        click.echo(text)
    else:
        path.write_text(text + "\n", encoding="utf-8")
        click.echo(f"已导出 {doc['format']} 到 {path}")


@transfers.command("import", help="导入转办文档: 案件文档建立本地案件 (重复导入不重复建案), 办理结果文档记入转出记录")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@friendly
def import_document(path: Path, database_url: str | None) -> None:
    from gridgov.transfers import services
    from gridgov.transfers.domain import CASE_FORMAT
    from gridgov.transfers.repository import SqlTransfersUnitOfWork

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        click.echo(f"错误: {path.name} 不是 UTF-8 编码的文本", err=True)
        sys.exit(2)
    except json.JSONDecodeError as exc:
        click.echo(f"错误: {path.name} 第 {exc.lineno} 行第 {exc.colno} 列: JSON 无法解析 ({exc.msg})", err=True)
        sys.exit(2)
    with opened(database_url) as c:
        now = c.clock.now()
        if isinstance(doc, dict) and doc.get("format") == CASE_FORMAT:
            reported = services.import_case(
                SqlTransfersUnitOfWork(c.uow()), c.uow(), doc, CLI_ACTOR, now, c.policy, c.locator(), c.classifier
            )
            state = "已建立" if reported.created else "已存在 (重复导入, 未重复建案)"
            click.echo(f"案件 {reported.tracking_code} {state}")
        else:
            case_id, recorded = services.record_outcome(SqlTransfersUnitOfWork(c.uow()), doc, CLI_ACTOR, now)
            click.echo(f"案件 {case_id}: {'已记录办理结果' if recorded else '该结果已记录过'}")
