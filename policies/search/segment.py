"""Chinese segmentation for the policy index and its queries.

rjieba (a Rust port of jieba) has no loader for a user dictionary file, so the
domain words in dictionary.txt are added one by one with `Jieba.add_word` on
a segmenter of our own (the module-level default stays untouched for other
apps). Index and query text go through the same segmenter, so a domain word
is one token on both sides.

Each run of CJK text is also indexed as its single characters and bigrams: a
one- or two-character query term ("税", "补贴") then matches inside longer
words ("增值税", "稳岗补贴"), and a longer term the segmenter split
differently still matches as all of its bigrams.
"""

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import rjieba

HERE = Path(__file__).resolve().parent
WORD = re.compile(r"\w+")
WORD_ONLY = re.compile(r"\w+").fullmatch
CJK = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")
CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
MAX_TERMS = 24
MAX_QUERY_CHARS = 200  # a query longer than this is cut (a pasted page is still searched by its start)
# Words that carry no topic in a question ("……怎么申请？", "多少钱").
STOPWORDS = set(
    """的 了 吗 呢 啊 吧 么 和 与 及 或 在 是 有 我 我们 你 您 公司 企业的 请问 怎么 怎样 如何 什么
哪些 哪个 哪里 多少 多少钱 钱 能 能否 可以 可否 是否 需要 要 想 问 一下 办 办理 到 给 对 为 这 那 个 吗？""".split()
)
# Words that say what a question wants to know rather than what it is about;
# dropped from consultation questions only (a search for 申报条件 keeps them).
QUESTION_WORDS = set(
    "申请 申报 申领 领取 享受 条件 标准 流程 手续 材料 政策 有 哪些 怎么样 具体 相关 补贴吗 奖励吗".split()
)


def _lines(name):
    """The lines of a vocabulary file, then the entries of its kind the
    centre approved in the console (policies.vocabulary)."""
    for line in (HERE / name).read_text(encoding="utf-8").splitlines():
        line = line.split("  #", 1)[0].strip()  # "  # source" ends a line
        if line and not line.startswith("#"):
            yield line
    from .. import vocabulary

    kind = {f: k for k, f in vocabulary.FILES.items()}.get(name)
    if kind:
        yield from vocabulary.approved(kind)


def normalise(text):
    """Full-width letters and digits to half-width, lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def squash(text):
    """Only the word characters of `text` (drops quotes, brackets, punctuation)."""
    return "".join(WORD.findall(normalise(text)))


@lru_cache(maxsize=1)
def dictionary():
    return [line.split()[0] for line in _lines("dictionary.txt")]


@lru_cache(maxsize=1)
def synonyms():
    """{word: (the group's words…)} with every word squashed to word characters."""
    table = {}
    for line in _lines("synonyms.txt"):
        group = tuple(dict.fromkeys(squash(w) for w in line.split() if squash(w)))
        for word in group:
            table[word] = tuple(dict.fromkeys(table.get(word, ()) + group))
    return table


@lru_cache(maxsize=1)
def segmenter():
    jieba = rjieba.Jieba()
    for word in dictionary():
        # A high frequency makes the domain word win over its parts.
        jieba.add_word(word, 200000, None)
    for word in synonyms():
        if not jieba.has_word(word):
            jieba.add_word(word, 200000, None)
    # Question phrases (有没有, 能不能) cut whole, so they fall away whole.
    for line in _lines("stopwords.txt"):
        for word in line.split():
            if len(word) > 1 and not jieba.has_word(word):
                jieba.add_word(word, 20000, None)
    return jieba


def words(text):
    """The words of `text`, normalised; punctuation, spaces and emoji dropped."""
    return _words(normalise(text))


def _words(text):
    out = []
    for w in segmenter().cut(text):
        if WORD_ONLY(w):
            out.append(w)
        elif len(w) > 1:
            out.extend(WORD.findall(w))  # "abc-123" stays one piece in jieba
    return out


def grams(run):
    """Single characters and overlapping bigrams of a CJK run (across word boundaries)."""
    if len(run) < 2:
        return []
    return list(run) + [run[i : i + 2] for i in range(len(run) - 1)]


def index_tokens(text):
    """The space-joined tokens stored for `text`: words, then characters and bigrams of its CJK runs."""
    text = normalise(text)
    out = _words(text)
    for run in CJK_RUN.findall(text):
        out.extend(grams(run))
    return " ".join(out)


def alternatives(word):
    """Ways a query word may match: as a token, or (CJK, three characters or more) as all its bigrams."""
    alts = [(word,)]
    if len(word) > 2 and CJK.match(word):
        alts.append(tuple(dict.fromkeys(word[i : i + 2] for i in range(len(word) - 1))))
    return alts


def query_terms(text, drop_stopwords=True, question=False):
    """The query's terms. Each term is a list of alternatives (the word and its
    synonyms, each a tuple of tokens that must all occur).

    Returns [] for a query with no word characters (only punctuation or emoji)."""
    text = normalise(text)[:MAX_QUERY_CHARS]
    terms, seen = [], set()
    for w in words(text):
        if (drop_stopwords and (w in STOPWORDS or (question and w in QUESTION_WORDS))) or w in seen:
            continue
        seen.add(w)
        alts = []
        for variant in synonyms().get(w, (w,)):
            alts.extend(a for a in alternatives(variant) if a not in alts)
        terms.append(alts)
    if not terms and drop_stopwords:
        return query_terms(text, drop_stopwords=False)
    return terms[:MAX_TERMS]


def plain_words(terms):
    """Every token the terms mention, for highlighting."""
    return sorted({w for alts in terms for alt in alts for w in alt}, key=len, reverse=True)
