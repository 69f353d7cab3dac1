"""Import and export of policy documents (with their articles) and benefit
items, as Excel (openpyxl) or JSON.

Both formats have the same three tables with the same Chinese column headers:
政策文件, 政策条款, 惠企事项. Documents are keyed by 维护部门 + 文号, articles
and items name their document by 文号 (of the same department). An import
reads and checks every row first; a bad row is reported by table, row and
field ("惠企事项 第3行 申报截止：…"), and an import with any error changes
nothing.

What an import does: a document not yet in the library is added as a draft;
one that is there as a draft is updated, its articles becoming the file's;
one already submitted or published is refused (withdraw it first). Items with
a 事项编码 already in the library update that (draft) item; others are added
as drafts. The department submits them for the centre's review as usual.
"""

from django.core.exceptions import PermissionDenied

from core import exchange
from core.exchange import ImportFailed
from core.models import Department

from . import search, services
from .models import BenefitItem, PolicyArticle, PolicyDocument, Status

FORMAT = "tongban-policies"
DOCUMENT_SHEET, ARTICLE_SHEET, ITEM_SHEET = "政策文件", "政策条款", "惠企事项"
SHEETS = [DOCUMENT_SHEET, ARTICLE_SHEET, ITEM_SHEET]
DOCUMENT_COLUMNS = [
    ("文号", "number"),
    ("标题", "title"),
    ("发文机关", "issuers"),
    ("维护部门", "department"),
    ("适用区划", "region"),
    ("发布日期", "issued_on"),
    ("施行日期", "effective_on"),
    ("失效日期", "expires_on"),
    ("政策主题", "topic"),
    ("摘要", "summary"),
    ("状态", "status"),
]
ARTICLE_COLUMNS = [("文号", "document"), ("序号", "ordinal"), ("条目", "heading"), ("正文", "text")]
ITEM_COLUMNS = [
    ("事项编码", "code"),
    ("文号", "document"),
    ("出处条款序号", "article"),
    ("事项名称", "title"),
    ("类别", "kind"),
    ("兑现方式", "delivery"),
    ("认领部门", "department"),
    ("适用区划", "region"),
    ("惠及对象", "target"),
    ("申报条件", "conditions"),
    ("支持标准", "amount"),
    ("最高金额（万元）", "amount_cap"),
    ("申报开始", "apply_from"),
    ("申报截止", "apply_until"),
    ("申报时间", "apply_period"),
    ("申报材料", "materials"),
    ("兑现方式说明", "payout_method"),
    ("兑现时限（工作日）", "payout_days"),
    ("咨询电话", "phone"),
    ("适用行业", "industries"),
    ("适用企业规模", "sizes"),
    ("状态", "status"),
]
COLUMNS = {DOCUMENT_SHEET: DOCUMENT_COLUMNS, ARTICLE_SHEET: ARTICLE_COLUMNS, ITEM_SHEET: ITEM_COLUMNS}
HEADER_OF = {sheet: {name: header for header, name in columns} for sheet, columns in COLUMNS.items()}
READ_ONLY = {"状态"}  # exported for reading; an import always yields drafts


# --- export -----------------------------------------------------------------


def _date(value):
    return value.isoformat() if value else ""


def export_tables(documents):
    documents = list(documents.select_related("department").order_by("pk"))
    ids = [d.pk for d in documents]
    numbers = {d.pk: d.number for d in documents}
    tables = {sheet: [] for sheet in SHEETS}
    for d in documents:
        tables[DOCUMENT_SHEET].append(
            {
                "文号": d.number,
                "标题": d.title,
                "发文机关": d.issuers,
                "维护部门": d.department.name,
                "适用区划": d.region_id,
                "发布日期": _date(d.issued_on),
                "施行日期": _date(d.effective_on),
                "失效日期": _date(d.expires_on),
                "政策主题": d.topic,
                "摘要": d.summary,
                "状态": d.get_status_display(),
            }
        )
    ordinals = {}
    for a in PolicyArticle.objects.filter(document_id__in=ids).order_by("document_id", "ordinal").iterator():
        ordinals[a.pk] = a.ordinal
        tables[ARTICLE_SHEET].append(
            {"文号": numbers[a.document_id], "序号": a.ordinal, "条目": a.heading, "正文": a.text}
        )
    items = BenefitItem.objects.filter(document_id__in=ids).select_related("department").order_by("document_id", "pk")
    for i in items.iterator():
        tables[ITEM_SHEET].append(
            {
                "事项编码": i.code,
                "文号": numbers[i.document_id],
                "出处条款序号": ordinals.get(i.article_id, ""),
                "事项名称": i.title,
                "类别": i.get_kind_display(),
                "兑现方式": i.get_delivery_display(),
                "认领部门": i.department.name,
                "适用区划": i.region_id,
                "惠及对象": i.target,
                "申报条件": i.conditions,
                "支持标准": i.amount,
                "最高金额（万元）": str(i.amount_cap) if i.amount_cap is not None else "",
                "申报开始": _date(i.apply_from),
                "申报截止": _date(i.apply_until),
                "申报时间": i.apply_period,
                "申报材料": i.materials,
                "兑现方式说明": i.payout_method,
                "兑现时限（工作日）": i.payout_days if i.payout_days is not None else "",
                "咨询电话": i.phone,
                "适用行业": " ".join(i.industries),
                "适用企业规模": "、".join(services.SIZES[s] for s in i.sizes if s in services.SIZES),
                "状态": i.get_status_display(),
            }
        )
    return tables


def to_json(tables):
    return exchange.to_json(tables, FORMAT)


def to_excel(tables):
    return exchange.to_excel(tables, {name: [h for h, _ in COLUMNS[name]] for name in SHEETS})


def export_library(documents, fmt="xlsx"):
    tables = export_tables(documents)
    return to_excel(tables) if fmt == "xlsx" else to_json(tables).encode("utf-8")


# --- reading ----------------------------------------------------------------


def read_file(content, filename=""):
    # Only the documents' sheet is required: articles and items may be left out.
    return exchange.read_file(content, filename, SHEETS, required=(DOCUMENT_SHEET,))


# --- checking ---------------------------------------------------------------


def _strip(label, message):
    """'文号：…' → '…' (the row's prefix names the column already)."""
    return message[len(label) + 1 :] if message.startswith(label + "：") else message


class Plan:
    def __init__(self):
        self.documents = []  # (PolicyDocument, [article dicts] or None)
        self.items = []  # (BenefitItem, document key, article ordinal)
        self.problems = []

    def bad(self, row, field, message):
        self.problems.append(f"{row.where()} {field}：{message}")


def _department(name, actor, departments):
    if name:
        return departments.get(name)
    return getattr(actor, "department", None)


def check(tables, actor):
    plan = Plan()
    departments = {d.name: d for d in Department.objects.select_related("region")}
    by_key = {}
    for row in tables.get(DOCUMENT_SHEET, []):
        data = {name: row.get(header) for header, name in DOCUMENT_COLUMNS if header not in READ_ONLY}
        dept_name = data.pop("department")
        department = _department(dept_name, actor, departments)
        if department is None:
            plan.bad(row, "维护部门", f"“{dept_name}”不是系统中的部门名称" if dept_name else "必填")
            continue
        number = services.normalise_number(data.get("number"))
        if not number:
            plan.bad(row, "文号", "必填（导入时以文号识别政策文件）")
            continue
        key = (department.pk, number)
        if key in by_key:
            plan.bad(row, "文号", f"{number} 在文件中重复出现")
            continue
        existing = (
            PolicyDocument.objects.filter(department=department, number=number).exclude(status=Status.WITHDRAWN).first()
        )
        if existing and existing.status != Status.DRAFT:
            plan.bad(row, "文号", f"{number} 已{existing.get_status_display()}，不能通过导入修改（请先撤回）")
            continue
        doc = existing or PolicyDocument(status=Status.DRAFT)
        errors = {}
        services._assign_document(doc, data, errors)
        data["department"] = department
        services._scope(doc, data, actor, errors)
        services._finish_document(doc)
        errors = {**services.document_errors(doc, taken={}), **errors}
        for field, messages in errors.items():
            label = services.label_of(PolicyDocument, field)
            header = HEADER_OF[DOCUMENT_SHEET].get(field, label)
            for message in messages:
                plan.bad(row, header, _strip(label, message))
        if errors:
            continue
        try:
            services.check(actor, "policy.edit", doc)
        except PermissionDenied as exc:
            plan.bad(row, "维护部门", str(exc))
            continue
        by_key[key] = doc
        plan.documents.append((doc, None))
    numbers = {}
    for key in by_key:
        numbers.setdefault(key[1], key)

    articles = {}
    for row in tables.get(ARTICLE_SHEET, []):
        number = services.normalise_number(row.get("文号"))
        if number not in numbers:
            plan.bad(row, "文号", f"“{number}”不在“政策文件”表中" if number else "必填")
            continue
        text = str(row.get("正文") or "")
        if not text:
            plan.bad(row, "正文", "必填")
            continue
        try:
            ordinal = int(row.get("序号"))
        except (TypeError, ValueError):
            plan.bad(row, "序号", f"“{row.get('序号')}”不是整数")
            continue
        listed = articles.setdefault(numbers[number], {})
        if ordinal in listed:
            plan.bad(row, "序号", f"文号 {number} 的第{ordinal}条重复出现")
            continue
        heading = str(row.get("条目") or "")
        if len(heading) > 60:
            plan.bad(row, "条目", "超过60个字")
            continue
        listed[ordinal] = {"heading": heading, "text": text}
    plan.documents = [(doc, [a for _, a in sorted(articles.get(_key(doc), {}).items())]) for doc, _ in plan.documents]

    codes = set()
    for row in tables.get(ITEM_SHEET, []):
        data = {name: row.get(header) for header, name in ITEM_COLUMNS if header not in READ_ONLY}
        number = services.normalise_number(data.pop("document"))
        if number not in numbers:
            plan.bad(row, "文号", f"“{number}”不在“政策文件”表中" if number else "必填")
            continue
        doc = by_key[numbers[number]]
        code = str(data.pop("code") or "").strip()
        ordinal = data.pop("article")
        dept_name = data.pop("department")
        department = _department(dept_name, actor, departments) if dept_name else doc.department
        if department is None:
            plan.bad(row, "认领部门", f"“{dept_name}”不是系统中的部门名称")
            continue
        item = None
        if code:
            if code in codes:
                plan.bad(row, "事项编码", f"{code} 在文件中重复出现")
                continue
            codes.add(code)
            item = BenefitItem.objects.filter(code=code).first()
            if item and (item.status != Status.DRAFT or item.document_id != doc.pk):
                plan.bad(row, "事项编码", f"{code} 已被其他事项使用或已提交审核，不能通过导入修改")
                continue
        item = item or BenefitItem(status=Status.DRAFT, code=code)
        item.document = doc
        item.topic = item.topic or doc.topic
        errors = {}
        services._assign_item(item, data, errors)
        data["department"] = department
        services._scope(item, data, actor, errors, parent=doc)
        if ordinal not in ("", None):
            try:
                ordinal = int(ordinal)
                if ordinal not in articles.get(numbers[number], {}):
                    raise ValueError
            except (TypeError, ValueError):
                plan.bad(row, "出处条款序号", f"“{ordinal}”不是该文件“政策条款”表中的序号")
                continue
        else:
            ordinal = None
        item.article = None
        errors = {**services.item_errors(item), **errors}
        for field, messages in errors.items():
            label = services.label_of(BenefitItem, field)
            header = HEADER_OF[ITEM_SHEET].get(field, label)
            for message in messages:
                plan.bad(row, header, _strip(label, message))
        if errors:
            continue
        try:
            services.check(actor, "policy.edit", item)
        except PermissionDenied as exc:
            plan.bad(row, "认领部门", str(exc))
            continue
        plan.items.append((item, ordinal))
    return plan


def _key(doc):
    return (doc.department_id, doc.number)


def _write(plan):
    documents = items = 0
    touched = []
    for doc, articles in plan.documents:
        if doc.pk:
            doc.version += 1
        doc.save()
        services._save_articles(doc, articles)
        touched.append(doc)
        documents += 1
    by_ordinal = {(a.document_id, a.ordinal): a for a in PolicyArticle.objects.filter(document__in=list(touched))}
    for item, ordinal in plan.items:
        item.document = item.document  # now saved: refresh the id
        item.article = by_ordinal.get((item.document.pk, ordinal)) if ordinal else None
        if not item.code:
            item.code = services.next_item_code(item.region_id)
        elif item.pk:
            item.version += 1
        item.save()
        items += 1
    for doc in touched:
        search.refresh_document(doc)
    return {"documents": documents, "articles": sum(len(a) for _, a in plan.documents), "items": items}


def _checked(tables, actor):
    plan = check(tables, actor)
    if plan.problems:
        raise ImportFailed(plan.problems)
    if not plan.documents:
        raise ImportFailed(["文件中没有政策文件"])
    return plan


def import_library(actor, content, filename=""):
    """Check the whole file, then write it in one transaction (core.exchange's
    one import flow). Returns counts; raises ImportFailed (nothing changed)
    listing every bad row."""
    return exchange.import_file(
        actor,
        content,
        filename,
        permission="policy.import",
        read=read_file,
        check=_checked,
        write=_write,
        object_type="policies.Library",
        title="导入惠企政策",
    )
