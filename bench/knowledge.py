"""Knowledge-base search (gridgov.knowledge: character bigrams, BM25F, synonyms) at 20,000 articles, next to a
bare indexed lookup by id in the same run; and recall@5 of the labelled paraphrased questions
(bench/data/knowledge_questions.csv, 50 questions written for the demo's 41 articles).

    .venv/bin/python bench/knowledge.py                    # 20,000 articles, 500 searches, SQLite
    .venv/bin/python bench/knowledge.py --backend postgresql
    .venv/bin/python bench/knowledge.py --smoke            # 500 articles, 50 searches

A fresh database is migrated and given the small reference city; the demo's articles are imported and published
through the real import service, then generated articles (titles, variants and answers made of a public-service
vocabulary, so that they compete with the demo's on the same bigrams) up to --articles. Measured, each as
p50/p95 over --runs: a top-5 search as the API runs it (a new session, the index's freshness check, BM25, the
validity filter), the questions cycled; the baseline `SELECT id, title FROM knowledge_articles WHERE id = :id`
with random ids, each in a new session too. The first search of the process (the index built from the
database) is timed on its own. Recall@5 is measured twice: over the demo's 41 articles alone, and among the
generated distractors; the misses are printed.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gridgov.actor import Actor, Role  # noqa: E402
from gridgov.clock import SHANGHAI  # noqa: E402
from gridgov.knowledge.demo import seed_knowledge  # noqa: E402
from gridgov.knowledge.domain import ArticleDraft  # noqa: E402
from gridgov.knowledge.index import KnowledgeIndex  # noqa: E402
from gridgov.knowledge.repository import SqlKnowledgeUnitOfWork  # noqa: E402
from gridgov.knowledge.services import import_articles  # noqa: E402

from _common import add_smoke, apply_smoke, fresh_db, percentile, smoke_backend  # noqa: E402

GOAL_MS = 50.0
QUESTIONS = Path(__file__).resolve().parent / "data" / "knowledge_questions.csv"
ADMIN = Actor(user_id=None, role=Role.ADMIN, unit_id=None, name="bench")
# a public-service vocabulary: generated articles share bigrams with the demo's, as a real catalogue would
PLACES = [
    "社区",
    "街道",
    "小区",
    "学校",
    "医院",
    "车站",
    "公园",
    "菜市场",
    "停车场",
    "政务大厅",
    "派出所",
    "卫生站",
    "养老院",
    "幼儿园",
    "图书馆",
]
THINGS = [
    "证明",
    "补贴",
    "登记",
    "备案",
    "许可",
    "年检",
    "缴费",
    "退费",
    "预约",
    "变更",
    "注销",
    "补办",
    "查询",
    "审批",
    "认定",
    "申报",
    "核验",
    "续期",
    "转移",
    "提取",
]
SUBJECTS = [
    "残疾人",
    "退役军人",
    "老年人",
    "新市民",
    "个体户",
    "小微企业",
    "农民工",
    "学生",
    "困难家庭",
    "独生子女",
    "新就业形态劳动者",
    "外卖骑手",
    "网约车司机",
    "快递员",
    "房东",
    "租户",
    "物业",
    "业主",
    "家政",
    "养犬",
]


def generated(n: int, units: list[str], rng: random.Random) -> list[tuple[int, ArticleDraft]]:
    out = []
    for i in range(n):
        s, t, p = rng.choice(SUBJECTS), rng.choice(THINGS), rng.choice(PLACES)
        title = f"{s}{t}办理（{p}窗口第{i}号）"
        variants = (f"{s}怎么{t}", f"{s}{t}去哪里办", f"在{p}能不能{t}")
        answer = f"{s}办理{t}，可携带身份证件到{p}或通过政务服务平台申请，承诺时限{rng.randint(1, 20)}个工作日。"
        out.append((i + 2, ArticleDraft(title, answer, "综合", rng.choice(units), variants, "演示依据")))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=500)
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    add_smoke(ap)
    args = apply_smoke(ap, ap.parse_args(), articles=500, runs=50)
    kind, admin = smoke_backend() if args.smoke else (args.backend, None)
    with QUESTIONS.open(encoding="utf-8") as f:
        labelled = [(r["问题"], r["条目标题"]) for r in csv.DictReader(f)]
    with fresh_db(kind, **({"admin": admin} if admin else {})) as db:
        c = db.container
        now = datetime.now(UTC)
        today = now.astimezone(SHANGHAI).date()
        uow = lambda: SqlKnowledgeUnitOfWork(c.uow())  # noqa: E731
        with c.sessions() as s:
            units = [r[0] for r in s.execute(text("SELECT code FROM units WHERE kind = 'city_department'"))]
        demo = seed_knowledge(uow, lambda key: f"4101-{key}", now)

        def recall(index: KnowledgeIndex) -> tuple[float, list[str]]:
            misses = []
            for q, want in labelled:
                with c.sessions() as s:
                    titles = [h.title for h in index.suggest(s, q, today)]
                if want not in titles:
                    misses.append(f"{q} → {want} (得到: {'、'.join(titles[:3]) or '无'})")
            return 1 - len(misses) / len(labelled), misses

        small, small_misses = recall(KnowledgeIndex())
        rng = random.Random(17)
        extra = max(0, args.articles - demo)
        t0 = time.perf_counter()
        for start in range(0, extra, 2000):
            chunk = generated(min(2000, extra - start), units, rng)
            import_articles(uow(), chunk, ADMIN, now, publish=True)
        load_s = time.perf_counter() - t0
        index = KnowledgeIndex()
        t0 = time.perf_counter()
        with c.sessions() as s:
            index.refresh(s)
        build_s = time.perf_counter() - t0
        with c.sessions() as s:
            total = s.execute(text("SELECT count(*) FROM knowledge_articles")).scalar_one()
            top = s.execute(text("SELECT max(id) FROM knowledge_articles")).scalar_one()
        search_ms, lookup_ms = [], []
        for i in range(args.runs):
            q = labelled[i % len(labelled)][0]
            t0 = time.perf_counter()
            with c.sessions() as s:
                index.suggest(s, q, today)
            search_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            with c.sessions() as s:
                s.execute(
                    text("SELECT id, title FROM knowledge_articles WHERE id = :i"), {"i": rng.randint(1, top)}
                ).one()
            lookup_ms.append((time.perf_counter() - t0) * 1000)
        big, big_misses = recall(index)
    print(f"backend: {kind}; articles: {total:,} ({demo} demo + {total - demo:,} generated); runs: {args.runs}")
    print(f"import of the generated articles: {load_s:.1f} s; first search (index built): {build_s * 1000:,.0f} ms")
    print(
        f"top-5 search: p50 {percentile(search_ms, 50):.2f} ms, p95 {percentile(search_ms, 95):.2f} ms "
        f"(goal p95 ≤ {GOAL_MS:.0f} ms)"
    )
    print(f"baseline lookup by id: p50 {percentile(lookup_ms, 50):.2f} ms, p95 {percentile(lookup_ms, 95):.2f} ms")
    print(f"recall@5, {len(labelled)} paraphrased questions, demo articles only: {small:.2f}")
    print(f"recall@5, {len(labelled)} paraphrased questions, among {total:,} articles: {big:.2f}")
    for m in big_misses or small_misses:
        print(f"  miss: {m}")


if __name__ == "__main__":
    main()
