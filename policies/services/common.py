"""What the policy library's services share: validation with each message
naming the field, a department's reach, the record lock, the articles, and
who may see and change what. The services themselves are split by record:
documents (with attachments and overdue breakdowns), items, interpretations;
their review steps are one workflow (policies/review.py)."""

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts import policy
from accounts.models import Role
from core import locking
from core.errors import Conflict, ServiceError
from core.industries import normalize_industry
from core.models import Department, Region
from core.regions import region_covers

from .. import search
from ..models import BenefitItem, Interpretation, PolicyArticle, PolicyDocument, Status

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


def _step(obj, status, **fields):
    obj.status = status
    for name, value in fields.items():
        setattr(obj, name, value)
    _bump(obj)


def _choice(model, name, value):
    """A choice by its code or its Chinese label."""
    text = _text(value)
    for code, label in model._meta.get_field(name).choices:
        if text in (code, label):
            return code
    return text


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
