"""Second-level 12345 proposals: only codes the first level can stand for, a share as confidence, none without
a keyword hit; the classify endpoint's helper is built from the shipped taxonomy."""

from __future__ import annotations

from gridgov.classify.second_level import COMPATIBLE, PHRASES, SecondLevel


def test_a_property_complaint_under_urban_construction_is_property_service() -> None:
    p = SecondLevel.from_taxonomy().propose("小区物业乱收费\n小区物业公司乱收物业费", "H01")
    assert p is not None and p.code == "H0901" and p.name == "物业服务" and 0 < p.confidence <= 1


def test_candidates_are_limited_to_what_the_first_level_can_stand_for() -> None:
    sl = SecondLevel.from_taxonomy()
    assert {c[:3] for c in sl.candidates("H01")} == set(COMPATIBLE["H01"])
    assert {c[:3] for c in sl.candidates("H07")} == {"H07"}
    p = sl.propose("医院乱收费，医生态度差", "H04")  # nothing of 教育文体 in it
    assert p is None or p.code.startswith("H04")


def test_no_keyword_no_proposal() -> None:
    assert SecondLevel.from_taxonomy().propose("zzz", "H03") is None


def test_confidence_is_the_winners_share() -> None:
    sl = SecondLevel({"H0301": ["公交"], "H0302": ["出租车"]}, {"H0301": "公交运营", "H0302": "出租车服务"})
    p = sl.propose("公交 公交 公交 出租车", "H03")
    assert p is not None and (p.code, p.confidence) == ("H0301", 0.75)


def test_every_phrase_code_is_a_second_level_code_of_a_compatible_parent() -> None:
    parents = {p for ps in COMPATIBLE.values() for p in ps}
    assert all(len(code) == 5 and code[:3] in parents for code in PHRASES)


def test_the_pair_prefilter_counts_exactly_what_counting_every_keyword_counts() -> None:
    from gridgov.classify import text as textmod

    sl = SecondLevel.from_taxonomy()
    texts = [
        "小区物业乱收费\n小区物业公司乱收物业费，电梯维保不到位，电梯经常停",
        "公交公交车站台 120 急救车 停车位停车场",
        "拖欠工资讨薪\n农民工拖欠工资拖欠工程款",
        "",
        "a",
    ]
    for text in texts:
        norm = textmod.normalise(text)
        title = norm.split("\n", 1)[0] if "\n" in text else ""
        for first in COMPATIBLE:
            naive = {
                code: float(sum(norm.count(k) + title.count(k) for k in sl.keywords[code]))
                for code in sl.candidates(first)
            }
            assert sl.scores(text, first) == naive
