"""The `gridgov` command. Thin: parse options, call a service, print the result."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from gridgov.config import Settings
from gridgov.errors import GridgovError

F = TypeVar("F", bound=Callable[..., Any])


def _settings(database_url: str | None, **extra: Any) -> Settings:
    overrides = {k: v for k, v in extra.items() if v is not None}
    if database_url:
        overrides["database_url"] = database_url
    return Settings(**overrides)


def db_option(f: F) -> F:
    return click.option(
        "--database-url",
        envvar="GRIDGOV_DATABASE_URL",
        default=None,
        help="数据库 URL (默认 GRIDGOV_DATABASE_URL 或 sqlite:///var/gridgov.db)",
    )(f)


def friendly(f: F) -> F:
    """Domain errors end the command with exit code 2 and a Chinese message on stderr."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except GridgovError as exc:
            click.echo(f"错误 [{exc.code}]: {exc.message}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


@contextmanager
def _opened(database_url: str | None) -> Iterator[Any]:
    """The composition root for one command, closed afterwards."""
    c = _container(_settings(database_url))
    try:
        yield c
    finally:
        c.close()


def _container(settings: Settings) -> Any:
    from gridgov.bootstrap import bootstrap
    from gridgov.logging import configure_logging

    configure_logging(settings)
    return bootstrap(settings)


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"无法解析时间: {value} (例如 2025-10-09T09:00:00+08:00)") from None
    if at.tzinfo is None:
        raise click.BadParameter("时间须带时区, 例如 2025-10-09T09:00:00+08:00")
    return at


@click.group(help="gridgov 网格化治理平台")
def main() -> None:
    pass


@main.group(help="数据库迁移")
def db() -> None:
    pass


@db.command("upgrade", help="迁移到最新版本 (alembic upgrade head)")
@db_option
def db_upgrade(database_url: str | None) -> None:
    from gridgov import migrate

    migrate.upgrade(_settings(database_url).database_url)
    click.echo("数据库已迁移到最新版本")


@db.command("check", help="检查模型与迁移是否一致 (alembic check)")
@db_option
def db_check(database_url: str | None) -> None:
    from gridgov import migrate

    migrate.check(_settings(database_url).database_url)
    click.echo("模型与迁移一致")


def _init(settings: Settings, villages_csv: Path | None, workers: bool = True) -> dict[str, int]:
    from gridgov import migrate
    from gridgov.clock import SystemClock
    from gridgov.reference.services import initialise, read_villages_csv

    migrate.upgrade(settings.database_url)
    container = _container(settings)
    try:
        villages = read_villages_csv(villages_csv) if villages_csv else ()
        return initialise(container.sessions, SystemClock().now(), villages=villages, grid_workers=workers)
    finally:
        container.close()


@main.command(help="迁移数据库并载入参考数据 (类别、郑州网格、单位、权属、网格员)。可重复执行。")
@db_option
@click.option(
    "--villages-csv",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="本市村级(社区/村)名录 CSV: village_code,village_name,street_code",
)
@friendly
def init(database_url: str | None, villages_csv: Path | None) -> None:
    summary = _init(_settings(database_url), villages_csv)
    click.echo("初始化完成: " + ", ".join(f"{k} +{v}" for k, v in summary.items()))


@main.command(help="启动 HTTP 服务 (含时限扫描调度)")
@db_option
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.option("--no-scheduler", is_flag=True, help="不在服务内运行时限扫描")
def serve(database_url: str | None, host: str | None, port: int | None, no_scheduler: bool) -> None:
    _serve(_settings(database_url, host=host, port=port), scheduler=not no_scheduler)


def _serve(settings: Settings, scheduler: bool) -> None:
    import uvicorn

    from gridgov.logging import configure_logging
    from gridgov.web.app import create_app

    configure_logging(settings)
    app = create_app(settings, scheduler=scheduler)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower())


@main.command(help="建立演示库 (郑州网格 + 样例案件)，为每个角色打印令牌，并在 127.0.0.1:8000 提供服务")
@click.option("--database-url", envvar="GRIDGOV_DEMO_DATABASE_URL", default="sqlite:///var/demo.db", show_default=True)
@click.option("--cases", "n_cases", type=int, default=3000, show_default=True, help="样例案件数")
@click.option("--reset", is_flag=True, help="删除已有演示库后重建 (仅 SQLite)")
@click.option("--no-serve", is_flag=True, help="只建库，不启动服务")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@friendly
def demo(database_url: str, n_cases: int, reset: bool, no_serve: bool, host: str, port: int) -> None:
    from gridgov.cases.services import scan_overdue
    from gridgov.clock import SystemClock
    from gridgov.demo.seed import DEMO_PASSWORD, create_demo_users, seed_cases

    settings = _settings(database_url, host=host, port=port)
    if reset and settings.is_sqlite:
        path = Path(settings.database_url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    click.echo("正在初始化数据库与郑州参考数据 …")
    summary = _init(settings, None)
    container = _container(settings.model_copy(update={"log_level": "WARNING"}))
    try:
        now = SystemClock().now()
        world = create_demo_users(container, now)
        if summary["grids"] and summary["units"]:
            click.echo(f"正在生成 {n_cases} 个样例案件 …")
            made = seed_cases(container, n_cases, now, progress=lambda i: click.echo(f"  {i}/{n_cases}"))
            click.echo("样例案件: " + ", ".join(f"{k} {v}" for k, v in sorted(made.items())))
            report = scan_overdue(container.uow_factory, now, container.calendar, container.policy)
            click.echo(f"时限扫描: 预警 {report.warned}, 升级 {report.escalated}")
        else:
            click.echo("演示库已存在，跳过样例案件 (用 --reset 重建)")
    finally:
        container.close()
    click.echo("演示令牌 (Authorization: Bearer <令牌>):")
    for name, value in world.tokens.items():
        click.echo(f"  {name:<14} {value}")
    click.echo(f"演示网格: {world.grid_code}")
    click.echo(f"网页登录 (http://{host}:{port}/login), 密码均为 {DEMO_PASSWORD}:")
    for who, username in world.usernames.items():
        click.echo(f"  {who:<14} 用户名 {username}")
    if not no_serve:
        click.echo(f"服务地址: http://{host}:{port}/  (API 文档 /docs)")
        _serve(settings, scheduler=True)


@main.group(help="用户")
def user() -> None:
    pass


@user.command("add", help="新增用户")
@click.argument("name")
@click.option(
    "--role", required=True, help="resident|grid_worker|community|street|department|operator|dispatcher|leader|admin"
)
@click.option("--unit", "unit_code", default=None, help="所属单位编码")
@click.option("--display-name", default="")
@db_option
@friendly
def user_add(name: str, role: str, unit_code: str | None, display_name: str, database_url: str | None) -> None:
    from gridgov.accounts.services import add_user

    with _opened(database_url) as c:
        uid = add_user(c.uow(), name, role, unit_code, c.clock.now(), display_name)
    click.echo(f"已创建用户 {name} (id {uid})")


@user.command("passwd", help="设置登录密码 (argon2id 存储; 至少 10 位)")
@click.argument("name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@db_option
@friendly
def user_passwd(name: str, password: str, database_url: str | None) -> None:
    from gridgov.accounts.services import set_password

    with _opened(database_url) as c:
        set_password(c.uow(), name, password)
    click.echo(f"已设置 {name} 的密码")


@main.group(help="访问令牌")
def token() -> None:
    pass


@token.command("issue", help="为用户签发令牌 (只显示一次)")
@click.argument("name")
@click.option("--scopes", default="read write", show_default=True, help="read 和/或 write; 只读令牌不能修改数据")
@db_option
@friendly
def token_issue(name: str, scopes: str, database_url: str | None) -> None:
    from gridgov.accounts.services import issue_token

    with _opened(database_url) as c:
        click.echo(issue_token(c.uow(), name, c.clock.now(), scopes=scopes))


@token.command("revoke", help="吊销令牌")
@click.argument("value")
@db_option
@friendly
def token_revoke(value: str, database_url: str | None) -> None:
    from gridgov.accounts.services import revoke_token

    with _opened(database_url) as c:
        revoke_token(c.uow(), value, c.clock.now())
    click.echo("令牌已吊销")


@main.command(help="时限扫描: 80% 黄牌预警; 超期红牌并逐级升级 (社区→街道→区→市)，每超一个周期再升一级")
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

    now = _parse_now(now_text)
    with _opened(database_url) as c:
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


@main.group(help="权属表 (类别 × 网格 → 责任单位)")
def rules() -> None:
    pass


@rules.command("list", help="列出权属规则")
@click.option("--category", default=None, help="类别编码 ('' 为任意类别)")
@click.option("--grid", default=None, help="15位网格编码")
@db_option
@friendly
def rules_list(category: str | None, grid: str | None, database_url: str | None) -> None:
    from gridgov.units.admin import list_rules

    with _opened(database_url) as c:
        for r in list_rules(c.sessions, category, grid):
            who = f"{r.unit_code} {r.unit_name}" if r.unit_code else ""
            click.echo(f"{r.category_code or '*':<8} {r.grid_prefix:<15} {r.target:<16} {who} {r.note}")


@rules.command("set", help="新增或替换一条规则: 最具体的规则优先 (先比网格层级，再比类别层级)")
@click.option("--category", required=True, help="类别编码 ('' 为任意类别)")
@click.option("--grid", required=True, help="15位网格编码, 规则覆盖其所有下级")
@click.option("--target", default="unit", show_default=True, help="unit|street|community|district_bureau")
@click.option("--unit", "unit_code", default=None, help="责任单位编码 (target 为 unit/district_bureau 时)")
@click.option("--note", default="")
@db_option
@friendly
def rules_set(
    category: str, grid: str, target: str, unit_code: str | None, note: str, database_url: str | None
) -> None:
    from gridgov.units.admin import set_rule

    with _opened(database_url) as c:
        rule_id = set_rule(c.sessions, category, grid, target, unit_code, note)
    click.echo(f"权属规则已保存 (id {rule_id})")


@rules.command("delete", help="删除一条规则")
@click.option("--category", required=True)
@click.option("--grid", required=True)
@db_option
@friendly
def rules_delete(category: str, grid: str, database_url: str | None) -> None:
    from gridgov.units.admin import delete_rule

    with _opened(database_url) as c:
        delete_rule(c.sessions, category, grid)
    click.echo("权属规则已删除")


@rules.command("resolve", help="查询某类别、某网格的责任单位")
@click.option("--category", required=True)
@click.option("--grid", required=True)
@db_option
@friendly
def rules_resolve(category: str, grid: str, database_url: str | None) -> None:
    from gridgov.units.services import responsible_unit

    with _opened(database_url) as c:
        uow = c.uow(write=False)
        with uow:
            unit = responsible_unit(uow, category, grid)
            click.echo(f"{unit.code} {unit.name}")


@main.group(help="案件类别 (分类体系)")
def categories() -> None:
    pass


@categories.command(
    "import", help="从 CSV 导入/更新分类体系 (格式同 src/gridgov/categories/data/*.csv); 有一行错误则不写入"
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--taxonomy", required=True, help="分类体系名, 例如 dcg 或 hotline12345")
@db_option
@friendly
def categories_import(path: Path, taxonomy: str, database_url: str | None) -> None:
    from gridgov.units.admin import import_categories

    with _opened(database_url) as c:
        added, updated = import_categories(c.sessions, path, taxonomy)
    click.echo(f"类别已导入: 新增 {added}, 更新 {updated}")


@main.group(help="网格: 导入/导出 GeoJSON、版本、网格员分配 (也可写作 gridgov grids)")
def grid() -> None:
    pass


main.add_command(grid, name="grids")


@grid.command("import", help="导入 GeoJSON 网格文件为新版本 (整体校验, 有问题则列出全部问题且不写入)")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", default=None, help="版本名 (默认: 文件名)")
@click.option("--activate", is_flag=True, help="导入后立即启用 (原子切换)")
@db_option
def grid_import(path: Path, name: str | None, activate: bool, database_url: str | None) -> None:
    from gridgov.geo.ports import GridFileInvalid
    from gridgov.geo.services import import_grid_file

    c = _container(_settings(database_url))
    try:
        version_id, counts = import_grid_file(c.sessions, path.read_bytes(), name or path.name, c.clock.now(), activate)
    except GridFileInvalid as exc:
        click.echo(f"网格文件被拒绝, 共 {len(exc.problems)} 个问题 (数据库未改动):", err=True)
        for p in exc.problems:
            click.echo(f"  {p}", err=True)
        sys.exit(2)
    except GridgovError as exc:
        click.echo(f"错误 [{exc.code}]: {exc.message}", err=True)
        sys.exit(2)
    finally:
        c.close()
    levels = ", ".join(f"L{lv}:{n}" for lv, n in sorted(counts.items()))
    click.echo(f"已导入网格版本 {version_id} ({levels}){', 已启用' if activate else ''}")


@grid.command("export", help="导出网格版本为 GeoJSON (默认: 启用的版本)")
@click.option("--version", "version_id", type=int, default=None)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
@db_option
@friendly
def grid_export(version_id: int | None, output: Path | None, database_url: str | None) -> None:
    from gridgov.geo.services import export_grid_file

    with _opened(database_url) as c:
        text = export_grid_file(c.sessions, version_id)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text, "utf-8")
        click.echo(f"已写入 {output}")


@grid.command("activate", help="启用某个网格版本")
@click.argument("version_id", type=int)
@db_option
@friendly
def grid_activate(version_id: int, database_url: str | None) -> None:
    from gridgov.geo.services import activate_version

    with _opened(database_url) as c:
        activate_version(c.sessions, version_id, c.clock.now())
    click.echo(f"网格版本 {version_id} 已启用")


@grid.command("versions", help="列出网格版本")
@db_option
def grid_versions(database_url: str | None) -> None:
    from gridgov.geo.services import list_versions

    with _opened(database_url) as c:
        for v in list_versions(c.sessions):
            click.echo(f"{v['id']:>4} {'*' if v['active'] else ' '} {v['name']}  ({v['source']})")


@grid.command("assign", help="为网格员分配网格")
@click.argument("username")
@click.argument("grid_code")
@db_option
@friendly
def grid_assign(username: str, grid_code: str, database_url: str | None) -> None:
    from gridgov.units.admin import assign_grid

    with _opened(database_url) as c:
        assign_grid(c.sessions, username, grid_code)
    click.echo(f"已将网格 {grid_code} 分配给 {username}")


@main.group(help="分类模型: 训练、交叉验证、评估")
def model() -> None:
    pass


def _table_options(f: F) -> F:
    f = click.option("--label-column", required=True, help="标签列")(f)
    f = click.option("--text-columns", required=True, help="文本列, 逗号分隔, 如 留言主题,留言详情")(f)
    f = click.option("--xlsx", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)(f)
    f = click.option("--csv", "csv_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)(f)
    return f


def _rows(csv_path: Path | None, xlsx: Path | None, text_columns: str, label_column: str) -> Any:
    from gridgov.classify.train import read_table

    path = csv_path or xlsx
    if path is None or (csv_path and xlsx):
        raise click.UsageError("请给出 --csv 或 --xlsx 之一")
    return read_table(path, [c.strip() for c in text_columns.split(",") if c.strip()], label_column)


@model.command("train", help="用本市历史工单训练模型 (CSV/Excel); 可加入派遣员确认和纠正的标签")
@_table_options
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("var/models/model.json.gz"),
    show_default=True,
)
@click.option("--include-corrections", is_flag=True, help="加入数据库中派遣员确认/纠正的类别 (需 --database-url)")
@click.option("--name", default="city", show_default=True)
@db_option
@friendly
def model_train(
    csv_path: Path | None,
    xlsx: Path | None,
    text_columns: str,
    label_column: str,
    output: Path,
    include_corrections: bool,
    name: str,
    database_url: str | None,
) -> None:
    from gridgov.classify.train import Row, train

    rows = list(_rows(csv_path, xlsx, text_columns, label_column))
    extra = 0
    if include_corrections:
        from gridgov.classify.queries import labels

        with _opened(database_url) as c, c.sessions() as s:
            pairs = labels(s)
        rows += [Row(text, label) for text, label in pairs]
        extra = len(pairs)
    trained = train(
        rows, name=name, metadata={"source_file": (csv_path or xlsx or Path("")).name, "corrections": extra}
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    trained.save(output)
    click.echo(f"模型已保存 {output} (版本 {trained.version}, {len(rows)} 条样本, 其中纠正标签 {extra} 条)")
    click.echo(f"启用: GRIDGOV_MODEL_PATH={output}")


@model.command("cv", help="k 折交叉验证: 宏平均 F1、各类 F1、混淆矩阵")
@_table_options
@click.option("--folds", type=int, default=5, show_default=True)
@click.option("--seeds", default="0", show_default=True, help="逗号分隔的随机种子")
@friendly
def model_cv(
    csv_path: Path | None, xlsx: Path | None, text_columns: str, label_column: str, folds: int, seeds: str
) -> None:
    from gridgov.classify.train import cross_validate

    rows = _rows(csv_path, xlsx, text_columns, label_column)
    scores = []
    for seed in (int(s) for s in seeds.split(",")):
        report = cross_validate(rows, folds, seed)
        scores.append(report.macro_f1)
        click.echo(report.to_text() + "\n")
    if len(scores) > 1:
        click.echo(f"mean macro-F1 over {len(scores)} seeds: {sum(scores) / len(scores):.4f}")


@model.command("eval", help="用已训练模型评估一个标注文件")
@_table_options
@click.option(
    "--model",
    "model_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="模型文件 (默认: 随软件发布的模型)",
)
@friendly
def model_eval(
    csv_path: Path | None, xlsx: Path | None, text_columns: str, label_column: str, model_path: Path | None
) -> None:
    from gridgov.bootstrap import load_classifier
    from gridgov.classify.train import evaluate

    rows = _rows(csv_path, xlsx, text_columns, label_column)
    click.echo(evaluate(load_classifier(str(model_path) if model_path else None), rows).to_text())


@main.command(help="热点问题 (每月一题): 近 N 天案件按文本聚类排名")
@click.option("--days", type=int, default=30, show_default=True)
@click.option("--top", type=int, default=10, show_default=True)
@click.option("--now", "now_text", default=None, help="以此时刻为当前时间 (ISO 8601, 带时区)")
@db_option
@friendly
def topics(days: int, top: int, now_text: str | None, database_url: str | None) -> None:
    from gridgov.classify.queries import recent_topics

    with _opened(database_url) as c, c.sessions() as s:
        found = recent_topics(s, _parse_now(now_text) or c.clock.now(), days, top)
    for t in found:
        places = "、".join(p["name"] for p in t["places"][:3]) or "-"
        click.echo(f"{t['rank']}. {t['titles'][0]}  ({t['count']} 件, {places}, {t['first']:%m-%d}~{t['last']:%m-%d})")
        for title in t["titles"][1:]:
            click.echo(f"     · {title}")


@main.group(help="个人信息 (个人信息保护法)")
def pii() -> None:
    pass


@pii.command("erase", help="删除反映人的身份信息 (按账号或电话); 案件内容和处理记录保留")
@click.option("--user", "username", default=None, help="用户名")
@click.option("--phone", default=None, help="电话号码 (热线来电人)")
@db_option
@friendly
def pii_erase(username: str | None, phone: str | None, database_url: str | None) -> None:
    from gridgov.accounts.privacy import erase_reporter

    with _opened(database_url) as c:
        user_id = None
        if username:
            with c.uow(write=False) as uow:
                user = uow.users.by_username(username)
                if user is None:
                    raise click.UsageError(f"用户不存在: {username}")
                user_id = user.id
        n = erase_reporter(c.sessions, c.clock.now(), user_id=user_id, phone=phone)
    click.echo(f"已删除 {n} 个案件上的反映人姓名与电话")


@main.group(help="审计")
def audit() -> None:
    pass


@audit.command("verify", help="校验每个案件的事件哈希链; 有篡改则以非零码退出并指出第一个问题事件")
@db_option
def audit_verify(database_url: str | None) -> None:
    from gridgov.audit.services import verify_all

    with _opened(database_url) as c, c.sessions() as session:
        report = verify_all(session)
    if report.ok:
        click.echo(f"完整: {report.cases} 个案件, {report.events} 个事件, 哈希链无断裂")
        return
    for p in report.problems:
        where = f"事件 id={p.event_id}" if p.event_id is not None else "链尾"
        click.echo(f"篡改: 案件 {p.case_id} 第 {p.seq} 个事件 ({where}): {p.problem}", err=True)
    sys.exit(1)


def _campaigns() -> click.Group:
    from gridgov.campaigns.cli import campaigns  # it uses the helpers above

    return campaigns


main.add_command(_campaigns())


if __name__ == "__main__":
    main()
