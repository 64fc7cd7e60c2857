"""Rows of a synthetic monitored population, built as PostgreSQL COPY text.

Households come in realistic proportions (mostly dibao, then dibao_edge, tekun,
expenditure_hardship and other_special; about 3.3 people each) with ages, disabilities, incomes
and rigid spending consistent with their category under the standard in force for their region,
each with its enrolment in ``category_changes``. A few percent are deliberately out of step
(income rose, spending stopped, a tekun person now has a pension, a severe illness was
re-assessed, or no category yet while qualifying) so the mismatch worklist has work.

ID numbers are valid and unique: the 6-digit place of birth, the birth date and a 3-digit
sequence whose last digit carries the sex. Each chunk of work owns a "lane" (the first two
digits of the sequence), so chunks built in parallel never collide; within a chunk a counter per
(place, birth date, sex) hands out the rest. They leave this module only encrypted, keyed-hashed
and masked.

Everything here runs in worker processes too: it imports no database code.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.devtools.identities import Identities
from app.devtools.plan import Chunk, ChunkRows, Context, RegionRules
from app.households.categories.vocabulary import CATEGORY_NAMES
from app.households.schemas import CAUSE_BITS, Cause
from app.kit.crypto import FieldCipher
from app.kit.timeutil import now, to_local
from app.standards.repository import StandardKind

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉红文辉鹏飞云龙志成德福淑珍凤琴"
    "海燕宇浩然子涵欣怡梓轩雨桐俊杰思远晓东春梅秋菊冬梅兴旺家乐天佑小川蓉蓓"
)
NULL = "\\N"
DISABILITY_TYPES = ("肢体", "视力", "听力", "言语", "智力", "精神", "多重")


# ---- building rows (runs in worker processes) -----------------------------------------------

_context: Context | None = None
_cipher: FieldCipher | None = None


def init_worker(ctx: Context | None) -> None:
    """Set once per process: the context and a cipher for the data key it names."""
    global _context, _cipher
    _context = ctx
    _cipher = FieldCipher(ctx.data_key, ctx.old_keys) if ctx else None


def _yuan(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


@dataclass
class _Person:
    relation: str
    born: date
    male: bool
    work: str = "full"  # full | partial | none
    grade: int | None = None
    severe_illness: bool = False
    chronic: bool = False
    employment: str = ""
    income: int = 0  # cents
    source: str = "wage"

    @property
    def severe(self) -> bool:
        return self.grade in (1, 2) or self.severe_illness


class _Builder:
    def __init__(self, ctx: Context, chunk: Chunk, cipher: FieldCipher) -> None:
        self.ctx = ctx
        self.chunk = chunk
        self.rng = random.Random(chunk.seed)
        self.cipher = cipher
        self.ids = Identities(chunk.lane, self.rng, ctx.existing_hashes, cipher.keyed_hash)
        self.on = ctx.on
        self.on_ordinal = ctx.on.toordinal()
        self.year = to_local(now()).year
        self.households: list[str] = []
        self.members: list[str] = []
        self.changes: list[str] = []
        self.rand = self.rng.random
        # The dibao standard and edge threshold (cents) in force on ``on``, per region.
        self.lines: dict[str, tuple[int, int]] = {}
        for region in ctx.regions:
            s = region.at(StandardKind.dibao, ctx.on) or 87000
            m = region.at(StandardKind.edge_multiplier, ctx.on) or 15000
            self.lines[region.code] = (s, (s * m + 5000) // 10000)
        self.cause_json: dict[tuple[str, ...], str] = {}

    def between(self, low: int, high: int) -> int:
        """Like ``randint`` (inclusive), at a fraction of its cost."""
        return low + int(self.rand() * (high - low + 1))

    def pick(self, options: Sequence[Any]) -> Any:
        return options[int(self.rand() * len(options))]

    # -- people --

    def born_aged(self, low: int, high: int) -> date:
        """A birth date for someone aged ``low`` to ``high`` (inclusive) on ``on``."""
        days = self.between(low * 366 + 1, (high + 1) * 365 - 2)
        return date.fromordinal(self.on_ordinal - days)

    def adult(self, relation: str, low: int = 25, high: int = 59) -> _Person:
        person = _Person(relation, self.born_aged(low, high), self.rand() < 0.5)
        roll = self.rand()
        person.work = "full" if roll < 0.72 else ("partial" if roll < 0.9 else "none")
        person.employment = {"full": "务工", "partial": "灵活就业", "none": "无"}[person.work]
        if self.rand() < 0.06:
            person.grade = self.pick((3, 4, 3, 4, 2))
        person.chronic = self.rand() < 0.15
        return person

    def elder(self, relation: str, low: int = 61, high: int = 92) -> _Person:
        person = _Person(relation, self.born_aged(low, high), self.rand() < 0.45)
        person.work = "none" if self.rand() < 0.7 else "partial"
        person.employment = "退休" if self.rand() < 0.3 else "无"
        person.source = "pension"
        person.chronic = self.rand() < 0.4
        if self.rand() < 0.08:
            person.grade = self.pick((2, 3, 4))
        return person

    def child(self, parent_born: date) -> _Person:
        parent_age = (self.on - parent_born).days // 366
        high = max(0, min(22, parent_age - 20))
        person = _Person("child", self.born_aged(0, high), self.rand() < 0.52, work="none")
        age = (self.on - person.born).days // 366
        person.employment = "在校" if age >= 6 else ""
        if age >= 18:
            person.work = "partial"
        if self.rand() < 0.03:
            person.grade = self.pick((1, 2, 3, 4))
        return person

    def family(self, size: int) -> list[_Person]:
        head = self.adult("head", 28, 62)
        people = [head]
        if size >= 2:
            people.append(
                self.adult("spouse", 26, 62) if self.rand() < 0.85 else self.elder("parent")
            )
        parents = sum(1 for p in people if p.relation == "parent")
        while len(people) < size:
            if parents < 2 and self.rand() < 0.25:
                people.append(self.elder("parent"))
                parents += 1
            else:
                people.append(self.child(head.born))
        if not any(p.work != "none" for p in people):
            head.work, head.employment = "partial", "灵活就业"
        return people

    # -- money --

    def share_income(self, people: list[_Person], total: int) -> None:
        """Split ``total`` cents among those who can earn (or receive a pension)."""
        earners = [p for p in people if p.work != "none" or p.source == "pension"]
        if not earners:
            earners = people[:1]
        weights = [3.0 if p.work == "full" else 1.0 for p in earners]
        scale = sum(weights)
        given = 0
        for person, weight in zip(earners[:-1], weights[:-1], strict=True):
            share = int(total * weight / scale)
            person.income = share
            given += share
        earners[-1].income = total - given

    # -- households --

    def household(
        self, region: RegionRules, category: str | None, size: int, mismatched: bool
    ) -> tuple[list[_Person], str | None, int, int, str]:
        """Members, final category, medical and education spending (cents) and a note."""
        s, e = self.lines[region.code]
        medical = education = 0
        note = ""
        if category == "tekun":
            people = self.tekun(size)
            if mismatched:  # a pension was granted since
                people[0].income = self.between(s // 2, 2 * s)
                people[0].source = "pension"
                note = "out_of_step"
            return people, category, 0, 0, note
        if category == "other_special":
            people = self.family(size) if size > 1 else [self.adult("head", 30, 59)]
            severe = people[-1] if size > 1 else people[0]
            if self.rand() < 0.6:
                severe.grade = self.pick((1, 2))
            else:
                severe.severe_illness = True
            severe.work, severe.employment = "none", "无"
            others = [p for p in people if p is not severe]
            if others:
                if not any(p.work != "none" for p in others):
                    others[0].work = "partial"
                self.share_income(others, self.between(e * size, int(2.5 * s) * size))
            severe.income = self.between(0, s // 2) if self.rand() < 0.4 else 0
            severe.source = "transfer"
            if mismatched:  # no longer severely disabled or ill (re-assessed)
                for person in people:
                    if person.severe:
                        person.grade, person.severe_illness = 3, False
                note = "out_of_step"
            return people, category, 0, 0, note

        people = self.family(size)
        for person in people:  # the single-person rule is for other_special households
            if person.severe:
                person.grade, person.severe_illness = 3, False
        if category == "dibao":
            per_head = self.between(int(0.25 * s), s - 1)
            if mismatched:
                per_head = self.between(int(1.05 * s), 3 * s)
        elif category == "dibao_edge":
            per_head = self.between(s + 1, e - 1)
            if mismatched:
                per_head = self.pick(
                    (self.between(int(0.4 * s), s - 1), self.between(e + 1, 3 * s))
                )
        else:  # expenditure_hardship
            per_head = self.between(s + 1, int(2.2 * s))
            if not mismatched:
                after = self.between(int(0.4 * s), s - 1)
                spending = per_head * size - after * size
                has_student = any(p.relation == "child" and p.employment == "在校" for p in people)
                education = int(spending * (0.2 + 0.3 * self.rand())) if has_student else 0
                medical = spending - education
            else:
                per_head = self.between(e + 1, 3 * s)
        if mismatched:
            note = "out_of_step"
            if category == "dibao" and self.rand() < 0.3:
                # Never categorised, and qualifies now: should be moved in.
                category, per_head, note = None, self.between(int(0.3 * s), s - 1), "unassigned"
        self.share_income(people, per_head * size)
        return people, category, medical, education, note

    def tekun(self, size: int) -> list[_Person]:
        roll = self.rand()
        if size == 1 and roll < 0.05:
            person = _Person("head", self.born_aged(6, 14), self.rand() < 0.5, employment="在校")
        elif size == 1 and roll < 0.15:
            person = self.adult("head", 30, 59)
            person.grade = self.pick((1, 2))
        else:
            person = self.elder("head", 61, 95)
        person.work, person.income, person.severe_illness = "none", 0, False
        if person.employment not in ("在校",):
            person.employment = "无"
        people = [person]
        if size == 2:
            spouse = self.elder("spouse", 61, 95)
            spouse.work = "none"
            people.append(spouse)
        for p in people:
            p.income = 0
            p.source = "transfer"
        return people

    # -- output --

    def name(self) -> str:
        given = self.pick(GIVEN) if self.rand() < 0.3 else self.pick(GIVEN) + self.pick(GIVEN)
        return self.pick(SURNAMES) + given

    def build(self) -> ChunkRows:
        chunk = self.chunk
        ctx = self.ctx
        created = ctx.created_at
        cipher = self.cipher
        encrypt, keyed_hash = cipher.encrypt, cipher.keyed_hash
        member_id = chunk.first_member_id
        change_id = chunk.first_change_id
        earliest = date(2019, 1, 1).toordinal()
        since_high = self.on_ordinal - 30
        people_count = 0
        for offset, (category, size, mismatched) in enumerate(chunk.households):
            household_id = chunk.first_household_id + offset
            region = ctx.regions[int(self.rand() * len(ctx.regions))]
            people, final, medical, education, _note = self.household(
                region, category, size, mismatched
            )
            head_name = head_masked = ""
            total = 0
            severe = False
            for person in people:
                name = self.name()
                number = self.ids.make(person.born, person.male)
                masked = f"{number[:6]}********{number[-4:]}"
                if person.relation == "head":
                    head_name, head_masked = name, masked
                total += person.income
                severe = severe or person.severe
                income = _yuan(person.income)
                sources = f'{{"{person.source}": "{income}"}}' if person.income else "{}"
                self.members.append(
                    f"{member_id}\t{household_id}\t{name}\t{encrypt(number)}\t"
                    f"{keyed_hash(number)}\t{masked}\t{person.born.isoformat()}\t"
                    f"{'male' if person.male else 'female'}\t{person.relation}\t"
                    f"{DISABILITY_TYPES[int(self.rand() * 7)] if person.grade else NULL}\t"
                    f"{person.grade or NULL}\t{'t' if person.severe_illness else 'f'}\t"
                    f"{'t' if person.chronic else 'f'}\t{person.work}\t{person.employment}\t"
                    f"{income}\t{sources}\tt\t{created}\t{created}\n"
                )
                member_id += 1
            people_count += len(people)
            causes = self.causes(final or "dibao", people, medical, education)
            key = tuple(causes)
            causes_json = self.cause_json.get(key)
            if causes_json is None:
                causes_json = self.cause_json[key] = json.dumps(causes)
            mask = sum(CAUSE_BITS[Cause(c)] for c in causes)
            risk = self.risk(final)
            first = region.first(StandardKind.dibao)
            since_low = max(earliest, first.toordinal() if first else earliest)
            since = (
                date.fromordinal(self.between(since_low, max(since_low, since_high)))
                if final
                else None
            )
            self.households.append(
                f"{household_id}\t{ctx.reference_prefix}H{self.year}-"
                f"{chunk.first_reference + offset:06d}\t{region.code}\t"
                f"{region.name}{self.between(1, 12)}组{self.between(1, 180)}号\tactive\t"
                f"{final or NULL}\t{since.isoformat() if since else NULL}\t{risk}\t\t"
                f"{causes_json}\t{mask}\t{_yuan(medical)}\t{_yuan(education)}\t"
                f"{len(people)}\t{_yuan(total)}\t{head_name}\t{head_masked}\t"
                f"{'t' if severe else 'f'}\t1\t{created}\t{created}\n"
            )
            if final and since:
                amount, standard = self.decision(final, region, since, people, total)
                self.changes.append(
                    f"{change_id}\t{household_id}\tenrol\t{final}\t{since.isoformat()}\t"
                    f"批量生成：认定为{CATEGORY_NAMES.get(final, final)}\t"
                    f"{NULL if amount is None else _yuan(amount)}\t"
                    f"{NULL if standard is None else _yuan(standard)}\t{created}\t{created}\n"
                )
                change_id += 1
        return ChunkRows(
            "".join(self.households), "".join(self.members), "".join(self.changes), people_count
        )

    def causes(
        self, category: str, people: list[_Person], medical: int, education: int
    ) -> list[str]:
        found = []
        if medical or any(p.chronic or p.severe_illness for p in people):
            found.append("illness")
        if any(p.grade for p in people):
            found.append("disability")
        if education:
            found.append("education")
        if category == "tekun" or all(p.work == "none" for p in people):
            found.append("lack_of_labour")
        if any(p.source == "pension" or p.relation == "parent" for p in people) and (
            category == "tekun" or self.rand() < 0.3
        ):
            found.append("old_age")
        if not found or self.rand() < 0.2:
            found.append(self.pick(("unemployment", "accident", "other", "unemployment")))
        return found

    def risk(self, category: str | None) -> str:
        roll = self.rand()
        if category in ("tekun", "other_special"):
            return "high" if roll < 0.35 else ("medium" if roll < 0.8 else "low")
        return "high" if roll < 0.1 else ("medium" if roll < 0.4 else "low")

    def decision(
        self, category: str, region: RegionRules, since: date, people: list[_Person], total: int
    ) -> tuple[int | None, int | None]:
        """Monthly amount and the standard it was decided under (tekun's own, else dibao)."""
        dibao = region.at(StandardKind.dibao, since)
        if category == "tekun":
            tekun = region.at(StandardKind.tekun, since) or dibao
            return tekun, tekun
        if dibao is None:
            return None, None
        if category == "dibao":
            return max(0, dibao * len(people) - total), dibao
        if category == "other_special":
            severe = next((p for p in people if p.severe), people[0])
            return max(0, dibao - severe.income), dibao
        return None, dibao


def build_chunk(chunk: Chunk) -> ChunkRows:
    """Every row of one chunk, as COPY text, in a process set up by :func:`init_worker`."""
    assert _context is not None and _cipher is not None
    return _Builder(_context, chunk, _cipher).build()


def build_chunk_bytes(chunk: Chunk) -> tuple[bytes, bytes, bytes, int]:
    """:func:`build_chunk` encoded for the trip back from a worker process."""
    rows = build_chunk(chunk)
    return rows.households.encode(), rows.members.encode(), rows.changes.encode(), rows.people
