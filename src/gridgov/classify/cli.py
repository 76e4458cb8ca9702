"""`gridgov model train|cv|eval`: the category model (`gridgov topics`, over cases, lives in cases.cli).

Services are imported inside each command, so `gridgov --help` does not load numpy or the database layer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from gridgov.clikit import F, db_option, friendly, opened, wiring


@click.group(help="分类模型: 训练、交叉验证、评估")
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


def _unlabelled_option(f: F) -> F:
    return click.option(
        "--unlabelled-dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        help="未标注数据目录 (附件1/附件3/附件4/测试数据, 如 ../shared/data/tipdm2020c)",
    )(f)


def _ideas_option(f: F) -> F:
    return click.option(
        "--ideas",
        default=None,
        help="候选组合, 如 taxonomy 或 taxonomy+self (base, sublinear, weak, taxonomy, self, agree); "
        "默认: 有 --unlabelled-dir 时为发布模型的搜索空间, 否则 base",
    )(f)


def _ideas(ideas: str | None, unlabelled_dir: Path | None) -> tuple[str, ...]:
    from gridgov.classify.selection import SHIPPED_IDEAS

    if ideas:
        return tuple(i.strip() for i in ideas.split("+") if i.strip())
    return SHIPPED_IDEAS if unlabelled_dir else ("base",)


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
@_unlabelled_option
@_ideas_option
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
    unlabelled_dir: Path | None,
    ideas: str | None,
    database_url: str | None,
) -> None:
    from gridgov.classify.train import Row, train

    rows = list(_rows(csv_path, xlsx, text_columns, label_column))
    extra = 0
    if include_corrections:
        from gridgov.classify.queries import labels

        with opened(database_url) as c, c.sessions() as s:
            pairs = labels(s)
        rows += [Row(text, label) for text, label in pairs]
        extra = len(pairs)
    source = {"source_file": (csv_path or xlsx or Path("")).name, "corrections": extra}
    if unlabelled_dir or ideas:
        from gridgov.classify.selection import corpus_for, select_and_fit

        chosen = _ideas(ideas, unlabelled_dir)
        corpus = corpus_for(rows, unlabelled_dir)
        trained, recipe, _ = select_and_fit(corpus, chosen, name=name, metadata=source)
        click.echo(f"选定的配方: {recipe} (候选: {'+'.join(chosen)})")
    else:
        trained = train(rows, name=name, metadata=source)
    output.parent.mkdir(parents=True, exist_ok=True)
    trained.save(output)
    click.echo(f"模型已保存 {output} (版本 {trained.version}, {len(rows)} 条样本, 其中纠正标签 {extra} 条)")
    click.echo(f"启用: GRIDGOV_MODEL_PATH={output}")


@model.command("cv", help="嵌套交叉验证: 内层选特征和超参数, 外层打分; 宏平均 F1 及其区间、各类 F1、混淆矩阵")
@_table_options
@click.option("--folds", type=int, default=5, show_default=True, help="外层折数")
@click.option("--inner-folds", type=int, default=3, show_default=True, help="内层折数")
@click.option("--seeds", default="0,1,2,3,4", show_default=True, help="逗号分隔的随机种子")
@_unlabelled_option
@_ideas_option
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@friendly
def model_cv(
    csv_path: Path | None,
    xlsx: Path | None,
    text_columns: str,
    label_column: str,
    folds: int,
    inner_folds: int,
    seeds: str,
    unlabelled_dir: Path | None,
    ideas: str | None,
    as_json: bool,
) -> None:
    import json

    from gridgov.classify.selection import corpus_for, nested_report

    rows = _rows(csv_path, xlsx, text_columns, label_column)
    corpus = corpus_for(rows, unlabelled_dir)
    report = nested_report(
        corpus,
        _ideas(ideas, unlabelled_dir),
        seeds=[int(s) for s in seeds.split(",")],
        outer=folds,
        inner=inner_folds,
    )
    report.sources = dict(corpus.sources)
    click.echo(json.dumps(report.to_dict(), ensure_ascii=False) if as_json else report.to_text())


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
    from gridgov.classify.train import evaluate

    rows = _rows(csv_path, xlsx, text_columns, label_column)
    click.echo(evaluate(wiring().load_classifier(str(model_path) if model_path else None), rows).to_text())


@model.command("check-weak", help="答复部门弱标签: 覆盖率、人工抽查精度、与模型的一致率")
@click.option("--replies", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option(
    "--model",
    "model_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="与之比较的模型 (默认: 随软件发布的模型)",
)
@friendly
def model_check_weak(replies: Path, model_path: Path | None) -> None:
    from gridgov.classify.checks import weak_check

    click.echo(weak_check(replies, wiring().load_classifier(str(model_path) if model_path else None)).to_text())


@model.command("check-second-level", help="二级分类建议: 人工标注样本上的准确率 (给定一级分类)")
@click.option("--csv", "csv_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@friendly
def model_check_second_level(csv_path: Path) -> None:
    from gridgov.classify.checks import second_level_check

    click.echo(second_level_check(csv_path).to_text())
