"""Allergy matching: what a free-text allergy names (ingredient, brand, class) and which agents given it meets.

Normalisation (``words``), applied alike to the recorded allergy and to every name in resources/allergy_names.json:
Unicode compatibility decomposition with accents dropped, case folded, "ae"/"æ" read as "e" (anaesthetic =
anesthetic), every run of characters other than a-z and 0-9 read as one space (so ®, ™, hyphens, slashes and
brackets separate words), and a final plural "s" dropped from words longer than three letters unless they end in
"ss", "us" or "is" (anaesthetics = anaesthetic, toxins = toxin). A name matches when its words occur as consecutive
whole words of the allergy ("Marcaine®", "bupivacaine (Marcaine)"), or when the allergy writes a several-word name as
one word ("DepoMedrol"). Where names overlap, the longest wins: "ester local anaesthetic" names the ester class, not
the local anaesthetic class above it. An allergy that names nothing known is unmatched, for a person to check; so is
each item of a list typed as one allergy ("Marcaine; Solu-Medrol", items split at ; , / + & "and" and line breaks)
whose words no known name covers, so a recognised item never hides an unrecognised one beside it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

Confidence = Literal["C", "S", "U"]
How = Literal["ingredient", "brand", "class", "same_class", "other_class"]

# The ways an allergy can meet an agent, strongest first. The first three are matches; "same_class" (another agent
# of the agent's class, where the reference does not say one implies the other) is for a person to check;
# "other_class" (a sibling class, e.g. ester for an amide) is stated, not matched.
HOW_ORDER: tuple[How, ...] = ("ingredient", "brand", "class", "same_class", "other_class")
MATCHED: frozenset[How] = frozenset(("ingredient", "brand", "class"))

_NOT_WORD = re.compile(r"[^0-9a-z]+")
# Where one recorded allergy lists several: each item must name something known or be shown for a person to check.
_ITEM_SEPARATOR = re.compile(r"[;,/+&\n\r]+|\s+and\s+", re.IGNORECASE)


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> tuple[str, ...]:
    """The words of ``text`` as allergy matching compares them (see the module docstring)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = plain.replace("æ", "e").replace("ae", "e")
    return tuple(_singular(w) for w in _NOT_WORD.split(plain) if w)


class _Entry(BaseModel):
    # extra="forbid": a misspelt field in a clinic's edited copy ("brand" for "brands") must not drop its names.
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_blank(cls, v: object) -> object:
        texts = v if isinstance(v, tuple) else (v,)
        for text in texts:
            if isinstance(text, str) and not words(text):
                raise ValueError(f"{text!r} has no letters or digits to match")
        return v


class AllergyClass(_Entry):
    """A drug class an allergy may name, with the class above it (amide local anaesthetic < local anaesthetic)."""

    key: str
    name: str
    parent: str | None = None
    # The drugs.json class ("local_anesthetic", "corticosteroid", "contrast") this class is; a subclass inherits it.
    drug_class: str | None = None
    aliases: tuple[str, ...] = ()
    # An allergy to any product of the class is an allergy to each (botulinum toxins, S37).
    any_product_matches_all: bool = False
    note: str | None = None
    source: str = Field(min_length=1)
    confidence: Confidence


class AllergyAgent(_Entry):
    """One agent's ingredient name, other names, US brand names and class."""

    key: str
    ingredient: str
    aliases: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    class_key: str = Field(alias="class")
    note: str | None = None
    source: str = Field(min_length=1)
    confidence: Confidence


@dataclass(frozen=True)
class Named:
    """One thing an allergy names: an agent by ingredient or brand (``label``: the catalogue's spelling), or a class."""

    kind: Literal["ingredient", "brand", "class"]
    label: str
    cls: AllergyClass
    agent: AllergyAgent | None = None


@dataclass(frozen=True)
class GivenAgent:
    """An agent given in the procedure: its catalogue key (None: given but not recorded), name and drugs.json class."""

    key: str | None
    name: str
    drug_class: str | None = None


@dataclass(frozen=True)
class AgentMatch:
    """How one recorded allergy meets one agent given; ``via`` is the class linking them, if a class does."""

    agent: GivenAgent
    how: How
    named: Named
    via: AllergyClass | None = None

    @property
    def matched(self) -> bool:
        return self.how in MATCHED


@dataclass(frozen=True)
class AllergyResult:
    """What one recorded allergy names and, per agent given, the strongest way it meets that agent; ``unnamed``:
    the items of a recognised list that name nothing known (see the module docstring)."""

    allergy: str
    named: tuple[Named, ...]
    matches: tuple[AgentMatch, ...]
    unnamed: tuple[str, ...] = ()

    @property
    def recognised(self) -> bool:
        return bool(self.named)

    def of(self, *how: How) -> tuple[AgentMatch, ...]:
        return tuple(m for m in self.matches if m.how in how)


class AllergyNames(BaseModel):
    """Brand names and classes of resources/allergy_names.json, checked for consistency when loaded."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    classes: tuple[AllergyClass, ...] = ()
    agents: tuple[AllergyAgent, ...] = ()
    # Record wordings that state the patient has no known allergy ("NKDA"): matched as a whole entry, never a part.
    none_known: tuple[str, ...] = ()
    # normalised words of a name -> what it names; and the same names written as one word.
    _index: dict[tuple[str, ...], Named] = PrivateAttr(default_factory=dict)
    _compact: dict[str, tuple[str, ...]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> AllergyNames:
        problems: list[str] = []
        class_keys = [c.key for c in self.classes]
        agent_keys = [a.key for a in self.agents]
        for kind, keys in (("class", class_keys), ("agent", agent_keys)):
            twice = sorted({k for k in keys if keys.count(k) > 1})
            if twice:
                problems.append(f"{kind} key(s) listed twice: {', '.join(twice)}")
        known = set(class_keys)
        for c in self.classes:
            if c.parent is not None and c.parent not in known:
                problems.append(f"class {c.key!r}: parent {c.parent!r} is not a class")
        for a in self.agents:
            if a.class_key not in known:
                problems.append(f"agent {a.key!r}: class {a.class_key!r} is not a class")
        if not problems:
            for c in self.classes:
                if len(self._chain(c)) > len(self.classes):
                    problems.append(f"class {c.key!r}: its parents form a loop")
                    break
        if not problems:
            problems += self._build_index()
        for text in self.none_known:
            if not words(text):
                problems.append(f"none_known wording {text!r} has no letters or digits")
            elif self.names(text):
                problems.append(f"none_known wording {text!r} names a drug or class")
        if problems:
            raise ValueError("resources/allergy_names.json: " + "; ".join(problems))
        return self

    def _build_index(self) -> list[str]:
        problems: list[str] = []
        by_key = {c.key: c for c in self.classes}

        def add(text: str, named: Named) -> None:
            key = words(text)
            held = self._index.get(key)
            if held is None:
                self._index[key] = named
                self._compact.setdefault("".join(key), key)
            elif (held.kind, held.cls.key, held.agent and held.agent.key) != (
                named.kind,
                named.cls.key,
                named.agent and named.agent.key,
            ):
                problems.append(f"{text!r} names both {_what(held)} and {_what(named)}")

        for c in self.classes:
            for text in (c.name, *c.aliases):
                add(text, Named("class", c.name, c))
        for a in self.agents:
            cls = by_key[a.class_key]
            for text in (a.ingredient, *a.aliases):
                add(text, Named("ingredient", a.ingredient, cls, a))
            for brand in a.brands:
                add(brand, Named("brand", brand, cls, a))
        return problems

    def _chain(self, cls: AllergyClass | None) -> list[AllergyClass]:
        """The class and the classes above it, nearest first (stops at a loop's second lap)."""
        by_key = {c.key: c for c in self.classes}
        out: list[AllergyClass] = []
        while cls is not None and len(out) <= len(self.classes):
            out.append(cls)
            cls = by_key.get(cls.parent) if cls.parent else None
        return out

    def agent(self, key: str) -> AllergyAgent | None:
        return next((a for a in self.agents if a.key == key), None)

    def says_none_known(self, allergy: str) -> bool:
        """Whether the whole entry states no known allergy ("NKDA", "N.K.D.A.", "none"), in a wording of
        ``none_known`` (compared as one run of letters, so dots and spaces do not matter)."""
        text = "".join(words(allergy))
        return bool(text) and any("".join(words(w)) == text for w in self.none_known)

    def drug_class_of(self, cls: AllergyClass) -> str | None:
        return next((c.drug_class for c in self._chain(cls) if c.drug_class), None)

    def class_of(self, given: GivenAgent) -> AllergyClass | None:
        """The agent's class: its own entry's, else the most general class of its drugs.json class."""
        entry = self.agent(given.key) if given.key else None
        if entry is not None:
            return next(c for c in self.classes if c.key == entry.class_key)
        if given.drug_class is None:
            return None
        return next((c for c in self.classes if c.drug_class == given.drug_class), None)

    def check_catalogue(self, agents: Mapping[str, str], products: Iterable[str]) -> None:
        """Every catalogue agent (drugs.json key -> class) and toxin product has an entry of a consistent class."""
        problems: list[str] = []
        for key, drug_class in agents.items():
            entry = self.agent(key)
            if entry is None:
                problems.append(f"drugs.json agent {key!r} has no entry")
                continue
            cls = next(c for c in self.classes if c.key == entry.class_key)
            if self.drug_class_of(cls) != drug_class:
                problems.append(f"agent {key!r} is {drug_class!r} in drugs.json but its class is {cls.name!r}")
        for key in products:
            if self.agent(key) is None:
                problems.append(f"botulinum toxin product {key!r} has no entry")
        if problems:
            raise ValueError("resources/allergy_names.json: " + "; ".join(problems))

    def names(self, allergy: str) -> tuple[Named, ...]:
        """What the allergy names; where names overlap, only the longest (see the module docstring)."""
        out: list[Named] = []
        for _, _, named in self._spans(words(allergy)):
            if named not in out:
                out.append(named)
        return tuple(out)

    def _spans(self, text: tuple[str, ...]) -> list[tuple[int, int, Named]]:
        """Where in ``text`` (its words) each known name occurs, overlapped ones dropped, in order."""
        spans: list[tuple[int, int, Named]] = []
        for i in range(len(text)):
            compact = self._compact.get(text[i])
            if compact is not None and len(compact) > 1:
                spans.append((i, i + 1, self._index[compact]))
            for key, named in self._index.items():
                if text[i : i + len(key)] == key:
                    spans.append((i, i + len(key), named))
        kept = [s for s in spans if not any(o[0] <= s[0] and s[1] <= o[1] and o[1] - o[0] > s[1] - s[0] for o in spans)]
        return sorted(kept, key=lambda s: (s[0], s[1]))

    def _unnamed_items(self, allergy: str, own_keys: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
        """The items of a listed allergy none of whose words a known name (or an unlisted agent's key) covers."""
        items = [(raw.strip(), words(raw)) for raw in _ITEM_SEPARATOR.split(allergy)]
        items = [(raw, ws) for raw, ws in items if ws]
        if len(items) < 2:
            return ()
        text = tuple(w for _, ws in items for w in ws)
        covered = {i for start, end, _ in self._spans(text) for i in range(start, end)}
        for own in own_keys:
            covered |= {i + k for i in range(len(text)) if text[i : i + len(own)] == own for k in range(len(own))}
        out: list[str] = []
        start = 0
        for raw, ws in items:
            if not covered & set(range(start, start + len(ws))):
                out.append(raw)
            start += len(ws)
        return tuple(out)

    def _relation(self, named: Named, given: GivenAgent) -> AgentMatch | None:
        mine = self._chain(self.class_of(given))
        theirs = self._chain(named.cls)
        if named.agent is not None and given.key is not None and named.agent.key == given.key:
            return AgentMatch(given, named.kind, named)
        if named.kind == "class" and named.cls in mine:
            return AgentMatch(given, "class", named, named.cls)
        shared = [c for c in theirs if c in mine]
        if not shared:
            return None
        linking = next((c for c in shared if c.any_product_matches_all), None)
        if linking is not None:
            return AgentMatch(given, "class", named, linking)
        if given.key is None and mine and mine[0] in theirs:
            # Given but not recorded (e.g. contrast without its agent): it may be the very agent the allergy names.
            return AgentMatch(given, "class", named, mine[0])
        if named.agent is not None and mine and named.cls == mine[0]:
            return AgentMatch(given, "same_class", named, mine[0])
        return AgentMatch(given, "other_class", named, named.cls)

    def match(self, allergy: str, given: Sequence[GivenAgent]) -> AllergyResult:
        """How ``allergy`` meets each agent given (the strongest way per agent); agents it does not meet are omitted."""
        named = self.names(allergy)
        text = words(allergy)
        unlisted: list[Named] = []
        matches: list[AgentMatch] = []
        own_keys: list[tuple[str, ...]] = []
        for agent in given:
            found = [m for n in named if (m := self._relation(n, agent)) is not None]
            if agent.key is not None and self.agent(agent.key) is None:
                # An agent without an entry (older resources/) is still matched by its own key as ingredient.
                own = words(agent.key.replace("_", " "))
                own_keys.append(own)
                if own and any(text[i : i + len(own)] == own for i in range(len(text))):
                    cls = AllergyClass(key=agent.key, name=agent.name, source="drugs.json", confidence="S")
                    unlisted.append(Named("ingredient", agent.name, cls))
                    found.append(AgentMatch(agent, "ingredient", unlisted[-1]))
            if found:
                matches.append(min(found, key=lambda m: HOW_ORDER.index(m.how)))
        all_named = (*named, *unlisted)
        unnamed = self._unnamed_items(allergy, own_keys) if all_named else ()
        return AllergyResult(allergy, all_named, tuple(matches), unnamed)


def _what(named: Named) -> str:
    if named.agent is not None:
        return f"{named.agent.key} ({named.kind})"
    return f"the class {named.cls.key}"
