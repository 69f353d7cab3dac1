"""What a query asks for, before any ranking.

- Traditional characters become simplified (OpenCC t2s), on the query side
  here and on the index side in policies.search.ranker, so 穩崗返還 is 稳岗返还.
- Question and function words (stopwords.txt) are set aside: they say how a
  person asks, not what about.
- A named city or county (成都、郫都区) becomes a region intent and leaves the
  text; the ranker boosts that region and the province and demotes other
  cities.
- Words go through the synonym groups (synonyms.txt), each group one term.
- A stretch the index has never seen is compared by sound (pypinyin, tones
  ignored, with the n/l and front/back nasal mergers of Sichuanese) against
  the titles' words, and offered as 「您是不是要找 …」.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from . import segment

CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
REGION_SUFFIX = re.compile(r"(市|区|县|自治州|自治县|州)$")


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text):
    """NFKC, lower case, traditional → simplified."""
    text = segment.normalise(text)
    return _converter().convert(text) if text else text


@lru_cache(maxsize=1)
def stopwords():
    out = set()
    for line in segment._lines("stopwords.txt"):
        out.update(line.split())
    return frozenset(out)


@lru_cache(maxsize=1)
def regions():
    """[(name as typed, region code)], longest first: full names (成都市,
    郫都区) and short ones (成都, 郫都) of every city and county."""
    from core.models import Level, Region

    out = {}
    for code, name, level in Region.objects.exclude(level=Level.PROVINCE).values_list("code", "name", "level"):
        names = {name}
        short = re.sub(r"(彝族|藏族|羌族|土家族|苗族|回族)+自治(州|县)$", "", name)
        short = REGION_SUFFIX.sub("", short)
        if len(short) >= 2:
            names.add(short)
        for n in names:
            # A city's short name wins over a county of the same short name.
            if n not in out or (level == Level.CITY):
                out[n] = code
    return sorted(out.items(), key=lambda kv: -len(kv[0]))


@lru_cache(maxsize=1)
def aspects():
    out = set()
    for line in segment._lines("aspects.txt"):
        out.update(line.split())
    return frozenset(out)


@dataclass
class Understood:
    raw: str
    text: str  # simplified, place names taken out
    words: list  # content words (stopwords dropped)
    runs: list  # runs of adjacent content words, joined (for bigrams)
    region: str = ""  # region code named in the query
    region_name: str = ""
    corrected: str = ""  # the query as corrected, when a correction was made
    corrections: list = field(default_factory=list)  # (typed, meant)
    tags: dict = field(default_factory=dict)  # word: jieba's part of speech


def take_region(text):
    for name, code in regions():
        if name in text:
            return text.replace(name, " ", 1), code, name
    return text, "", ""


def understand(raw, vocabulary=None):
    """The Understood query; `vocabulary` (ranker.Index) enables correction."""
    text = simplified(raw)[: segment.MAX_QUERY_CHARS]
    text, region, region_name = take_region(text)
    corrections = []
    if vocabulary is not None:
        text, corrections = correct(text, vocabulary)
    words, runs, current = [], [], []
    stops = stopwords()
    tags = {}
    for w, function, tag in tagged(text):
        tags[w] = tag
        if function or w in stops:
            if current:
                runs.append("".join(current))
            current = []
            continue
        words.append(w)
        current.append(w)
    if current:
        runs.append("".join(current))
    if not words:  # a query of nothing but function words is searched as typed
        words = list(segment._words(text))
        runs = ["".join(words)] if words else []
    corrected = ""
    if corrections:
        corrected = simplified(raw)
        for typed, meant in corrections:
            corrected = corrected.replace(typed, meant)
    return Understood(raw, text, words[: segment.MAX_TERMS], runs, region, region_name, corrected, corrections, tags)


# Parts of speech that are function words by kind (jieba's tag set, after the
# ICTCLAS one): numerals, measure words, adverbs, particles, prepositions,
# conjunctions, pronouns, modal particles, interjections. (Adverbs and
# locatives are left to stopwords.txt: jieba tags 高速 an adverb.)
FUNCTION_TAGS = {"m", "mq", "q", "u", "ud", "ug", "uj", "ul", "uv", "uz", "p", "c", "r", "y", "e", "o"}


def tagged(text):
    """(word, is a function word, jieba's tag) for the words of `text`;
    domain words and synonyms are never function words."""
    known = segment.synonyms()
    out = []
    for w, tag in segment.segmenter().tag(text):
        if not segment.WORD_ONLY(w):
            out.extend((p, False, "x") for p in segment.WORD.findall(w))
            continue
        cjk = CJK_RUN.fullmatch(w) is not None
        out.append((w, cjk and tag in FUNCTION_TAGS and w not in known, tag))
    return out


# --- sound-alike correction ---------------------------------------------------

# Sichuanese merges n/l and front/back nasals; a typist's ear does too.
_FUZZY = [
    (re.compile(r"^n"), "l"),
    (re.compile(r"ng$"), "n"),
    (re.compile(r"^zh"), "z"),
    (re.compile(r"^ch"), "c"),
    (re.compile(r"^sh"), "s"),
]


def sound(syllable):
    for pattern, repl in _FUZZY:
        syllable = pattern.sub(repl, syllable)
    return syllable


def sounds(text):
    from pypinyin import lazy_pinyin

    return tuple(sound(s) for s in lazy_pinyin(text, errors=lambda chars: ["?"] * len(chars)))


def _windows(run):
    """Stretches of a query run that may be typos: each content word of two to
    four characters, the pairs inside a longer one, and a single character
    with its neighbour (jieba cuts an unknown word into single characters)."""
    stops = stopwords()
    tokens, pos = [], 0
    for w in segment._words(run):
        tokens.append((pos, w))
        pos += len(w)
    for n, (start, w) in enumerate(tokens):
        if w in stops:
            continue
        if 2 <= len(w) <= 4:
            yield start, w
        if len(w) > 2:
            for i in range(len(w) - 1):
                yield start + i, w[i : i + 2]
        if len(w) == 1:
            if n and tokens[n - 1][1] not in stops:
                yield start - 1, run[start - 1 : start + 1]
            if n + 1 < len(tokens) and tokens[n + 1][1] not in stops:
                yield start, run[start : start + 2]


def correct(text, index):
    """Replace each stretch the index has never seen (one of its bigrams
    occurs nowhere) by a stretch of a title that sounds the same."""
    out, found = text, []
    for run in CJK_RUN.findall(text):
        keys = None  # the run's sounds, worked out only when a stretch is unknown
        taken = set()
        for start, window in _windows(run):
            if set(range(start, start + len(window))) & taken or index.known(window):
                continue
            keys = keys or sounds(run)
            meant = index.sounds_like(keys[start : start + len(window)], window)
            if meant:
                out = out.replace(window, meant, 1)
                found.append((window, meant))
                taken.update(range(start, start + len(window)))
    return out, found
