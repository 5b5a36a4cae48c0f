"""A case receipt's code (受理回执): the case number and query code it carries, for the scanner.

The receipt of a case filed at a hall or online carries a QR code with the two things a resident
types to follow it: `case_no` and `query_code`, as the query of an address
(`https://…/case?case_no=WH2026110700001&query_code=482913`) or on their own
(`case_no=WH2026110700001&query_code=482913`). Anything else is not a receipt.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

CASE_NO = re.compile(r"[A-Z0-9]{6,24}")
QUERY_CODE = re.compile(r"[0-9]{4,8}")


def read_receipt(text: str) -> tuple[str, str] | None:
    """(case number, query code) from a receipt's code, None when the code is not a receipt's."""
    text = text.strip()
    query = urlsplit(text).query if "://" in text else text
    fields = parse_qs(query, max_num_fields=8)
    case_no = fields.get("case_no", [""])[0].strip().upper()
    query_code = fields.get("query_code", [""])[0].strip()
    if CASE_NO.fullmatch(case_no) and QUERY_CODE.fullmatch(query_code):
        return case_no, query_code
    return None


__all__ = ["read_receipt"]
