"""The rules and templates as data: `rules.csv` (event_type, audience, channel, template, at_once) and
`templates.json` (key → subject, body), shipped in `notify/data/` or read from `GRIDGOV_NOTIFY_RULES_DIR`.
Bad lines are refused with their line number; a rule naming an unknown event type simply never matches."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from gridgov.notify.domain import Audience, Channel, Rule, Template, TemplateError, check_template

SHIPPED = Path(__file__).parent / "data"


@dataclass(frozen=True, slots=True)
class RuleBook:
    rules: tuple[Rule, ...]
    templates: dict[str, Template]

    def for_event(self, event_type: str) -> list[Rule]:
        return [r for r in self.rules if r.event_type == event_type]

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(r.event_type for r in self.rules)


def load(directory: str | Path | None = None) -> RuleBook:
    base = Path(directory) if directory else SHIPPED
    raw = json.loads((base / "templates.json").read_text(encoding="utf-8"))
    templates: dict[str, Template] = {}
    for key, t in raw.items():
        template = Template(str(t.get("subject", "")), str(t["body"]))
        check_template(key, template)
        templates[key] = template
    rules: list[Rule] = []
    with (base / "rules.csv").open(encoding="utf-8", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            try:
                rule = Rule(
                    event_type=row["event_type"].strip(),
                    audience=Audience(row["audience"].strip()),
                    channel=Channel(row["channel"].strip()),
                    template=row["template"].strip(),
                    at_once=(row.get("at_once") or "").strip().lower() in {"yes", "true", "1", "是"},
                )
            except (KeyError, ValueError, AttributeError) as exc:
                raise TemplateError(f"rules.csv 第 {line} 行有误：{exc}") from None
            if rule.template not in templates:
                raise TemplateError(f"rules.csv 第 {line} 行：没有模板 {rule.template}")
            rules.append(rule)
    return RuleBook(tuple(rules), templates)
