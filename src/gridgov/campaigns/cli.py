"""`gridgov campaigns …`: create and list campaigns, import saved mail, run the SMTP intake, reports."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

import click

from gridgov.actor import Actor, Role
from gridgov.clikit import db_option, friendly, opened

CLI_ACTOR = Actor(user_id=None, role=Role.ADMIN, unit_id=None, name="cli")


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期须为 YYYY-MM-DD: {value}", param_hint=name) from None


def _list(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@click.group(help="便民利民微改革征集: 活动、邮件导入、SMTP 收件、报表")
def campaigns() -> None:
    pass


@campaigns.command("create", help="新建征集活动 (起止日期按北京时间, 首尾两日均含)")
@click.option("--slug", required=True, help="网址短名, 如 bmlm-2024")
@click.option("--title", required=True)
@click.option("--organiser", required=True, help="主办单位")
@click.option("--opens", "opens_on", required=True, help="开始日期 YYYY-MM-DD")
@click.option("--closes", "closes_on", required=True, help="截止日期 YYYY-MM-DD (含当日)")
@click.option("--fields", default=None, help="领域, 逗号分隔 (默认 14 个)")
@click.option("--channels", default=None, help="渠道 web,app,wechat,email,letter (默认全部)")
@click.option("--late", "late_policy", type=click.Choice(["refuse", "keep"]), default="refuse", show_default=True)
@click.option("--mail-address", default=None, help="征集邮箱 (SMTP 收件地址)")
@click.option("--postal-address", default="")
@click.option("--postcode", default="")
@click.option("--marking", default="", help="信封注明字样")
@click.option("--description", default="")
@click.option("--private", is_flag=True, help="不公开 (无公开页面)")
@db_option
@friendly
def create(
    slug: str,
    title: str,
    organiser: str,
    opens_on: str,
    closes_on: str,
    fields: str | None,
    channels: str | None,
    late_policy: str,
    mail_address: str | None,
    postal_address: str,
    postcode: str,
    marking: str,
    description: str,
    private: bool,
    database_url: str | None,
) -> None:
    from gridgov.campaigns.services import CampaignDraft, create_campaign

    extra: dict[str, object] = {}
    if (f := _list(fields)) is not None:
        extra["fields"] = f
    if (ch := _list(channels)) is not None:
        extra["channels"] = ch
    draft = CampaignDraft(
        slug=slug,
        title=title,
        organiser=organiser,
        opens_on=_date(opens_on, "--opens"),
        closes_on=_date(closes_on, "--closes"),
        late_policy=late_policy,
        mail_address=mail_address,
        postal_address=postal_address,
        postcode=postcode,
        letter_marking=marking,
        description=description,
        public=not private,
        **extra,  # type: ignore[arg-type]
    )
    with opened(database_url) as c:
        made = create_campaign(c.uow(), draft, CLI_ACTOR, c.clock.now())
    click.echo(f"已创建征集活动 {made['slug']} (id={made['id']})")


@campaigns.command("list", help="征集活动列表")
@db_option
def list_campaigns(database_url: str | None) -> None:
    from gridgov.campaigns.queries import list_campaigns as rows

    with opened(database_url) as c, c.sessions() as s:
        for r in rows(s, c.clock.now()):
            click.echo(f"{r['slug']}\t{r['title']}\t{r['window']}\t{r['state']}\t{r['suggestions']} 条")


@campaigns.command("import-mail", help="导入 .eml 或 mbox 文件; 任何一封出错则全部不导入 (除非 --skip-bad)")
@click.argument("slug")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-bad", is_flag=True, help="跳过无法导入的邮件, 导入其余的")
@db_option
@friendly
def import_mail(slug: str, files: tuple[Path, ...], skip_bad: bool, database_url: str | None) -> None:
    from gridgov.campaigns.mail import read_mail_file
    from gridgov.campaigns.services import IntakePolicy
    from gridgov.campaigns.services import import_mail as run

    messages = [m for path in files for m in read_mail_file(path)]
    with opened(database_url) as c:
        s = c.settings
        policy = IntakePolicy(s.campaign_attachment_max_bytes, s.campaign_duplicate_threshold)
        report = run(c.uow(), slug, messages, CLI_ACTOR, c.clock.now(), policy, skip_bad)
    for r in report.imported:
        click.echo(f"导入 {r.ref} 领域={r.field or '其他'}{' (逾期)' if r.late else ''}")
    for r in report.repeated:
        click.echo(f"已存在 {r.ref} (同一 Message-ID)")
    for f in report.failed:
        click.echo(f"跳过 {f['message']}: {f['error']}", err=True)
    click.echo(f"共导入 {len(report.imported)} 封, 已存在 {len(report.repeated)} 封, 跳过 {len(report.failed)} 封")
    if report.failed:
        sys.exit(1)


@campaigns.command("smtp", help="运行 SMTP 收件服务: 只收各征集邮箱的邮件, 入库后才回 250")
@click.option("--host", default=None, help="监听地址 (默认 GRIDGOV_SMTP_HOST 或 127.0.0.1)")
@click.option("--port", type=int, default=None, help="端口 (默认 GRIDGOV_SMTP_PORT 或 8025)")
@db_option
def smtp(host: str | None, port: int | None, database_url: str | None) -> None:
    from gridgov.campaigns.services import IntakePolicy
    from gridgov.campaigns.smtp import CampaignMailHandler, controller

    with opened(database_url) as c:
        s = c.settings
        policy = IntakePolicy(s.campaign_attachment_max_bytes, s.campaign_duplicate_threshold)
        handler = CampaignMailHandler(c.uow, c.clock, policy, read_uow_factory=lambda: c.uow(write=False))
        server = controller(handler, host or s.smtp_host, port or s.smtp_port, s.campaign_mail_max_bytes)
        server.start()
        click.echo(f"SMTP 收件服务已启动: {host or s.smtp_host}:{port or s.smtp_port} (Ctrl-C 停止)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()


@campaigns.command("report", help="统计报表 (JSON); --xlsx 另存为 Excel")
@click.argument("slug")
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path), default=None)
@db_option
@friendly
def report(slug: str, xlsx: Path | None, database_url: str | None) -> None:
    from gridgov.campaigns.excel import workbook
    from gridgov.campaigns.queries import campaign_by_slug, export_rows
    from gridgov.campaigns.queries import report as build

    with opened(database_url) as c, c.sessions() as s:
        campaign = campaign_by_slug(s, slug)
        data = build(s, campaign, c.clock.now())
        if xlsx is not None:
            xlsx.write_bytes(workbook(data, export_rows(s, campaign)))
            click.echo(f"已导出 {xlsx}")
            return
    summary = {k: data[k] for k in ("total", "late", "decided", "adopted", "adoption_rate")}
    click.echo(
        json.dumps(
            {**summary, "by_field": data["by_field"], "by_channel": data["by_channel"]}, ensure_ascii=False, indent=2
        )
    )
