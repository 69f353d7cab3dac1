"""Console list tables: one small declarative spec per list page gives it
sortable columns, filters, a page-size choice, a pager and an Excel export of
exactly what the page lists (issue 17, "Tables that work").

    TABLE = Table(
        "cases",
        title="办件",
        columns=[Column("number", "办件编号", "number", order=("number",)), ...],
        filters=[Filter("q", "办件编号或申请人", lookups=("number", "applicant_name__contains"))],
        default_sort="-received",
    )

    def worklist(request):
        table = TABLE.bind(request, qs)
        if table.export_requested:
            return table.export_response()
        return render(request, "...", {"table": table})

and in the template `{% include "core/_table.html" %}` (optionally `with
rows_template="app/_rows.html"` for cells richer than text).

The GET parameters are whitelisted: an unknown sort column, a filter value not
among its choices or a page size out of range is ignored or clamped and the
page says so (table.notes); none of them is ever an error."""

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.http import FileResponse, HttpRequest, QueryDict
from django.utils import timezone

SORT, PER_PAGE, PAGE, EXPORT = "sort", "per_page", "page", "export"
PAGE_SIZES = (20, 50, 100)
# Beyond this an export is cut short (with a last row saying so): Excel
# itself copes, but building a larger sheet would hold a web worker too long.
EXPORT_LIMIT = 20000
# A text filter's lookups may name their own match; otherwise "contains, any case".
LOOKUP_TYPES = ("__exact", "__iexact", "__contains", "__icontains", "__startswith", "__istartswith")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attr(path: str) -> Callable[[Any], Any]:
    """A cell value read along a dotted path; `get_x_display` methods are called."""

    def read(obj):
        for part in path.split("."):
            if obj is None:
                return ""
            obj = getattr(obj, part)
            if callable(obj):
                obj = obj()
        return "" if obj is None else obj

    return read


@dataclass(frozen=True)
class Column:
    """A column: `value` (a dotted path or a function of the row's object) is
    what the cell and the export say; `order` the model fields it sorts by
    (none: not sortable); `link` a function giving the cell's address."""

    key: str
    label: str
    value: str | Callable[[Any], Any]
    order: tuple[str, ...] = ()
    link: Callable[[Any], str] | None = None
    export: bool = True

    def read(self, obj) -> Any:
        return attr(self.value)(obj) if isinstance(self.value, str) else self.value(obj)


@dataclass(frozen=True)
class Filter:
    """A filter from a GET parameter. With `choices` (a list of (value, label)
    or a function of the request giving one) it is a select and any other
    value is ignored; without, a text box searched over `lookups` (OR'd).
    `lookup` is the field a choice is matched against; `apply` a function
    (queryset, value) → queryset for anything else; `default` a function of
    the request giving the value when the parameter is absent; `view_applies` leaves
    the filtering to the view (the table only offers and checks the value)."""

    key: str
    label: str
    lookups: tuple[str, ...] = ()
    choices: Sequence[tuple[str, str]] | Callable[[HttpRequest], Sequence[tuple[str, str]]] | None = None
    lookup: str = ""
    apply: Callable[[QuerySet, str], QuerySet] | None = None
    view_applies: bool = False
    blank: str | None = "全部"  # the select's "no condition" option; None: there is none
    default: Callable[[HttpRequest], str] | None = None  # the value when the parameter is absent


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: Sequence[Column]
    filters: Sequence[Filter] = ()
    default_sort: str = ""  # a column key, "-" before it for descending; "" keeps the view's order
    page_sizes: Sequence[int] = PAGE_SIZES
    per_page: int = 50
    exportable: bool = True
    htmx: bool = False  # sort, filter and page inside the page (hx-boost) where the page already used htmx

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key and c.order), None)

    def bind(self, request: HttpRequest, queryset: QuerySet | Iterable) -> "BoundTable":
        return BoundTable(self, request, queryset)


@dataclass
class FilterState:
    filter: Filter
    value: str
    choices: Sequence[tuple[str, str]] = ()
    id: str = ""

    @property
    def is_choice(self) -> bool:
        return self.filter.choices is not None


@dataclass
class HeaderCell:
    column: Column
    sortable: bool
    aria_sort: str = "none"
    url: str = ""


@dataclass
class Row:
    obj: Any
    cells: list[tuple[Any, str]] = field(default_factory=list)  # (value, link)


class BoundTable:
    def __init__(self, table: Table, request: HttpRequest, queryset):
        self.table = table
        self.request = request
        self.params = request.GET
        self.notes: list[str] = []
        self.id = f"table-{table.name}"
        self.filters = [self._filter_state(f) for f in table.filters]
        queryset = self._apply_filters(queryset)
        self.sort_key, self.descending = self._sort()
        self.queryset = self._order(queryset)
        self.per_page = self._per_page()
        self.export_requested = table.exportable and self.params.get(EXPORT) == "xlsx"
        if not self.export_requested:
            self.page = Paginator(self.queryset, self.per_page).get_page(self.params.get(PAGE))
            self.rows = [self._row(obj) for obj in self.page.object_list]

    # --- reading the GET parameters ---

    def _filter_state(self, f: Filter) -> FilterState:
        if f.key not in self.params and f.default:
            value = f.default(self.request)
        else:
            value = self.params.get(f.key, "").strip()
        choices: Sequence[tuple[str, str]] = ()
        if f.choices is not None:
            choices = f.choices(self.request) if callable(f.choices) else f.choices
            if value and value not in {str(v) for v, _ in choices}:
                self.notes.append(f"“{f.label}”没有“{value[:40]}”这一项，已忽略该条件")
                value = ""
        return FilterState(f, value, choices, f"{self.id}-{f.key}")

    def _apply_filters(self, qs):
        for state in self.filters:
            f, value = state.filter, state.value
            if not value or f.view_applies:
                continue
            if f.apply:
                qs = f.apply(qs, value)
            elif f.choices is not None:
                qs = qs.filter(**{f.lookup or f.key: value})
            elif f.lookups:
                q = Q()
                for lookup in f.lookups:
                    q |= Q(**{lookup if lookup.endswith(LOOKUP_TYPES) else f"{lookup}__icontains": value})
                qs = qs.filter(q)
        return qs

    def _sort(self) -> tuple[str, bool]:
        raw = self.params.get(SORT, "")
        if raw:
            key = raw.removeprefix("-")
            if self.table.column(key):
                return key, raw.startswith("-")
            self.notes.append(f"不能按“{raw[:40]}”排序，已按默认顺序排列")
        default = self.table.default_sort
        return default.removeprefix("-"), default.startswith("-")

    def _order(self, qs):
        column = self.table.column(self.sort_key)
        if column is None or not isinstance(qs, QuerySet):
            return qs
        # Empty values last either way, then the key so pages never overlap.
        fields = [F(f).desc(nulls_last=True) if self.descending else F(f).asc(nulls_last=True) for f in column.order]
        return qs.order_by(*fields, "-pk" if self.descending else "pk")

    def _per_page(self) -> int:
        sizes = sorted(self.table.page_sizes)
        raw = self.params.get(PER_PAGE, "")
        if not raw:
            return self.table.per_page
        try:
            wanted = int(raw)
        except ValueError:
            self.notes.append(f"每页条数应为数字，已按每页 {self.table.per_page} 条显示")
            return self.table.per_page
        if wanted in sizes:
            return wanted
        chosen = max([s for s in sizes if s <= wanted], default=sizes[0])
        self.notes.append(f"每页条数只能为 {'、'.join(map(str, sizes))}，已按每页 {chosen} 条显示")
        return chosen

    def _row(self, obj) -> Row:
        return Row(obj, [(_text(c.read(obj)), c.link(obj) if c.link else "") for c in self.table.columns])

    # --- addresses for the template ---

    def url(self, **changes) -> str:
        query: QueryDict = self.params.copy()
        for key in (EXPORT, PAGE):
            query.pop(key, None)
        for key, value in changes.items():
            query.pop(key, None)
            if value not in (None, ""):
                query[key] = str(value)
        encoded = query.urlencode()
        return f"?{encoded}" if encoded else "?"

    @property
    def header(self) -> list[HeaderCell]:
        cells = []
        for c in self.table.columns:
            if not c.order:
                cells.append(HeaderCell(c, False))
                continue
            current = c.key == self.sort_key
            aria = ("descending" if self.descending else "ascending") if current else "none"
            # A click on the current column turns its order round.
            url = self.url(**{SORT: f"-{c.key}" if current and not self.descending else c.key})
            cells.append(HeaderCell(c, True, aria, url))
        return cells

    @property
    def hidden(self) -> list[tuple[str, str]]:
        """What the filter form carries along unchanged: the page's own
        parameters (a tab, say) and the sort."""
        own = {f.key for f in self.table.filters} | {PER_PAGE, PAGE, EXPORT}
        return [(k, v) for k in self.params for v in self.params.getlist(k) if k not in own]

    @property
    def page_sizes(self) -> Sequence[int]:
        return self.table.page_sizes

    @property
    def export_url(self) -> str:
        return self.url(**{EXPORT: "xlsx"}) if self.table.exportable else ""

    def page_url(self, number: int) -> str:
        return self.url(**{PAGE: number})

    @property
    def pager(self) -> dict[str, str]:
        page = self.page
        links = {}
        if page.has_previous():
            links["first"] = self.page_url(1)
            links["previous"] = self.page_url(page.previous_page_number())
        if page.has_next():
            links["next"] = self.page_url(page.next_page_number())
            links["last"] = self.page_url(page.paginator.num_pages)
        return links

    @property
    def active_filters(self) -> list[str]:
        labels = []
        for state in self.filters:
            if state.value:
                shown = {str(v): lbl for v, lbl in state.choices}.get(state.value, state.value)
                labels.append(f"{state.filter.label}：{shown}")
        return labels

    # --- the export ---

    def export_response(self) -> FileResponse:
        """The whole filtered, sorted list (not just this page) as .xlsx, with
        the same columns and values the page shows."""
        from openpyxl import Workbook
        from openpyxl.styles import Font

        columns = [c for c in self.table.columns if c.export]
        book = Workbook()
        sheet = book.active
        sheet.title = self.table.title[:31]
        sheet.append([c.label for c in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        count = 0
        rows = self.queryset.iterator(chunk_size=500) if isinstance(self.queryset, QuerySet) else self.queryset
        for obj in rows:
            if count == EXPORT_LIMIT:
                sheet.append([f"仅导出前 {EXPORT_LIMIT} 条，请加筛选条件后分批导出"])
                break
            sheet.append([_excel(c.read(obj)) for c in columns])
            count += 1
        for n, c in enumerate(columns):
            sheet.column_dimensions[sheet.cell(row=1, column=n + 1).column_letter].width = max(10, 2 * len(c.label) + 4)
        conditions = book.create_sheet("筛选条件")
        conditions.append(["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
        conditions.append(["条数", count])
        for label in self.active_filters or ["筛选：全部"]:
            conditions.append(label.split("：", 1))
        buffer = io.BytesIO()
        book.save(buffer)
        buffer.seek(0)
        stamp = timezone.localtime().strftime("%Y%m%d_%H%M")
        return FileResponse(buffer, as_attachment=True, filename=f"{self.table.title}_{stamp}.xlsx", content_type=XLSX)


def _text(value) -> str:
    """What a cell shows: times to the minute in local time, 是/否 for yes/no."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            if timezone.is_aware(value)
            else f"{value:%Y-%m-%d %H:%M}"
        )
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return "" if value is None else str(value)


def _excel(value):
    """A cell value openpyxl can write: aware times in local time, the rest as text."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (int, float, Decimal, dt.date)) or value is None:
        return value
    return str(value)
