"""Enterprise profiles loaded in bulk from a department's CSV or Parquet file.

Columns: uscc (统一社会信用代码), name (企业名称), then any of the engine's
attributes by name or Chinese label (revenue or 营业收入 …); optional
`source` and `updated_on` columns say which department sent each row and
when. Derived attributes (size, rd_ratio) are refused: they are computed.
Every row is checked first; one bad row and nothing is loaded, with every
error listed by line and field.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.db import transaction

from accounts import policy
from core.errors import ServiceError

from . import engine, services
from .models import EnterpriseProfile

MAX_REPORTED = 200
IDENTITY = {
    "uscc": "uscc",
    "统一社会信用代码": "uscc",
    "name": "name",
    "企业名称": "name",
    "source": "source",
    "来源部门": "source",
    "updated_on": "updated_on",
    "更新日期": "updated_on",
}


class LoadError(ServiceError):
    """A file refused; `problems` lists (line, field label, message)."""

    def __init__(self, problems, total):
        self.problems = problems
        lines = [
            f"第{line}行“{field}”：{message}" if field else f"第{line}行：{message}"
            for line, field, message in problems[:MAX_REPORTED]
        ]
        if total > MAX_REPORTED:
            lines.append(f"……另有{total - MAX_REPORTED}处错误未列出")
        super().__init__(f"文件中有{total}处错误，未导入任何数据", errors={"file": lines})


@dataclass
class LoadReport:
    created: int
    updated: int

    @property
    def total(self):
        return self.created + self.updated


def _columns(header):
    """Map each column to an identity field or attribute; unknown ones are errors."""
    by_label = {a.label: a.name for a in engine.ATTRIBUTES.values()}
    mapping, problems = [], []
    for _index, raw in enumerate(header):
        name = (raw or "").strip().lstrip("\ufeff")
        key = IDENTITY.get(name) or (name if name in engine.ATTRIBUTES else by_label.get(name))
        if key is None:
            problems.append((1, name, "未知的列，可用列名为 uscc、name 及画像属性名（如 revenue 或 营业收入）"))
        elif key in engine.ATTRIBUTES and engine.ATTRIBUTES[key].derived:
            problems.append((1, name, f"{services.label(key)}由系统计算，文件中不能包含此列"))
        mapping.append(key)
    if "uscc" not in mapping:
        problems.append((1, "uscc", "缺少统一社会信用代码（uscc）列"))
    seen = set()
    for key in mapping:
        if key and key in seen:
            problems.append((1, key, "列重复"))
        seen.add(key)
    return mapping, problems


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ServiceError("文件编码无法识别，请保存为 UTF-8 编码的 CSV", errors={"file": ["文件编码无法识别"]})


def read_rows(data: bytes, filename: str):
    """(header, [(line, [cells])]) from a CSV or Parquet file."""
    lower = filename.lower()
    if lower.endswith(".parquet"):
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(io.BytesIO(data))
        except Exception:  # pyarrow raises several kinds for a damaged file
            raise ServiceError(
                "无法读取 Parquet 文件，文件可能已损坏", errors={"file": ["无法读取 Parquet 文件"]}
            ) from None
        header = table.column_names
        columns = [table.column(name).to_pylist() for name in header]
        # Line numbers count the header as line 1, as in the CSV form.
        return header, [(i + 2, [col[i] for col in columns]) for i in range(table.num_rows)]
    if lower.endswith(".csv") or lower.endswith(".txt"):
        reader = csv.reader(io.StringIO(_decode(data)))
        try:
            header = next(reader)
        except StopIteration:
            raise ServiceError("文件为空", errors={"file": ["文件为空"]}) from None
        rows = []
        for cells in reader:
            if any((c or "").strip() for c in cells):
                rows.append((reader.line_num, cells))
        return header, rows
    raise ServiceError("只能导入 CSV 或 Parquet 文件", errors={"file": ["文件类型应为 .csv 或 .parquet"]})


def _parse_date(value):
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip()[:10])


def load(actor, data: bytes, filename: str, *, source="", on=None) -> LoadReport:
    """Check every row, then create or update the profiles in one transaction."""
    policy.require(actor, "matching.profile")
    on = on or services.today()
    header, rows = read_rows(data, filename)
    mapping, problems = _columns(header)
    if problems:
        raise LoadError(problems, len(problems))
    if not rows:
        raise ServiceError("文件中没有数据行", errors={"file": ["文件中没有数据行"]})
    parsed, first_line = [], {}
    for line, cells in rows:
        if len(cells) > len(mapping):
            problems.append((line, "", f"列数为{len(cells)}，多于表头的{len(mapping)}列"))
            continue
        record = dict(zip(mapping, cells))
        identity, errors = services.clean_identity(
            str(record.get("uscc") or ""), str(record.get("name") or ""), need_name=False
        )
        raw = {k: v for k, v in record.items() if k in engine.ATTRIBUTES}
        values, value_errors = services.clean_values(raw, on=on)
        errors.update(value_errors)
        updated_on = on
        if not services._blank(record.get("updated_on")):
            try:
                updated_on = _parse_date(record["updated_on"])
                if updated_on > on:
                    errors["updated_on"] = ["更新日期不能晚于今天"]
            except ValueError:
                errors["updated_on"] = ["更新日期应为日期，格式 YYYY-MM-DD"]
        uscc = identity.get("uscc")
        if uscc and uscc in first_line:
            errors["uscc"] = [f"与第{first_line[uscc]}行的统一社会信用代码重复"]
        elif uscc:
            first_line[uscc] = line
        region = values.get("region")
        if region and not policy.can(actor, "matching.profile", services._Scope(region)):
            errors["region"] = ["不在您所在部门的管辖区划内"]
        for field, messages in errors.items():
            for message in messages:
                problems.append((line, services.label(field), message))
        if not errors:
            row_source = "" if services._blank(record.get("source")) else str(record["source"]).strip()
            parsed.append((line, identity, values, row_source or source, updated_on))
    existing = {}
    usccs = [p[1]["uscc"] for p in parsed]
    for start in range(0, len(usccs), 500):
        for profile in EnterpriseProfile.objects.filter(uscc__in=usccs[start : start + 500]):
            existing[profile.uscc] = profile
    for line, identity, values, _, _ in parsed:
        profile = existing.get(identity["uscc"])
        if profile is None:
            if "name" not in identity:
                problems.append((line, "企业名称", "新企业须填写企业名称"))
            if "region" not in values:
                problems.append((line, "所在地区", "新企业须填写所在区县"))
        elif not policy.can(actor, "matching.profile", profile):
            problems.append((line, "统一社会信用代码", "该企业不在您所在部门的管辖区划内"))
    if problems:
        problems.sort(key=lambda p: p[0])
        raise LoadError(problems, len(problems))
    return _save(actor, parsed, existing, filename)


@transaction.atomic
def _save(actor, parsed, existing, filename):
    from accounts.models import Organisation

    organisations = dict(Organisation.objects.filter(uscc__in=[p[1]["uscc"] for p in parsed]).values_list("uscc", "pk"))
    new, changed, fields = [], [], {"name", "sources", "version", "size", "rd_ratio"}
    for _, identity, values, source, updated_on in parsed:
        profile = existing.get(identity["uscc"])
        if profile is None:
            profile = EnterpriseProfile(
                uscc=identity["uscc"], name=identity["name"], organisation_id=organisations.get(identity["uscc"])
            )
            new.append(profile)
        else:
            changed.append(profile)
            if "name" in identity:
                profile.name = identity["name"]
        services._apply(profile, values)
        services._stamp(profile, values, source, updated_on)
        fields.update(values)
        profile.version += 1
        profile.derive()
    EnterpriseProfile.objects.bulk_create(new, batch_size=1000)
    if changed:
        EnterpriseProfile.objects.bulk_update(changed, sorted(fields), batch_size=1000)
    from core import audit

    audit.record(
        "import",
        None,
        actor=audit.current_actor() or audit.Actor(actor),
        object_type="matching.EnterpriseProfile",
        object_repr=f"导入企业画像 {filename}",
        after={"file": filename, "created": len(new), "updated": len(changed)},
    )
    ids = list(EnterpriseProfile.objects.filter(uscc__in=[p[1]["uscc"] for p in parsed]).values_list("pk", flat=True))
    if len(ids) > 500:
        from . import tasks

        tasks.refresh_all.enqueue()
    else:
        services.enqueue_profile_push(ids)
    return LoadReport(created=len(new), updated=len(changed))
