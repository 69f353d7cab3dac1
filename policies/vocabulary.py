"""The search vocabulary and its review by the centre (issue 12: "synonyms
and colloquial forms collected from the policy texts themselves and from
public sources, reviewed by the centre in the console").

Two layers:
- the shipped lists, policies/search/synonyms.txt, stopwords.txt and
  aspects.txt, each line with its source, reviewed with the code;
- entries proposed in the console (VocabularyEntry): a department or the
  centre proposes one with its source; the centre approves or rejects it.
  Approved entries join the shipped lists at once on the query side; the
  index's word segmentation takes up new words at the next
  `manage.py rebuild_search` (the character backbone finds them meanwhile).

Every change is a save of a VocabularyEntry, audited (core.signals).
"""

import re

from django.db import transaction
from django.utils import timezone

from accounts import policy
from core.errors import ServiceError

from .models import VocabularyEntry
from .search import segment

Kind, State = VocabularyEntry.Kind, VocabularyEntry.State
FILES = {Kind.SYNONYM: "synonyms.txt", Kind.STOPWORD: "stopwords.txt", Kind.ASPECT: "aspects.txt"}
WORD = re.compile(r"^[\w“”\"]{1,20}$")
MIN_SOURCE = 4


def _refuse(field, message):
    raise ServiceError(message, errors={field: [message]})


def _words(kind, text):
    """The words of `text`, checked: Chinese errors name the field and the rule."""
    words = list(dict.fromkeys((text or "").split()))
    if not words:
        _refuse("words", "词语：不能为空")
    bad = [w for w in words if not WORD.match(w)]
    if bad:
        _refuse("words", f"词语：「{bad[0]}」不合规则（每个词 1–20 个汉字、字母或数字，以空格分隔）")
    if kind == Kind.SYNONYM and len(words) < 2:
        _refuse("words", "词语：同义词组至少要有两个词")
    if len(" ".join(words)) > 400:
        _refuse("words", "词语：合计不能超过 400 个字符")
    return words


def propose(user, kind, words, source):
    """A new entry awaiting the centre's review."""
    if not policy.can(user, "policy.publish"):
        policy.require(user, "policy.edit")
    if kind not in Kind.values:
        _refuse("kind", "类别：只能是同义词组、查询停用词或方面词")
    words = _words(kind, words)
    source = (source or "").strip()
    if len(source) < MIN_SOURCE:
        _refuse("source", f"来源：必须写明出处（政策原文的文号和条款，或公开出处），至少 {MIN_SOURCE} 个字")
    if len(source) > 300:
        _refuse("source", "来源：不能超过 300 个字")
    text = " ".join(words)
    if VocabularyEntry.objects.filter(kind=kind, words=text).exclude(state=State.REJECTED).exists():
        _refuse("words", "词语：同样的条目已经提出过")
    return VocabularyEntry.objects.create(kind=kind, words=text, source=source, proposed_by=user)


@transaction.atomic
def review(user, entry, approve, note=""):
    """The centre approves or rejects a proposed entry."""
    policy.require(user, "policy.publish")
    entry = VocabularyEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.state != State.PROPOSED:
        _refuse("state", f"状态：该条目已{entry.get_state_display()}，不能再复核")
    if entry.proposed_by_id == user.pk:
        # A review is a second pair of eyes: the centre's own proposals go to another of its people.
        _refuse("state", "复核：不能复核自己提出的条目，须由政务服务中心另一位人员复核")
    note = (note or "").strip()
    if not approve and not note:
        _refuse("note", "复核意见：不采用时必须写明理由")
    if len(note) > 300:
        _refuse("note", "复核意见：不能超过 300 个字")
    entry.state = State.APPROVED if approve else State.REJECTED
    entry.note = note
    entry.reviewed_by = user
    entry.reviewed_at = timezone.now()
    entry.save()
    changed()
    return entry


_seen = [None]  # the version() this process's cached vocabulary was read at


def changed():
    """Drop the cached vocabulary of this process (others notice by version())."""
    from .search import ranker, understand

    for cached in (segment.synonyms, segment.segmenter, understand.stopwords, understand.aspects, ranker._groups):
        cached.cache_clear()
    _seen[0] = None


def refresh_if_stale():
    """Called by the ranking index now and then: approvals made by another
    process (or rolled back) reach this one's cached vocabulary."""
    now = version()
    if now is None:
        return
    if now != _seen[0] and (_seen[0] is not None or now[0]):
        changed()
    _seen[0] = now


def version():
    """What tells a process its cached vocabulary is stale."""
    try:
        qs = VocabularyEntry.objects.filter(state=State.APPROVED)
        return qs.count(), max(qs.values_list("reviewed_at", flat=True), default=None)
    except Exception:  # no database here (a test without one, a bare script): the shipped lists only
        return None


def approved(kind):
    """Lines of approved entries of `kind` (as the shipped files' lines)."""
    try:
        return list(
            VocabularyEntry.objects.filter(kind=kind, state=State.APPROVED)
            .order_by("pk")
            .values_list("words", flat=True)
        )
    except Exception:  # no database here: the shipped lists only
        return []


def shipped(kind):
    """(words, source) of the shipped file's lines."""
    out = []
    for line in (segment.HERE / FILES[kind]).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        words, _, source = line.partition("  #")
        out.append((words.strip(), source.strip()))
    return out
