"""Nested cross-validation never lets the outer test fold into the inner choice; the reply → class table;
the semi-supervised learner exports a JSON model that predicts what it predicted in memory."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from gridgov.classify import nested, semi
from gridgov.classify.model import LinearTextModel
from gridgov.classify.train import Row
from gridgov.classify.weak import DEPARTMENTS, weak_label

TOY = [
    Row("小区物业乱收停车费 开发商违建", "城乡建设"),
    Row("小区电梯坏了 物业不修", "城乡建设"),
    Row("工地夜间施工 房屋开裂", "城乡建设"),
    Row("化工厂排放废气 污染严重", "环境保护"),
    Row("河道污水直排 臭味难闻", "环境保护"),
    Row("工厂粉尘污染 环保不管", "环境保护"),
    Row("公交车司机态度差 线路绕行", "交通运输"),
    Row("出租车拒载 网约车乱收费", "交通运输"),
    Row("地铁站公交接驳班次太少", "交通运输"),
]


def _labels(n: int, k: int = 3, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [f"C{rng.randrange(k)}" for _ in range(n)]


def test_inner_splits_only_ever_see_outer_training_rows() -> None:
    y = _labels(90)
    seen: list[tuple[set[int], set[int]]] = []  # (rows a fit saw, rows it predicted) per call

    def fit_predict(cand: int, train: np.ndarray, test: np.ndarray) -> list[str]:
        seen.append((set(train.tolist()), set(test.tolist())))
        return [y[int(train[0])]] * len(test)

    res = nested.nested_cv([0, 1], y, fit_predict, seeds=(0, 1), outer=3, inner=3)
    assert len(res.folds) == 6 and sorted(res.predictions) == [0, 1]
    # every outer fold: the inner calls before its final fit never touch its test rows
    calls_per_fold = 2 * 3 + 1
    for k, fold in enumerate(res.folds):
        block = seen[k * calls_per_fold : (k + 1) * calls_per_fold]
        test = set(fold.test_idx)
        for train_rows, pred_rows in block[:-1]:
            assert not (train_rows | pred_rows) & test
        assert block[-1][1] == test and not block[-1][0] & test


def test_a_planted_leak_in_the_inner_split_is_caught() -> None:
    y = _labels(60)

    def leaky(train: np.ndarray, y: Sequence[str], k: int, seed: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        yield from nested.stratified_folds(y, k, seed)  # the classic bug: splits all rows, not the outer-training ones

    with pytest.raises(nested.FoldLeak):
        nested.nested_cv([0, 1], y, lambda c, tr, te: ["C0"] * len(te), seeds=(0,), outer=3, splitter=leaky)


def test_a_memoriser_scores_chance_on_random_labels() -> None:
    """If test rows leaked into training or selection, remembering labels would score far above chance."""
    y = _labels(150, k=2, seed=3)
    rng = random.Random(1)

    def memorise(cand: int, train: np.ndarray, test: np.ndarray) -> list[str]:
        known = {int(i): y[int(i)] for i in train}
        return [known.get(int(i), rng.choice(["C0", "C1"])) for i in test]

    res = nested.nested_cv([0, 1, 2], y, memorise, seeds=(0, 1, 2), outer=5, inner=3)
    mean, low, high = res.summary()
    assert mean < 0.65 and low <= mean <= high


def test_summary_is_mean_with_a_t_interval() -> None:
    res: nested.NestedResult[int] = nested.NestedResult(["a", "b", "a", "b"])
    res.predictions = {0: ["a", "b", "a", "b"], 1: ["a", "a", "a", "b"]}
    mean, low, high = res.summary()
    assert res.seed_scores() == {0: 1.0, 1: 0.7333}
    assert mean == pytest.approx(0.8667, abs=1e-4) and low < mean < high


def test_macro_f1_matches_scikit_learn() -> None:
    from sklearn.metrics import f1_score  # type: ignore[import-untyped]

    y, p = _labels(80, 4, 1), _labels(80, 4, 2)
    assert nested.macro_f1(y, p) == pytest.approx(f1_score(y, p, average="macro"))


def test_department_in_the_signature_names_the_class() -> None:
    w = weak_label("您好！您反映的问题已收悉……感谢您对我们工作的支持。A7县人力资源和社会保障局 2019年5月9日")
    assert w is not None and w.label == "H05" and "人力资源和社会保障" in w.departments
    edu = weak_label("经区教育局调查核实，该校已停止收取资料费。")
    assert edu is not None and edu.label == "H04" and edu.sub == ""
    assert weak_label("经核查，已要求该公司整改。") is None  # no department named


def test_competing_departments_give_no_label_unless_one_dominates() -> None:
    assert weak_label("已转县教育局和县卫健委共同处理。") is None
    signed = weak_label("已转县卫健委协助。" + "经调查核实，现答复如下。" * 10 + "县教育局 2018年3月1日")
    assert signed is not None and signed.label == "H04"  # the signature weighs three times


def test_second_level_comes_from_the_department_when_it_is_narrow() -> None:
    w = weak_label("您反映的新农合报销问题，经县医保局核实……")
    assert w is not None and (w.label, w.sub) == ("H05", "H0507")


def test_every_department_maps_into_the_seven_classes() -> None:
    assert {lab for lab, _ in DEPARTMENTS.values()} == {f"H0{i}" for i in range(1, 8)}
    assert all(not sub or sub.startswith(lab) for lab, sub in DEPARTMENTS.values())


def test_semi_supervised_fit_exports_a_json_model_with_the_same_predictions(tmp_path: Path) -> None:
    from gridgov.classify.train import label_codes

    mapping = label_codes(r.label for r in TOY)
    y = [mapping[r.label] for r in TOY]
    pool = semi.Pool(
        texts=["小区物业 停车 收费", "工厂 废气 排放", "公交 班次 线路", "无关 内容"],
        weak=[("物业公司不修电梯", "H01", "")],
        taxonomy=[("环境污染，大气污染", "H02")],
    )
    corpus = semi.Corpus([r.text for r in TOY], y, pool)
    recipe = semi.Recipe(alpha=0.1, weak=0.5, taxonomy=1.0, self_train=0.3, threshold=0.0)
    fitted = semi.fit(corpus, corpus.lab, recipe)
    assert fitted.n_pseudo == 4  # threshold 0: every pool text gets a pseudo-label
    model = semi.to_model(corpus, fitted, temperature=5.0, name="t", label_names={}, metadata={"recipe": str(recipe)})
    again = LinearTextModel.load(model.save(tmp_path / "m.json.gz"))
    texts = ["物业 停车", "排放 废气 污染", "公交 线路"]
    in_memory = [fitted.labels[i] for i in fitted.scores(_rows(corpus, texts)).argmax(axis=1)]
    assert [p.label for p in again.predict_many(texts)] == in_memory == ["H01", "H02", "H03"]
    assert again.metadata["recipe"] == str(recipe)


def _rows(corpus: semi.Corpus, texts: list[str]) -> object:
    """Count rows of new texts in the corpus's columns (features the corpus never saw are dropped)."""
    import scipy.sparse as sp  # type: ignore[import-untyped]

    from gridgov.classify import text as textmod

    rows, cols, vals = [], [], []
    for i, t in enumerate(texts):
        for f in textmod.features(t):
            j = corpus.vocab.get(f)
            if j is not None:
                rows.append(i)
                cols.append(j)
                vals.append(1.0)
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), len(corpus.vocab)))


def _toy_csv(tmp_path: Path) -> Path:
    import csv

    path = tmp_path / "toy.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["标题", "类别"])
        for i in range(4):
            for r in TOY:
                w.writerow([f"{r.text} {i}", r.label])
    return path


def test_model_cv_prints_the_nested_figures(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from gridgov.cli import main

    args = ["model", "cv", "--csv", str(_toy_csv(tmp_path)), "--text-columns", "标题", "--label-column", "类别"]
    r = CliRunner().invoke(main, [*args, "--seeds", "0,1", "--folds", "3", "--inner-folds", "2"])
    assert r.exit_code == 0, r.output
    assert "inner 2 folds choose among 2 candidates (ideas: base)" in r.output
    assert "95% interval [" in r.output and "confusion summed over seeds" in r.output
    assert r.output.count("seed ") >= 2


SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "tipdm2020c"


def _tipdm(name: str) -> Path:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"../shared/data not present: {path}")
    return path


def test_weak_labels_cover_a_third_of_the_replies_and_the_hand_check_holds() -> None:
    from gridgov.classify.checks import weak_check

    check = weak_check(_tipdm("附件4_full_replies.csv"))
    assert check.sample == 80 and check.right + check.unsure + check.wrong == 80  # the table matches the check
    assert sum(check.labelled.values()) > 900 and check.right / check.sample >= 0.8


def test_second_level_hand_check_reads_every_sampled_row() -> None:
    from gridgov.classify.checks import second_level_check

    c = second_level_check(_tipdm("labeled_train.csv"))
    assert c.fits + c.no_fit == 60 and c.right <= c.proposed <= c.fits
