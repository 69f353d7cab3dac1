"""Search over the policy library: segmentation, filters, highlighting,
suggestions and odd input, on whichever database the suite runs on."""

import pytest
from django.http import QueryDict

from policies import search
from policies.models import BenefitItem, PolicyDocument, SearchEntry, Status
from policies.search import SearchFilters, samples, segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db):
    return samples.load_samples()


def titles(results):
    """Titles a person sees: each result's entry and the document it hangs under."""
    return [t for h in results.hits for t in ([h.entry.title] + ([h.parent[0]] if h.parent else []))]


def f(**params):
    q = QueryDict(mutable=True)
    for k, v in params.items():
        q[k] = v
    return SearchFilters.from_params(q)


def test_domain_words_stay_whole():
    assert "高新技术企业" in segment.words("高新技术企业认定奖励")
    assert "研发费用加计扣除" in segment.words("享受研发费用加计扣除政策")
    assert "稳岗返还" in segment.words("稳岗返还怎么申请")


def test_one_result_per_document_with_its_best_item(library):
    r = search.search("高新技术企业 奖励")
    assert r.mode == "all"
    documents = [h.entry.document_id for h in r.hits]
    assert len(documents) == len(set(documents))
    first = r.hits[0]
    # The document is the result; its best-matching item stands beneath it.
    assert first.kind == "item" and first.entry.title == "高新技术企业认定奖励"
    assert first.parent[0] == "四川省支持高新技术企业高质量发展的若干措施"
    assert "<mark>" in first.title


def test_synonyms_expand_the_query(library):
    # 小型微型企业 in the text, 小微企业 typed; 高企 typed, 高新技术企业 in the text.
    assert "小微企业房租补贴" in titles(search.search("小微企业 房租"))
    assert "小微企业房租补贴" in titles(search.search("小型微型企业 房租"))
    assert "高新技术企业认定奖励" in titles(search.search("高企认定"))


@pytest.mark.parametrize(
    "q,title",
    [
        ("税", "四川省研发费用加计扣除奖补办法（2019年）"),
        ("房租", "小微企业房租补贴"),
        ("矿", "绿色矿山建设奖补"),
        ("返还", "失业保险稳岗返还"),
        ("技术", "高新技术企业认定奖励"),
    ],
)
def test_one_and_two_character_terms(library, q, title):
    assert title in titles(search.search(q, per_page=50))


def test_drafts_are_not_found_and_expired_are_marked(library):
    assert search.search("人工智能").count == 0
    r = search.search("加计扣除")
    expired = [h for h in r.hits if h.entry.title == "研发费用加计扣除奖补"]
    assert expired and expired[0].expired
    assert all(h.expired for h in search.search("加计扣除", f(status="expired")).hits)
    assert not search.search("加计扣除", f(status="published")).hits


def test_city_shows_its_own_and_province_wide_records(library):
    chengdu = titles(search.search("奖励", f(city="510100"), per_page=50))
    assert "专精特新“小巨人”企业奖励" in chengdu
    assert "高新技术企业认定奖励" in chengdu  # province-wide
    mianyang = titles(search.search("奖励", f(city="510700"), per_page=50))
    assert "专精特新“小巨人”企业奖励" not in mianyang


def test_filters_by_kind_delivery_size_industry_department(library):
    assert [h.entry.title for h in search.search("返还", f(delivery="auto_grant")).hits] == ["失业保险稳岗返还"]
    items = search.search("奖励", f(type="item", item_kind="subsidy"), per_page=50)
    assert items.hits and all(h.kind == "item" and h.entry.item_kind == "subsidy" for h in items.hits)
    micro = titles(search.search("补助 补贴", f(type="item", size="micro"), per_page=50))
    assert "小微企业房租补贴" in micro and "专精特新“小巨人”企业奖励" not in micro
    # An item for industry C covers C3911; one for C39 covers C3911; B does not.
    c3911 = titles(search.search("奖励 奖补 补助", f(type="item", industry="C3911"), per_page=50))
    assert "专精特新“小巨人”企业奖励" in c3911 and "企业研发投入补助" in c3911
    assert "绿色矿山建设奖补" not in c3911
    science = PolicyDocument.objects.get(title__startswith="四川省支持高新").department_id
    r = search.search("奖励", f(department=str(science)), per_page=50)
    assert r.hits and all(h.entry.department_id == science for h in r.hits)


def test_date_range(library):
    r = search.search("企业", f(date_from="2024-06-01", date_to="2024-12-31"), per_page=50)
    assert r.hits and all(h.entry.date.isoformat() >= "2024-06-01" for h in r.hits)
    assert f(date_from="2024-13-45").date_from is None and "date_from" in f(date_from="x").ignored


def test_highlight_is_escaped_and_marked(library):
    r = search.search("稳岗返还")
    hit = r.hits[0]
    assert "<mark>" in hit.title or "<mark>" in hit.snippet
    out = search.highlight("<script>稳岗</script>", ["稳岗"])
    assert out == "&lt;script&gt;<mark>稳岗</mark>&lt;/script&gt;"


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "！！！？？",
        '"',
        "AND",
        "a AND b NEAR(c d) *",
        '高企" OR "x',
        "-稳岗 +返还",
        "😀😀😀",
        "稳岗😀返还",
        "Ｈｉｇｈ-tech 高新技术企业 2024年",
        "NEAR/3",
        "'; DROP TABLE policies_searchentry; --",
        "高新技术企业" * 2000,
        "x" * 10000,
    ],
)
def test_odd_input_never_fails(library, q):
    r = search.search(q)
    assert r.mode in ("all", "any", "none")
    assert SearchEntry.objects.exists()


def test_long_query_is_cut(library):
    r = search.search("稳岗返还" + "的" * 10000)
    assert r.truncated and "失业保险稳岗返还" in titles(r)


def test_suggestions(library):
    assert "高新技术企业" in search.suggest("高新")
    assert "高新技术企业认定奖励" in search.suggest("高新技术")
    assert search.suggest("") == [] and search.suggest("？？") == []
    assert "绿色矿山建设奖补" in search.suggest("矿山")


def test_refresh_document_follows_changes(library):
    doc = library["mianyang"]
    BenefitItem.objects.filter(document=doc).update(title="小微企业水电补贴")
    search.refresh_document(doc)
    assert "小微企业水电补贴" in titles(search.search("水电"))
    doc.status = Status.WITHDRAWN
    doc.save()
    search.refresh_document(doc)
    assert search.search("水电").count == 0
    assert not SearchEntry.objects.filter(document_id=doc.pk).exists()


def test_pagination(library):
    r = search.search("企业", per_page=3)
    assert r.count > 3 and len(r.hits) == 3
    second = search.search("企业", page=2, per_page=3)
    assert {h.entry.pk for h in second.hits}.isdisjoint({h.entry.pk for h in r.hits})
    assert search.search("企业", page="abc", per_page=3).page.number == 1


def test_the_ranking_index_follows_the_workflow(library, demo_user):
    """Withdraw, expire, and rows changed behind this process's back (another
    worker): the next search shows what the library now says."""
    from policies import services
    from policies.search import ranker

    assert "失业保险稳岗返还" in titles(search.search("稳岗返还"))
    stable = PolicyDocument.objects.get(number="川人社发〔2024〕12号")
    services.withdraw_document(None, stable)
    r = search.search("稳岗返还")
    assert "失业保险稳岗返还" not in titles(r)

    hightech = PolicyDocument.objects.get(title__startswith="四川省支持高新")
    PolicyDocument.objects.filter(pk=hightech.pk).update(expires_on="2024-12-31")
    services.expire_documents()
    assert all(h.expired for h in search.search("高新技术企业认定奖励").hits if h.entry.document_id == hightech.pk)

    # Another process deletes a document's rows and adds new ones: this index
    # learns of the new rows by their ids and skips the vanished ones.
    ranker.current()
    mianyang = library["mianyang"]
    SearchEntry.objects.filter(document_id=mianyang.pk).delete()
    assert search.search("房租").hits == [] or all(
        h.entry.document_id != mianyang.pk for h in search.search("房租").hits
    )
    BenefitItem.objects.filter(document=mianyang).update(title="小微企业水电补贴")
    from policies.search import index

    index.refresh_document(mianyang)  # as another worker would, without this process's bookkeeping
    assert "小微企业水电补贴" in titles(search.search("水电"))


def test_a_question_naming_a_city_is_answered_by_the_citys_own_policy(library):
    """A long question in an owner's words (few of them a policy uses) naming a
    city: the city's own policy answers the place it names as well as the topic,
    so it is an answer, not "没有找到"; the same words naming no city are not."""
    q = "厂子刚被评上小巨人，老板让财务去问问政府给不给钱{}"
    local = search.search(q.format("，在成都"))
    assert not local.no_answer
    assert local.hits[0].parent[0] == "成都市促进专精特新中小企业高质量发展的若干政策"
    assert search.search(q.format("")).no_answer
