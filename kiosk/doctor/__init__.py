"""`kiosk doctor`: the technician's health checks of a kiosk, as plain records (no Kivy).

The checks themselves (`kiosk.doctor.report`) reach into every part of the kiosk (sync, platform,
devices); they load when first used, not when a kiosk that only names a `Check` starts.
"""

from typing import TYPE_CHECKING, Any

from kiosk.doctor.check import Check, Status, overall, run_bounded

if TYPE_CHECKING:
    from kiosk.doctor.report import device_checks, report_json, report_table, run_checks

#: Names this package hands out from `kiosk.doctor.report`, loaded on first use.
_FROM_REPORT = frozenset({"device_checks", "report_json", "report_table", "run_checks"})


def __getattr__(name: str) -> Any:
    if name in _FROM_REPORT:
        from kiosk.doctor import report

        return getattr(report, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
