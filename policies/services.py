"""Changes to the policy library: documents with their articles and
attachments, interpretations and benefit items.

A department's staff draft and submit their own department's records; the
centre (policy.publish) reviews them: approve publishes (a published document
must be broken down into items within 7 working days), return sends the
record back to draft with a comment. Published records can be withdrawn and
later reopened as drafts; documents past their expiry date are marked expired
by `expire_documents` and stay findable.

Every function validates everything first and saves in one transaction, so a
refused request changes nothing; edits and steps take the record's `version`
and refuse with Conflict when someone else changed it first. After each change
the document is re-indexed for search.
"""

import datetime as dt
import re
import secrets
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts import policy
from accounts.models import Role
from core import locking
from core.errors import Conflict, ServiceError
from core.industries import normalize_industry
from core.models import Department, Level, Region
from core.regions import region_covers
from core.workdays import add_working_days

from . import search
from .models import LISTED, BenefitItem, Interpretation, PolicyArticle, PolicyAttachment, PolicyDocument, Status

BREAKDOWN_DAYS = 7
SIZES = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
SIZE_WORDS = (
    {name: code for code, name in SIZES.items()}
    | {n + "企业": c for c, n in SIZES.items()}
    | {"大": "large", "中": "medium", "小": "small", "微": "micro"}
)
# GB/T 4754-2017: a section letter A–T, optionally followed by a division (2
# digits), group (3) or class (4).
# 文号: issuing body's mark, the year in 〔〕, the serial and 号, e.g. 川办发〔2024〕17号.
NUMBER = re.compile(r"^(?P<mark>[\u4e00-\u9fffA-Za-z0-9（）()·]{1,30})〔(?P<year>\d{4})〕(?P<serial>[0-9]{1,5})号$")
NUMBER_BRACKETS = str.maketrans(
    {
        "[": "〔",
        "]": "〕",
        "［": "〔",
        "］": "〕",
        "【": "〔",
        "】": "〕",
        "(": "〔",
        ")": "〕",
        "（": "〔",
        "）": "〕",
        "{": "〔",
        "}": "〕",
    }
)
PHONE = re.compile(r"^[0-9０-９\-－ ,，、/（）()转]{5,40}$")
ARTICLE_HEAD = re.compile(r"^\s*(第[一二三四五六七八九十百零〇0-9]+条)[\s　]*")

DOCUMENT_FIELDS = ("title", "number", "issuers", "issued_on", "effective_on", "expires_on", "summary", "topic")
ITEM_FIELDS = (
    "title",
    "kind",
    "delivery",
    "target",
    "conditions",
    "amount",
    "amount_cap",
    "apply_from",
    "apply_until",
    "apply_period",
    "materials",
    "payout_method",
    "payout_days",
    "phone",
    "industries",
    "sizes",
    "topic",
    "article",
)
INTERPRETATION_FIELDS = ("title", "kind", "text", "url")
KIND_NAMES = {PolicyDocument: "政策文件", BenefitItem: "惠企事项", Interpretation: "政策解读"}


# --- shared helpers ---------------------------------------------------------


def label_of(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _add(errors, name, message):
    errors.setdefault(name, []).append(message)


def refuse(errors, message=None):
    if not message:
        flat = [m for messages in errors.values() for m in messages]
        message = flat[0] if len(flat) == 1 else "提交的数据有误，请按提示修改"
    raise ServiceError(message, errors=errors)


def errors_of(instance, exclude=()):
    """The model's own checks (required fields, lengths, choices) with each
    message starting with the field's Chinese name."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as exc:
        named = {}
        for name, messages in exc.message_dict.items():
            label = label_of(type(instance), name)
            for message in messages:
                if message == "这个字段不能为空。" or message.startswith("This field cannot be blank"):
                    message = "必填"
                named.setdefault(name, []).append(message if name == "__all__" else f"{label}：{message}")
        return named
    return {}


def _text(value):
    return "" if value is None else str(value).strip()


def _date(value, model, name, errors):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    for pattern in ("%Y-%m-%d", "%Y年%m月%d日", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    _add(errors, name, f"{label_of(model, name)}：“{value}”不是有效日期，请按 2024-11-04 的格式填写")
    return None


def is_department_bound(actor):
    return actor is not None and getattr(actor, "role", None) in policy.DEPARTMENT_BOUND


def check(actor, action, obj=None):
    """policy.require, and for department staff: only their own department's
    records (the policy alone would let a province body reach its cities)."""
    if actor is None:
        return
    policy.require(actor, action, obj)
    if (
        obj is not None
        and is_department_bound(actor)
        and getattr(obj, "department_id", None)
        and obj.department_id != actor.department_id
    ):
        raise PermissionDenied("无权维护该记录：部门工作人员只能维护本部门的政策文件和惠企事项")


def _locked(obj, version, states=None, step=""):
    """The record locked for update; Conflict when it moved on meanwhile."""
    model = type(obj)
    what = KIND_NAMES.get(model, "记录")
    fresh = locking.lock(
        model.objects.select_related("department", "region"),
        obj.pk,
        version,
        lambda fresh: f"该{what}已被他人修改（当前为第{fresh.version}版），请刷新后重试",
    )
    if states is not None and fresh.status not in states:
        raise Conflict(f"该{what}当前状态为“{fresh.get_status_display()}”，不能{step}")
    return fresh


def _bump(obj):
    locking.bump(obj)


def city_of(region_code):
    return "" if not region_code or region_code.endswith("0000") else region_code[:4] + "00"


def _scope(obj, data, actor, errors, parent=None):
    """Department and region of a new or edited record. Department staff
    always record for their own department; the centre may name one."""
    department = data.get("department")
    if department in (None, "") and obj.department_id is None:
        department = getattr(actor, "department", None) if actor is not None else None
        if parent is not None and (department is None or not is_department_bound(actor)):
            department = parent.department
    if department not in (None, ""):
        if not isinstance(department, Department):
            department = Department.objects.filter(pk=department).select_related("region").first()
            if department is None:
                _add(errors, "department", "部门：所选部门不存在")
                return
        obj.department = department
    region = data.get("region")
    if region not in (None, ""):
        code = getattr(region, "pk", region)
        if not Region.objects.filter(code=code).exists():
            _add(errors, "region", f"适用区划：{code} 不是有效的行政区划代码")
            return
        obj.region_id = code
    elif obj.region_id is None and obj.department_id:
        obj.region_id = obj.department.region_id
    if obj.department_id and obj.region_id and not region_covers(obj.department.region_id, obj.region_id):
        _add(errors, "region", f"适用区划：应在部门“{obj.department.name}”的辖区之内")
    if parent is not None and obj.region_id and not region_covers(parent.region_id, obj.region_id):
        _add(errors, "region", f"适用区划：应在政策文件的适用区划（{parent.region}）之内")
    obj.city_code = city_of(obj.region_id)


def _refresh(document):
    search.refresh_document(document)


# --- validation -------------------------------------------------------------


def normalise_number(value):
    return _text(value).translate(NUMBER_BRACKETS).replace(" ", "")


def document_errors(document, *, taken=None):
    """Everything wrong with a document as {field: [named messages]}.
    `taken` ({(department id, number): pk}) spares the queries on import."""
    errors = errors_of(document, exclude=["department", "region", "level", "status", "version"])
    if not document.department_id:
        _add(errors, "department", "部门：请选择维护该文件的部门")
    number = document.number
    if number:
        match = NUMBER.match(number)
        if not match:
            _add(errors, "number", f"文号：“{number}”格式不正确，应如 川办发〔2024〕17号（机关代字〔年份〕序号号）")
        elif document.issued_on and int(match.group("year")) != document.issued_on.year:
            _add(errors, "number", f"文号：年份{match.group('year')}应与发布日期的年份{document.issued_on.year}一致")
        elif document.department_id:
            if taken is not None:
                other = taken.get((document.department_id, number))
                duplicate = other is not None and other != document.pk
            else:
                duplicate = (
                    PolicyDocument.objects.filter(department_id=document.department_id, number=number)
                    .exclude(pk=document.pk)
                    .exclude(status=Status.WITHDRAWN)
                    .exists()
                )
            if duplicate:
                _add(errors, "number", f"文号：{number} 已被本部门的其他政策文件使用")
    start = document.effective_on or document.issued_on
    if document.expires_on and start and document.expires_on <= start:
        which = "施行日期" if document.effective_on else "发布日期"
        _add(errors, "expires_on", f"失效日期：应晚于{which}（{start:%Y-%m-%d}）")
    if document.issued_on and document.issued_on > timezone.localdate() + dt.timedelta(days=366):
        _add(errors, "issued_on", "发布日期：不能晚于一年以后")
    return errors


def parse_industries(value, errors=None, field="industries"):
    """GB/T 4754 codes from a list or a string separated by spaces, commas or 、."""
    if value in (None, ""):
        return []
    parts = value if isinstance(value, (list, tuple)) else re.split(r"[\s,，、;；]+", str(value))
    codes, bad = [], []
    for part in parts:
        written = _text(part).upper()
        if not written:
            continue
        code = normalize_industry(written)  # "3912" → "C3912": the section letter may be left out
        if code:
            if code not in codes:
                codes.append(code)
        else:
            bad.append(written)
    if bad and errors is not None:
        _add(
            errors,
            field,
            f"适用行业：{'、'.join(bad)} 不是有效的国民经济行业代码（GB/T 4754-2017，如 C、C39、I65、M73）",
        )
    return codes


def parse_sizes(value, errors=None, field="sizes"):
    if value in (None, ""):
        return []
    parts = value if isinstance(value, (list, tuple)) else re.split(r"[\s,，、;；]+", str(value))
    sizes, bad = [], []
    for part in parts:
        word = _text(part)
        if not word:
            continue
        code = word.lower() if word.lower() in SIZES else SIZE_WORDS.get(word)
        if code:
            if code not in sizes:
                sizes.append(code)
        else:
            bad.append(word)
    if bad and errors is not None:
        _add(errors, field, f"适用企业规模：{'、'.join(bad)} 不在可选范围内（大型、中型、小型、微型）")
    return [s for s in SIZES if s in sizes]


def item_errors(item):
    errors = errors_of(
        item,
        exclude=["department", "region", "document", "article", "status", "version", "code", "industries", "sizes"],
    )
    if item.apply_from and item.apply_until and item.apply_until < item.apply_from:
        _add(errors, "apply_until", f"申报截止：不能早于申报开始（{item.apply_from:%Y-%m-%d}）")
    if item.phone and not PHONE.match(item.phone):
        _add(errors, "phone", f"咨询电话：“{item.phone}”不是有效的电话号码，如 028-86012345")
    if item.amount_cap is not None and item.amount_cap < 0:
        _add(errors, "amount_cap", "最高金额（万元）：不能为负数")
    if item.payout_days is not None and not 1 <= item.payout_days <= 365:
        _add(errors, "payout_days", "兑现时限（工作日）：应在1至365之间")
    if item.article_id and item.document_id and item.article.document_id != item.document_id:
        _add(errors, "article", "出处条款：应是本政策文件的条款")
    return errors


# --- articles ---------------------------------------------------------------


def split_articles(text):
    """Articles from a full text in which each article starts a line with
    “第X条”; text before the first such line is an unheaded first article.
    Without any “第X条” every non-empty paragraph is one article."""
    lines = [line.rstrip() for line in _text(text).splitlines()]
    articles, current = [], None
    headed = any(ARTICLE_HEAD.match(line) for line in lines)
    for line in lines:
        if not line.strip():
            if not headed and current:
                articles.append(current)
                current = None
            continue
        match = ARTICLE_HEAD.match(line) if headed else None
        if match:
            if current:
                articles.append(current)
            current = {"heading": match.group(1), "text": line[match.end() :].strip()}
        elif current:
            current["text"] = (current["text"] + "\n" + line.strip()).strip()
        else:
            current = {"heading": "", "text": line.strip()}
    if current:
        articles.append(current)
    return [a for a in articles if a["text"]]


def join_articles(articles):
    return "\n".join(f"{a.heading} {a.text}".strip() for a in articles)


def _article_errors(articles):
    errors = {}
    for i, article in enumerate(articles, 1):
        if len(article.get("heading", "")) > 60:
            _add(errors, "articles", f"正文：第{i}条的条目名称超过60个字")
    return errors


def _save_articles(document, articles):
    """Keep article rows by position so items keep pointing at their article."""
    existing = {a.ordinal: a for a in document.articles.all()}
    for ordinal, data in enumerate(articles, 1):
        row = existing.pop(ordinal, None) or PolicyArticle(document=document, ordinal=ordinal)
        if row.pk is None or row.heading != data.get("heading", "") or row.text != data["text"]:
            row.heading, row.text = data.get("heading", ""), data["text"]
            row.save()
    for row in existing.values():
        row.delete()


# --- documents --------------------------------------------------------------


def _assign_document(document, data, errors):
    for name in DOCUMENT_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in ("issued_on", "effective_on", "expires_on"):
            setattr(document, name, _date(value, PolicyDocument, name, errors))
        elif name == "number":
            document.number = normalise_number(value)
        else:
            setattr(document, name, _text(value))


def _finish_document(document):
    if document.region_id:
        code = document.region_id
        document.level = (
            Level.PROVINCE if code.endswith("0000") else Level.CITY if code.endswith("00") else Level.COUNTY
        )


@transaction.atomic
def create_document(actor, data, *, articles=None):
    """A new draft document. `articles`: [{heading, text}] or the full text
    under data["text"] split by “第X条”."""
    errors = {}
    document = PolicyDocument(status=Status.DRAFT)
    _assign_document(document, data, errors)
    _scope(document, data, actor, errors)
    _finish_document(document)
    if articles is None and "text" in data:
        articles = split_articles(data["text"])
    errors = {**document_errors(document), **errors}
    errors.update(_article_errors(articles or []))
    if errors:
        refuse(errors)
    check(actor, "policy.edit", document)
    document.save()
    _save_articles(document, articles or [])
    _refresh(document)
    return document


@transaction.atomic
def update_document(actor, document, data, *, articles=None, version=None):
    document = _locked(document, version, {Status.DRAFT}, "修改（已提交或已发布的文件请先撤回）")
    check(actor, "policy.edit", document)
    errors = {}
    _assign_document(document, data, errors)
    if is_department_bound(actor):
        data = {k: v for k, v in data.items() if k != "department"}
    _scope(document, data, actor, errors)
    _finish_document(document)
    if articles is None and "text" in data:
        articles = split_articles(data["text"])
    errors = {**document_errors(document), **errors}
    errors.update(_article_errors(articles or []))
    if errors:
        refuse(errors)
    check(actor, "policy.edit", document)
    _bump(document)
    if articles is not None:
        _save_articles(document, articles)
    _refresh(document)
    return document


@transaction.atomic
def submit_document(actor, document, *, version=None):
    """Draft → under review, with its draft items and interpretations."""
    document = _locked(document, version, {Status.DRAFT}, "提交审核")
    check(actor, "policy.edit", document)
    errors = document_errors(document)
    if not document.articles.exists():
        _add(errors, "articles", "正文：提交审核前请录入至少一条条款")
    if errors:
        refuse(errors)
    document.status = Status.REVIEW
    document.review_comment = ""
    _bump(document)
    for item in document.items.filter(status=Status.DRAFT):
        _step(item, Status.REVIEW)
    for interpretation in document.interpretations.filter(status=Status.DRAFT):
        _step(interpretation, Status.REVIEW)
    _refresh(document)
    return document


def _step(obj, status, **fields):
    obj.status = status
    for name, value in fields.items():
        setattr(obj, name, value)
    _bump(obj)


def _breakdown_due(moment):
    return add_working_days(timezone.localtime(moment).date(), BREAKDOWN_DAYS)


@transaction.atomic
def approve_document(actor, document, *, version=None, at=None):
    """The centre publishes a document under review, with its items and
    interpretations under review. Its breakdown into items is due 7 working
    days after publication."""
    document = _locked(document, version, {Status.REVIEW}, "审核发布")
    check(actor, "policy.publish", document)
    now = at or timezone.now()
    document.status = Status.PUBLISHED
    document.published_at = now
    document.breakdown_due = _breakdown_due(now)
    document.review_comment = ""
    _bump(document)
    for item in document.items.filter(status=Status.REVIEW):
        _step(item, Status.PUBLISHED, published_at=now, claimed_at=item.claimed_at or now, review_comment="")
    for interpretation in document.interpretations.filter(status=Status.REVIEW):
        _step(interpretation, Status.PUBLISHED, published_at=now)
    _refresh(document)
    return document


@transaction.atomic
def return_document(actor, document, *, comment, version=None):
    comment = _text(comment)
    if not comment:
        refuse({"comment": ["审核意见：退回时请写明需要修改的内容"]})
    document = _locked(document, version, {Status.REVIEW}, "退回")
    check(actor, "policy.publish", document)
    document.status = Status.DRAFT
    document.review_comment = comment
    _bump(document)
    for item in document.items.filter(status=Status.REVIEW):
        _step(item, Status.DRAFT, review_comment=comment)
    for interpretation in document.interpretations.filter(status=Status.REVIEW):
        _step(interpretation, Status.DRAFT, review_comment=comment)
    _refresh(document)
    return document


def _may_withdraw(actor, obj):
    """The owning department or the centre."""
    if actor is None or policy.can(actor, "policy.publish", obj):
        return
    check(actor, "policy.edit", obj)


@transaction.atomic
def withdraw_document(actor, document, *, reason="", version=None):
    """Take a document (and its items and interpretations) off the zone."""
    document = _locked(document, version, {Status.REVIEW, Status.PUBLISHED, Status.EXPIRED}, "撤回")
    _may_withdraw(actor, document)
    document.status = Status.WITHDRAWN
    document.review_comment = _text(reason) or document.review_comment
    _bump(document)
    for item in document.items.exclude(status__in=(Status.WITHDRAWN, Status.DRAFT)):
        _step(item, Status.WITHDRAWN)
    for interpretation in document.interpretations.exclude(status__in=(Status.WITHDRAWN, Status.DRAFT)):
        _step(interpretation, Status.WITHDRAWN)
    _refresh(document)
    return document


@transaction.atomic
def reopen_document(actor, document, *, version=None):
    """A withdrawn document back to draft, to be revised and submitted again."""
    document = _locked(document, version, {Status.WITHDRAWN}, "重新编辑")
    check(actor, "policy.edit", document)
    document.status = Status.DRAFT
    _bump(document)
    _refresh(document)
    return document


@transaction.atomic
def expire_documents(today=None):
    """Mark published documents past their expiry date (and their items) as
    expired; they stay listed and findable, marked. Returns how many."""
    today = today or timezone.localdate()
    documents = list(PolicyDocument.objects.select_for_update().filter(status=Status.PUBLISHED, expires_on__lt=today))
    for document in documents:
        document.status = Status.EXPIRED
        _bump(document)
        for item in document.items.filter(status=Status.PUBLISHED):
            _step(item, Status.EXPIRED)
        _refresh(document)
    return len(documents)


# --- attachments ------------------------------------------------------------


@transaction.atomic
def add_attachment(actor, document, upload, *, name=""):
    """An attachment checked by its content (PDF, JPEG or PNG, size limit),
    stored under a random name."""
    from cases import uploads

    document = PolicyDocument.objects.select_related("department").get(pk=document.pk)
    check(actor, "policy.edit", document)
    name = _text(name) or (upload.name or "附件")
    reason = uploads.problem(upload, name)
    if reason:
        refuse({"file": [f"附件：{reason}"]})
    content_type, extension = uploads.sniff(upload)
    attachment = PolicyAttachment(document=document, name=name[:200], content_type=content_type, size=upload.size)
    attachment.file.save(secrets.token_hex(16) + extension, upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def remove_attachment(actor, attachment):
    attachment = PolicyAttachment.objects.select_related("document__department").get(pk=attachment.pk)
    check(actor, "policy.edit", attachment.document)
    if attachment.document.status != Status.DRAFT:
        raise Conflict("只有草稿状态的政策文件可以删除附件")
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- benefit items ----------------------------------------------------------


def next_item_code(region_code):
    prefix = f"HQ{region_code}"
    last = BenefitItem.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    serial = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{serial:06d}"


def _decimal(value, errors, name):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", "").replace("万元", "").strip())
    except InvalidOperation:
        _add(errors, name, f"{label_of(BenefitItem, name)}：“{value}”不是数字")
        return None


def _int(value, errors, name):
    if value in (None, ""):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        _add(errors, name, f"{label_of(BenefitItem, name)}：“{value}”不是整数")
        return None


def _assign_item(item, data, errors):
    for name in ITEM_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in ("apply_from", "apply_until"):
            setattr(item, name, _date(value, BenefitItem, name, errors))
        elif name == "amount_cap":
            item.amount_cap = _decimal(value, errors, name)
        elif name == "payout_days":
            item.payout_days = _int(value, errors, name)
        elif name == "industries":
            item.industries = parse_industries(value, errors)
        elif name == "sizes":
            item.sizes = parse_sizes(value, errors)
        elif name == "article":
            article = value
            if article not in (None, "") and not isinstance(article, PolicyArticle):
                article = PolicyArticle.objects.filter(pk=article).first()
            item.article = article or None
        elif name in ("kind", "delivery"):
            setattr(item, name, _choice(BenefitItem, name, value))
        else:
            setattr(item, name, _text(value))


def _choice(model, name, value):
    """A choice by its code or its Chinese label."""
    text = _text(value)
    for code, label in model._meta.get_field(name).choices:
        if text in (code, label):
            return code
    return text


@transaction.atomic
def create_item(actor, document, data):
    """A new draft benefit item broken out of `document`."""
    document = PolicyDocument.objects.select_related("department", "region").get(pk=document.pk)
    if document.status == Status.WITHDRAWN:
        raise Conflict("该政策文件已撤回，不能新增惠企事项")
    errors = {}
    item = BenefitItem(document=document, status=Status.DRAFT, topic=document.topic)
    _assign_item(item, data, errors)
    _scope(item, data, actor, errors, parent=document)
    errors = {**item_errors(item), **errors}
    if errors:
        refuse(errors)
    check(actor, "policy.edit", item)
    item.code = next_item_code(item.region_id)
    item.save()
    _refresh(document)
    return item


@transaction.atomic
def update_item(actor, item, data, *, version=None):
    item = _locked(item, version, {Status.DRAFT}, "修改（已提交或已发布的事项请先撤回）")
    check(actor, "policy.edit", item)
    errors = {}
    _assign_item(item, data, errors)
    if is_department_bound(actor):
        data = {k: v for k, v in data.items() if k != "department"}
    _scope(item, data, actor, errors, parent=item.document)
    errors = {**item_errors(item), **errors}
    if errors:
        refuse(errors)
    check(actor, "policy.edit", item)
    _bump(item)
    _refresh(item.document)
    return item


@transaction.atomic
def submit_item(actor, item, *, version=None):
    item = _locked(item, version, {Status.DRAFT}, "提交审核")
    check(actor, "policy.edit", item)
    errors = item_errors(item)
    if errors:
        refuse(errors)
    _step(item, Status.REVIEW, review_comment="")
    _refresh(item.document)
    return item


@transaction.atomic
def approve_item(actor, item, *, version=None, at=None):
    item = _locked(item, version, {Status.REVIEW}, "审核发布")
    check(actor, "policy.publish", item)
    if item.document.status not in LISTED:
        raise Conflict("所属政策文件尚未发布，请先审核发布政策文件")
    now = at or timezone.now()
    status = Status.EXPIRED if item.document.status == Status.EXPIRED else Status.PUBLISHED
    _step(item, status, published_at=now, claimed_at=item.claimed_at or now, review_comment="")
    _refresh(item.document)
    return item


@transaction.atomic
def return_item(actor, item, *, comment, version=None):
    comment = _text(comment)
    if not comment:
        refuse({"comment": ["审核意见：退回时请写明需要修改的内容"]})
    item = _locked(item, version, {Status.REVIEW}, "退回")
    check(actor, "policy.publish", item)
    _step(item, Status.DRAFT, review_comment=comment)
    _refresh(item.document)
    return item


@transaction.atomic
def withdraw_item(actor, item, *, version=None):
    item = _locked(item, version, {Status.REVIEW, Status.PUBLISHED, Status.EXPIRED}, "撤回")
    _may_withdraw(actor, item)
    _step(item, Status.WITHDRAWN)
    _refresh(item.document)
    return item


@transaction.atomic
def reopen_item(actor, item, *, version=None):
    item = _locked(item, version, {Status.WITHDRAWN}, "重新编辑")
    check(actor, "policy.edit", item)
    if item.document.status == Status.WITHDRAWN:
        raise Conflict("所属政策文件已撤回，请先重新编辑政策文件")
    _step(item, Status.DRAFT)
    _refresh(item.document)
    return item


# --- interpretations --------------------------------------------------------


def interpretation_errors(interpretation):
    errors = errors_of(interpretation, exclude=["department", "region", "document", "status", "version", "image"])
    if interpretation.kind == Interpretation.Kind.VIDEO and not interpretation.url:
        _add(errors, "url", "链接：视频解读须填写视频链接")
    if interpretation.kind == Interpretation.Kind.TEXT and not interpretation.text:
        _add(errors, "text", "解读内容：文字解读须填写解读内容")
    return errors


def _assign_interpretation(interpretation, data):
    for name in INTERPRETATION_FIELDS:
        if name in data:
            value = _text(data[name])
            setattr(interpretation, name, _choice(Interpretation, name, value) if name == "kind" else value)


@transaction.atomic
def create_interpretation(actor, document, data):
    document = PolicyDocument.objects.select_related("department", "region").get(pk=document.pk)
    if document.status == Status.WITHDRAWN:
        raise Conflict("该政策文件已撤回，不能新增解读")
    errors = {}
    interpretation = Interpretation(
        document=document,
        status=Status.DRAFT,
        department=document.department,
        region_id=document.region_id,
        city_code=document.city_code,
    )
    _assign_interpretation(interpretation, data)
    errors = {**interpretation_errors(interpretation), **errors}
    if errors:
        refuse(errors)
    check(actor, "policy.edit", interpretation)
    interpretation.save()
    _refresh(document)
    return interpretation


@transaction.atomic
def update_interpretation(actor, interpretation, data, *, version=None):
    interpretation = _locked(interpretation, version, {Status.DRAFT}, "修改")
    check(actor, "policy.edit", interpretation)
    _assign_interpretation(interpretation, data)
    errors = interpretation_errors(interpretation)
    if errors:
        refuse(errors)
    _bump(interpretation)
    _refresh(interpretation.document)
    return interpretation


@transaction.atomic
def submit_interpretation(actor, interpretation, *, version=None):
    interpretation = _locked(interpretation, version, {Status.DRAFT}, "提交审核")
    check(actor, "policy.edit", interpretation)
    _step(interpretation, Status.REVIEW, review_comment="")
    _refresh(interpretation.document)
    return interpretation


@transaction.atomic
def approve_interpretation(actor, interpretation, *, version=None, at=None):
    interpretation = _locked(interpretation, version, {Status.REVIEW}, "审核发布")
    check(actor, "policy.publish", interpretation)
    if interpretation.document.status not in LISTED:
        raise Conflict("所属政策文件尚未发布，请先审核发布政策文件")
    _step(interpretation, Status.PUBLISHED, published_at=at or timezone.now())
    _refresh(interpretation.document)
    return interpretation


@transaction.atomic
def return_interpretation(actor, interpretation, *, comment="", version=None):
    # The comment tells the department what to change: kept, and required, as for documents and items.
    comment = _text(comment)
    if not comment:
        refuse({"comment": ["审核意见：退回时请写明需要修改的内容"]})
    interpretation = _locked(interpretation, version, {Status.REVIEW}, "退回")
    check(actor, "policy.publish", interpretation)
    _step(interpretation, Status.DRAFT, review_comment=comment)
    _refresh(interpretation.document)
    return interpretation


# --- overdue breakdowns -----------------------------------------------------


def overdue_documents(today=None):
    """Published documents whose 7 working days for breaking down into items
    have passed with no item published yet, oldest first."""
    today = today or timezone.localdate()
    broken_down = BenefitItem.objects.filter(document=OuterRef("pk"), status__in=LISTED)
    return (
        PolicyDocument.objects.filter(status=Status.PUBLISHED, breakdown_due__lt=today)
        .filter(~Exists(broken_down))
        .select_related("department", "region")
        .order_by("breakdown_due", "pk")
    )


def overdue_count(today=None):
    return overdue_documents(today).count()


# --- what a user may see and change ----------------------------------------


def maintained_by(actor, queryset):
    """The records `actor` maintains in the console: department staff their
    own department's, the centre everything in its reach."""
    if is_department_bound(actor):
        return queryset.filter(department_id=actor.department_id)
    return policy.visible(actor, queryset, region_field="region__code")


def can_edit(actor, obj):
    try:
        check(actor, "policy.edit", obj)
    except PermissionDenied:
        return False
    return True


def is_centre(actor):
    return policy.can(actor, "policy.publish") and getattr(actor, "role", None) != Role.REVIEWER
