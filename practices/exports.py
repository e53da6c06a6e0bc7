"""The co-leads' peer-learning table as XLSX (openpyxl, as the data exports)."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook


def task_force_xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Peer learning")[:31]
    sheet.append(
        [
            _("Recommendation"),
            _("Title"),
            _("Offices seeking help"),
            _("Offices open to share"),
            _("Offices open to work jointly"),
            _("Requests made"),
            _("Requests accepted"),
            _("Candidate presenters"),
        ]
    )
    for row in rows:
        sheet.append(
            [
                row.number,
                str(row.title),
                row.seekers,
                row.offering,
                row.joint,
                row.requests,
                row.accepted,
                ", ".join(f"{office.code} ({level})" for office, level in row.presenters),
            ]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
