"""The platform's exchange files — Excel workbooks and JSON — for the
imports and exports of the matter catalogue and the policy library: each
sheet's rows keep their numbers so every error can name sheet, row and field.

One import flow for both (`import_file`): read the whole file, check every
row, write in one transaction, record one audit entry; a file with any error
changes nothing and is refused with all its errors listed."""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from . import audit, authz
from .errors import ServiceError


class ImportFailed(ServiceError):
    """The file had errors; `rows` lists them all. Nothing was changed."""

    def __init__(self, rows):
        self.rows = rows
        super().__init__(f"导入失败：发现{len(rows)}处错误，未作任何修改", errors={"file": rows})


@dataclass
class Row:
    sheet: str
    number: int
    values: dict
    unit: str = "行"

    def where(self):
        return f"{self.sheet} 第{self.number}{self.unit}"

    def get(self, header):
        """The cell as text (numbers written as Excel floats made whole), or a date."""
        value = self.values.get(header)
        if value is None:
            return ""
        if hasattr(value, "date") and callable(value.date):
            return value.date()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return value if not isinstance(value, str) else value.strip()


def read_excel(content, sheets, *, required=None):
    """({sheet: [Row], sheet + ":headers": [header]}, problems). Sheets not in
    `required` (default: all) may be left out of the workbook."""
    from openpyxl import load_workbook

    required = sheets if required is None else required
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise ImportFailed(["文件无法读取：请上传由本系统导出的 Excel（.xlsx）或 JSON 文件"]) from None
    tables: dict[str, Any] = {}  # sheet: rows; sheet + ":headers": its header
    problems: list[str] = []
    for name in sheets:
        if name not in book.sheetnames:
            if name in required:
                problems.append(f"缺少工作表“{name}”")
            else:
                tables[name] = []
            continue
        rows = book[name].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
        tables[name] = [
            Row(name, number, {h: v for h, v in zip(header, values) if h})
            for number, values in enumerate(rows, start=2)
            if not all(v is None or str(v).strip() == "" for v in values)
        ]
        tables[name + ":headers"] = header
    book.close()
    return tables, problems


def read_json(content, sheets, *, required=None, empty_headers=None):
    """The same tables from JSON: an object with one array of objects per sheet.
    `empty_headers(sheet)` gives the headers of a sheet with no rows."""
    required = sheets if required is None else required
    try:
        data = json.loads(content.decode("utf-8-sig") if isinstance(content, bytes) else content)
    except (ValueError, UnicodeDecodeError):
        raise ImportFailed(["文件无法读取：JSON 格式不正确"]) from None
    if not isinstance(data, dict):
        keys = "".join(f"“{name}”" for name in sheets)
        raise ImportFailed([f"文件无法读取：JSON 顶层应为对象，键为{keys}"])
    tables, problems = {}, []
    for name in sheets:
        rows = data.get(name, None if name in required else [])
        if not isinstance(rows, list):
            problems.append(f"缺少表“{name}”（应为数组）")
            continue
        tables[name] = [Row(name, n, r if isinstance(r, dict) else {}, "条") for n, r in enumerate(rows, start=1)]
        headers = set()
        for r in rows:
            if isinstance(r, dict):
                headers |= set(r)
        tables[name + ":headers"] = list(headers) if rows or not empty_headers else empty_headers(name)
    return tables, problems


def read_file(content, filename, sheets, *, required=None, empty_headers=None):
    """JSON by its name or its first bytes, Excel otherwise."""
    if filename.lower().endswith(".json") or content[:1] in (b"{", b"[") or content[:4] == b"\xef\xbb\xbf{":
        return read_json(content, sheets, required=required, empty_headers=empty_headers)
    return read_excel(content, sheets, required=required)


def import_file(
    actor: Any,
    content: bytes,
    filename: str,
    *,
    permission: str,
    read: Callable[[bytes, str], tuple[dict[str, Any], list[str]]],
    check: Callable[[dict[str, Any], Any], Any],
    write: Callable[[Any], dict[str, int]],
    object_type: str,
    title: str,
) -> dict[str, int]:
    """read → check → write → audit. `check(tables, actor)` returns a plan or
    raises ImportFailed listing every problem; `write(plan)` returns counts,
    which the audit entry ("{title} {filename}") keeps. No actor: a command
    run by the operator (no permission asked, the entry names no person)."""
    if actor is not None:
        authz.require(actor, permission)
    tables, problems = read(content, filename)
    if problems:
        raise ImportFailed(problems)
    with transaction.atomic():
        counts = write(check(tables, actor))
        audit.record(
            "import",
            object_type=object_type,
            object_id="",
            object_repr=f"{title} {filename}"[:200],
            after=counts,
            actor=audit.Actor(actor) if actor is not None else None,
        )
    return counts


def to_json(tables: dict[str, Any], format_name: str) -> str:
    return json.dumps({"format": format_name, "version": 1, **tables}, ensure_ascii=False, indent=1)


def to_excel(
    tables: dict[str, list[dict[str, Any]]],
    headers: dict[str, list[str]],
    width: Callable[[str], int] | None = None,
) -> bytes:
    """One sheet per entry of `headers` (in its order), bold header row, frozen;
    `width(header)` sets the columns' widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for name, names in headers.items():
        sheet = book.create_sheet(name)
        sheet.append(names)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in tables[name]:
            sheet.append([row.get(h, "") for h in names])
        if width is not None:
            for index, header in enumerate(names, start=1):
                sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width(header)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
