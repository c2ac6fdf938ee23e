"""A seeded generator of large synthetic catalogues in ctdc-tui's format.

    python -m tests.benchmarks.generate_catalogue OUT_DIR --resources 10000 [--seed 7]

Words follow a Zipf-like law: a civic-tech vocabulary of a few hundred words
makes up the frequent head and a few thousand made-up words the long tail.
Descriptions have 40 to 120 words, titles 3 to 9, with names, organisations,
tags, kinds and years drawn the same way. The same seed always writes the same
catalogue, so benchmark runs compare like with like.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path


def _words(text: str, sep: str | None = None) -> list[str]:
    return [w.strip() for w in text.split(sep) if w.strip()]


CIVIC_WORDS = _words("""
data city community residents government civic technology public local open neighborhood
program service services partnership partners collaborative engagement policy housing health
equity income low-income digital access analysis information people staff team project
projects research report guide toolkit framework practice practices network networks design
users user volunteers volunteer brigade impact collective backbone funding funders foundation
budget budgeting transparency accountability performance measurement indicators metrics
dashboard portal platform software tools tool infrastructure standards privacy security
sharing integrated systems system records school schools education workforce jobs hiring
talent training skills fellowship leadership capacity building trust outreach organizing
organizers advocacy campaign coalition council mayor mayors county state federal agency
agencies department departments nonprofit nonprofits philanthropy grant grants evaluation
assessment survey census maps mapping geographic spatial transit transportation streets safety
police justice courts eviction evictions affordable rent tenants homelessness shelter food
benefits snap enrollment application applications forms website websites mobile text messaging
accessibility language languages immigrants youth seniors families children parents
neighborhoods blocks parcels property vacant land development economic small business
businesses procurement contracts vendors innovation lab labs pilot pilots prototype testing
research-based evidence outcomes results goals strategy strategies plan plans planning
governance sustainability sustaining lessons learned case study studies examples example
stories story history methods method approach approaches model models playbook handbook
manual checklist worksheet template templates curriculum workshop workshops meeting meetings
events hackathon hackathons civic-tech open-data data-driven intermediary intermediaries
indicators-partnership cross-sector collaboration cooperation coordination alignment shared
measurement learning improvement quality resilience climate energy water environment parks
libraries library broadband internet inclusion divide adoption literacy
""")

FIRST_NAMES = _words("""Ana Ben Carla Deepa Eli Fatima Gus Hana Ivan Jia Kofi Lena Mateo Nia Omar Priya Quinn
Rosa Sam Tariq Uma Vera Wen Xavier Yara Zoe Amira Bruno Chen Dara Emeka Freya Gabriel Hugo Ines José
Kai Leila Marta Nadia Óscar Pedro Renée Sofía Tomás Ülla Viktor""")
LAST_NAMES = _words("""Abebe Baker Castillo Dubois Evans Fischer García Haddad Ito Johnson Kim López Müller
Nguyen Okafor Patel Quintero Rossi Schmidt Tanaka Usman Vargas Walker Xu Yilmaz Zhang Álvarez Björk
Cohen Dimitrov Eriksen Fontaine""")
ORG_HEADS = _words("""Center Institute Alliance Network Lab Partnership Coalition Council Foundation Office
Collaborative Project Initiative""")
ORG_TOPICS = _words("""Civic Data Neighborhood Innovation Open Government Urban Community Digital Equity
Public Service Housing Health Technology Policy Regional""")
KINDS = _words("guide report toolkit framework playbook article case-study assessment dataset video course")
CATEGORY_WORDS = _words(
    """Getting Started; Engaging Residents; Collective Action; Funding and Resourcing;
Sustaining the Work; Data Sharing; Privacy and Ethics; Digital Services; Open Data Portals;
Performance and Budgets; Housing and Land; Health and Human Services; Workforce and Talent;
Transportation and Streets; Public Safety and Justice; Education and Youth""",
    ";",
)

_SYLLABLES = _words("ka lo mi ne su ra ti po de va shi tor ban qua gel fin mor zet pla cru")


def _tail_words(rng: random.Random, count: int) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


@dataclass
class Vocabulary:
    words: list[str]
    cumulative: list[float]

    @classmethod
    def zipf(cls, words: list[str], exponent: float = 1.07) -> Vocabulary:
        weights = [1.0 / (rank**exponent) for rank in range(1, len(words) + 1)]
        return cls(words, list(itertools.accumulate(weights)))

    def draw(self, rng: random.Random, n: int) -> list[str]:
        total = self.cumulative[-1]
        return [self.words[bisect.bisect(self.cumulative, rng.random() * total)] for _ in range(n)]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=True)


def generate(out: Path, resources: int, seed: int = 7) -> Path:
    """Write a catalogue of ``resources`` resources into ``out`` and return it."""
    rng = random.Random(seed)
    vocab = Vocabulary.zipf(CIVIC_WORDS + _tail_words(rng, 6000))
    tag_vocab = Vocabulary.zipf([w for w in CIVIC_WORDS if len(w) > 3][:160])
    n_categories = min(len(CATEGORY_WORDS), max(3, resources // 500 + 3))
    categories = [c.strip() for c in CATEGORY_WORDS[:n_categories]]
    out.mkdir(parents=True, exist_ok=True)
    per_category: list[list[str]] = [[] for _ in categories]
    for n in range(resources):
        title_words = vocab.draw(rng, rng.randint(3, 9))
        title = " ".join(w.capitalize() if i == 0 else w for i, w in enumerate(title_words))
        description = " ".join(vocab.draw(rng, rng.randint(40, 120))).capitalize() + "."
        n_authors = rng.choice([0, 1, 1, 2, 3])
        authors = [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(n_authors)]
        orgs = [
            f"{rng.choice(ORG_TOPICS)} {rng.choice(ORG_TOPICS)} {rng.choice(ORG_HEADS)}"
            for _ in range(rng.choice([1, 1, 2]))
        ]
        tags = sorted(set(tag_vocab.draw(rng, rng.randint(2, 5))))
        rid = f"{slug(' '.join(title_words[:5]))[:48].strip('-')}-{n}"
        lines = [
            f"  - id: {rid}",
            f"    title: {_q(title)}",
            f"    authors: [{', '.join(_q(a) for a in authors)}]",
            f"    organizations: [{', '.join(_q(o) for o in orgs)}]",
            f"    year: {rng.randint(2005, 2024)}",
            f"    url: https://example.org/{rid}",
            f"    kind: {rng.choice(KINDS)}",
            f"    tags: [{', '.join(tags)}]",
            f"    description: {_q(description)}",
            "",
        ]
        per_category[int(rng.random() ** 1.3 * len(categories))].append("\n".join(lines))
    ids = []
    for name, entries in zip(categories, per_category, strict=True):
        cid = slug(name)
        ids.append(cid)
        body = [
            "category:",
            f"  id: {cid}",
            f"  name: {_q(name)}",
            f"  summary: {_q('Synthetic resources about ' + name.lower() + '.')}",
            "",
            "resources:" if entries else "resources: []",
            *entries,
        ]
        (out / f"{cid}.yaml").write_text("\n".join(body) + "\n", encoding="utf-8")
    meta = [
        f"title: {_q(f'Synthetic civic-tech catalogue ({resources} resources, seed {seed})')}",
        f"description: {_q('Generated by tests/benchmarks/generate_catalogue.py for benchmarks.')}",
        "publishers: [ctdc-tui benchmarks]",
        "year: 2026",
        "categories:",
        *(f"  - {cid}" for cid in ids),
    ]
    (out / "catalog.yaml").write_text("\n".join(meta) + "\n", encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.out, args.resources, args.seed)
    print(f"wrote {args.resources} resources to {args.out}")


if __name__ == "__main__":
    main()
