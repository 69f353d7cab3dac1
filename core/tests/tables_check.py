"""What a person sees of a core.tables list page, read back for the tests:
the rows of the page's table as text, and the rows of its Excel export."""

import html
import io
import re

from openpyxl import load_workbook

TAG = re.compile(r"<[^>]+>")


def page_rows(response) -> list[list[str]]:
    """The cells of the page's table body, as text (tags removed, spaces squeezed)."""
    body = response.content.decode()
    tbody = body[body.index("<tbody>") : body.index("</tbody>")]
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", tbody, re.S):
        cells = [
            " ".join(html.unescape(TAG.sub(" ", td)).split()) for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        ]
        if len(cells) > 1:  # not the one-cell "nothing found" row
            rows.append(cells)
    return rows


def export_rows(response) -> list[list[str]]:
    """The export's first sheet below its header, every cell as text."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    values = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    return values[1:]


def header(response) -> list[str]:
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [str(v) for v in next(book.worksheets[0].iter_rows(values_only=True))]


def sort_state(response, label) -> str:
    """The aria-sort of the column headed `label`."""
    body = response.content.decode()
    match = re.search(r'<th scope="col" aria-sort="(\w+)"><a[^>]*>' + re.escape(label) + "</a>", body)
    assert match, f"no sortable column {label}"
    return match.group(1)
