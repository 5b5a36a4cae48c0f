"""A query's answer as the resident reads it: rows of plain text, amounts in yuan with two decimals.

Column headings are message ids; cells are the platform's values as text, or message ids for the
kiosk's own words (an account's items): screens pass every cell through the translation, which
leaves the platform's values as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from kiosk.desk.pages import TablePage
from kiosk.i18n import N_
from kiosk.platform.records import Contribution, HousingFundAccount, Licence, Service

#: The columns of social-insurance contributions, by month.
CONTRIBUTION_COLUMNS = (N_("Month"), N_("Insurance"), N_("Contribution base"), N_("You paid"), N_("Employer"))
#: The two columns of an account shown item by item.
ITEM_COLUMNS = (N_("Item"), N_("Details"))
#: The columns of the resident's electronic licences.
LICENCE_COLUMNS = (N_("Licence"), N_("Issued by"), N_("Issued on"), N_("Valid until"))


def yuan(amount: Decimal) -> str:
    """An amount as residents read it: ¥1,234.50."""
    return f"¥{amount:,.2f}"


def contributions_table(service: Service, records: Sequence[Contribution], printable: bool) -> TablePage:
    """Contributions, newest month first, with the total the resident paid under the table."""
    ordered = sorted(records, key=lambda record: record.month, reverse=True)
    rows = tuple(
        (record.month, record.insurance, yuan(record.base), yuan(record.paid), record.employer)
        for record in ordered
    )
    months = sorted({record.month for record in records})
    if not months:
        return TablePage(
            service, CONTRIBUTION_COLUMNS, (), N_("No contributions in these months."), (), False
        )
    total = sum((record.paid for record in records), Decimal(0))
    return TablePage(
        service,
        CONTRIBUTION_COLUMNS,
        rows,
        N_("{first} to {last}: you paid {total} in all."),
        (("first", months[0]), ("last", months[-1]), ("total", yuan(total))),
        printable,
    )


def account_table(service: Service, account: HousingFundAccount, printable: bool) -> TablePage:
    """A housing-fund account item by item: balance first, what residents come for."""
    rows = (
        (N_("Balance"), yuan(account.balance)),
        (N_("Monthly deposit"), yuan(account.monthly_deposit)),
        (N_("State"), account.state),
        (N_("Employer"), account.employer),
        (N_("Account number"), account.account_no),
        (N_("Opened on"), account.opened.isoformat()),
    )
    return TablePage(service, ITEM_COLUMNS, rows, printable=printable)


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else N_("No expiry")


def licences_table(service: Service, licences: Sequence[Licence], printable: bool) -> TablePage:
    """The resident's electronic licences, in the platform's order."""
    rows = tuple(
        (licence.name, licence.issuer, licence.issued.isoformat(), _day(licence.valid_until))
        for licence in licences
    )
    note = "" if rows else N_("You hold no electronic licence on the platform.")
    return TablePage(service, LICENCE_COLUMNS, rows, note, (), printable and bool(rows))


__all__ = [
    "CONTRIBUTION_COLUMNS",
    "ITEM_COLUMNS",
    "LICENCE_COLUMNS",
    "account_table",
    "contributions_table",
    "licences_table",
    "yuan",
]
