"""The evaluation corpus (tests/relevance/corpus/*.txt) and its judged
queries (tests/relevance/queries.txt): parsing, the split into dev and test
halves, and loading through the library's own import and workflow
(policies.exchange.import_library, then submit and approve as the centre
would, then the daily expiry run).

The texts were written for this evaluation in the style of Sichuan policy
documents; they are not the demo generator's output. See README.md.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
HARD = ("situational", "item", "colloquial", "abbrev", "typo", "trad", "city")
TYPES = ("ordinary",) + HARD + ("none",)
TYPE_NAMES = {
    "ordinary": "普通",
    "situational": "情境",
    "item": "事项细节",
    "colloquial": "口语",
    "abbrev": "简称",
    "typo": "错字",
    "trad": "繁体",
    "city": "城市",
    "none": "无答案",
}
ITEM_FIELDS = [
    "出处条款序号",
    "事项名称",
    "类别",
    "兑现方式",
    "惠及对象",
    "申报条件",
    "支持标准",
    "申报时间",
    "申报材料",
]
DOC_FIELDS = {
    "文号": "文号",
    "标题": "标题",
    "机关": "发文机关",
    "部门": "维护部门",
    "区划": "适用区划",
    "日期": "发布日期",
    "失效": "失效日期",
    "主题": "政策主题",
    "摘要": "摘要",
}


@dataclass
class Doc:
    key: str
    fields: dict = field(default_factory=dict)
    articles: list = field(default_factory=list)  # (heading, text)
    items: list = field(default_factory=list)  # dict of ITEM_FIELDS


def documents():
    docs = []
    for path in sorted((HERE / "corpus").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or line.startswith("# "):
                continue
            if line.startswith("## "):
                docs.append(Doc(line[3:].strip()))
                continue
            tag, _, rest = line.partition(" ")
            doc = docs[-1]
            if tag == "条":
                heading, _, text = rest.partition("|")
                doc.articles.append((heading.strip(), text.strip()))
            elif tag == "项":
                values = [v.strip() for v in rest.split("|")]
                assert len(values) == len(ITEM_FIELDS), (doc.key, rest)
                doc.items.append(dict(zip(ITEM_FIELDS, values)))
            else:
                doc.fields[DOC_FIELDS[tag]] = rest.strip()
    return docs


@dataclass
class Query:
    line: int
    type: str
    text: str
    grades: dict  # {"D05": 2, "D05.2": 2}
    half: str = ""


def _digest(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split(found):
    """dev or test for each query, fixed once and for all: within each query
    type, the queries ordered by a hash of their text go alternately to dev
    and test, so both halves have every type in equal measure."""
    by_type = {}
    for q in found:
        by_type.setdefault(q.type, []).append(q)
    for group in by_type.values():
        for n, q in enumerate(sorted(group, key=lambda q: _digest(q.text))):
            q.half = "dev" if n % 2 == 0 else "test"
    return found


def queries():
    out = []
    for n, line in enumerate((HERE / "queries.txt").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        kind, text, judged = (part.strip() for part in line.split("|"))
        grades = {}
        for pair in judged.split():
            key, grade = pair.split("=")
            grades[key] = int(grade)
        assert kind in TYPES, line
        assert (kind == "none") == (not grades), line
        out.append(Query(n, kind, text, grades))
    return split(out)


def tables(docs):
    """The exchange file's three tables (policies.exchange) for the corpus."""
    out = {"政策文件": [], "政策条款": [], "惠企事项": []}
    for doc in docs:
        out["政策文件"].append(dict(doc.fields))
        number = doc.fields["文号"]
        for ordinal, (heading, text) in enumerate(doc.articles, 1):
            out["政策条款"].append({"文号": number, "序号": ordinal, "条目": heading, "正文": text})
        for n, item in enumerate(doc.items, 1):
            row = dict(item)
            row.update({"文号": number, "事项编码": f"EVAL-{doc.key}-{n}", "申报时间": item["申报时间"][:100]})
            out["惠企事项"].append(row)
    return out


def load():
    """Import the corpus as drafts, then submit and publish every document
    with its items; documents past their expiry date are expired. Returns
    {"D05": document id} and {"D05.1": item id}. Idempotent."""
    from policies import exchange, services
    from policies.models import BenefitItem, PolicyDocument, Status

    docs = documents()
    existing = dict(BenefitItem.objects.filter(code__startswith="EVAL-").values_list("code", "pk"))
    if not existing:
        exchange.import_library(None, json.dumps(tables(docs), ensure_ascii=False).encode("utf-8"), "eval.json")
        for number in [d.fields["文号"] for d in docs]:
            document = PolicyDocument.objects.get(number=number, status=Status.DRAFT)
            services.submit_document(None, document)
            services.approve_document(None, document)
        services.expire_documents()
        existing = dict(BenefitItem.objects.filter(code__startswith="EVAL-").values_list("code", "pk"))
    doc_ids = dict(
        PolicyDocument.objects.filter(number__in=[d.fields["文号"] for d in docs]).values_list("number", "pk")
    )
    documents_by_key = {d.key: doc_ids[d.fields["文号"]] for d in docs}
    items = {re.sub(r"^EVAL-", "", code).replace("-", "."): pk for code, pk in existing.items()}
    return documents_by_key, items
