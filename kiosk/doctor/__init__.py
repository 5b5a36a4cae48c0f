"""`kiosk doctor`: the technician's health checks of a kiosk, as plain records (no Kivy)."""

from kiosk.doctor.check import Check, Status, overall, run_bounded
from kiosk.doctor.report import device_checks, report_json, report_table, run_checks

__all__ = [
    "Check",
    "Status",
    "device_checks",
    "overall",
    "report_json",
    "report_table",
    "run_bounded",
    "run_checks",
]
