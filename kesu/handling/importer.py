"""Bulk intake from CSV or XLSX (SPEC §2).

Every row goes through the same validation as the API and the same act, :func:`~kesu.handling.intake.take_in`,
each in its own transaction: a bad row is rejected with its row number and reason, good rows
are kept, and no row is ever half-written. Headers may be English codes or the Chinese column
names a complaint team's spreadsheet uses; CSV may be UTF-8 or GB18030 (Excel's Chinese export).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import Team, User
from kesu.complaints.errors import ComplaintError, ErrorCode, PermissionRefused
from kesu.complaints.intake import ComplaintCreateIn, create_kwargs
from kesu.complaints.models import Channel, Complaint, DemandType, ReceivingUnit, Source
from kesu.handling.intake import take_in

HEADER_ALIASES: dict[str, str] = {
    "customer_id": "customer.external_id",
    "客户编号": "customer.external_id",
    "customer_name": "customer.name",
    "客户姓名": "customer.name",
    "姓名": "customer.name",
    "phone": "customer.phone",
    "电话": "customer.phone",
    "联系电话": "customer.phone",
    "email": "customer.email",
    "邮箱": "customer.email",
    "tier": "customer.tier",
    "客户等级": "customer.tier",
    "channel": "channel",
    "渠道": "channel",
    "source": "source",
    "来源": "source",
    "receiving_unit": "receiving_unit",
    "受理单位": "receiving_unit",
    "text": "text",
    "投诉内容": "text",
    "product": "product",
    "产品": "product",
    "order_number": "order_number",
    "订单号": "order_number",
    "demand_type": "demand_type",
    "诉求": "demand_type",
    "demand_amount": "demand_amount",
    "金额": "demand_amount",
    "received_at": "received_at",
    "受理时间": "received_at",
    "external_ref": "external_ref",
    "外部编号": "external_ref",
    "team": "team",
    "班组": "team",
    "priority": "priority",
    "优先级": "priority",
}
REQUIRED = ("customer.name", "text", "channel")

# Chinese values a spreadsheet may hold, mapped to codes.
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "channel": {
        "电话": Channel.PHONE,
        "在线": Channel.WEB,
        "网站": Channel.WEB,
        "在线客服": Channel.CHAT,
        "邮件": Channel.EMAIL,
        "信函": Channel.LETTER,
        "上门": Channel.WALK_IN,
        "上门来访": Channel.WALK_IN,
        "社交媒体": Channel.SOCIAL,
        "升级转办": Channel.REFERRAL,
    },
    "source": {
        "客户": Source.CUSTOMER,
        "工信部": Source.REGULATOR_MIIT,
        "省通信管理局": Source.REGULATOR_PROVINCE_COMM,
        "金融监管": Source.REGULATOR_FINANCE,
        "12315": Source.REGULATOR_MARKET,
        "市场监管": Source.REGULATOR_MARKET,
        "消费者协会": Source.CONSUMER_ASSOCIATION,
        "消协": Source.CONSUMER_ASSOCIATION,
        "集团公司": Source.HEADQUARTERS,
    },
    "receiving_unit": {
        "省公司": ReceivingUnit.PROVINCIAL,
        "地市分公司": ReceivingUnit.CITY,
        "分公司": ReceivingUnit.CITY,
        "营业厅": ReceivingUnit.COUNTER,
        "营业厅柜台": ReceivingUnit.COUNTER,
    },
    "customer.tier": {"VIP": "vip", "高端": "high", "高价值": "high", "普通": "standard", "标准": "standard"},
    "demand_type": {
        "退款": DemandType.REFUND,
        "换货": DemandType.REPLACEMENT,
        "维修": DemandType.REPAIR,
        "赔偿": DemandType.COMPENSATION,
        "道歉": DemandType.APOLOGY,
        "解释": DemandType.EXPLANATION,
        "处罚责任人": DemandType.PUNISH_STAFF,
        "其他": DemandType.OTHER,
    },
    "priority": {"低": "1", "普通": "2", "高": "3", "紧急": "4"},
}


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    skipped: int = 0
    references: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "created": self.created,
            "skipped": self.skipped,
            "references": self.references,
            "errors": self.errors,
        }


class ImportFileError(ComplaintError):
    """The file as a whole cannot be read; nothing was imported."""


def _rows_csv(stream: IO[bytes]) -> Iterator[list[str]]:
    raw = stream.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(ErrorCode.BAD_ENCODING, _("The CSV file is neither UTF-8 nor GB18030 encoded."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def _rows_xlsx(stream: IO[bytes]) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a broken file
        raise ImportFileError(
            ErrorCode.BAD_FILE, _("The XLSX file cannot be read: %(error)s") % {"error": error}
        ) from None
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(values_only=True):
        yield ["" if value is None else value for value in row]


def read_rows(name: str, stream: IO[bytes]) -> Iterator[list[Any]]:
    lower = name.lower()
    if lower.endswith(".csv") or lower.endswith(".txt"):
        return _rows_csv(stream)
    if lower.endswith(".xlsx"):
        return _rows_xlsx(stream)
    raise ImportFileError(ErrorCode.UNSUPPORTED_FILE, _("Upload a .csv or .xlsx file."))


def _header(row: list[Any]) -> list[str | None]:
    columns = [
        HEADER_ALIASES.get(str(cell).strip().lower()) or HEADER_ALIASES.get(str(cell).strip()) for cell in row
    ]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ImportFileError(
            ErrorCode.MISSING_COLUMNS,
            _("The header row lacks required columns: %(columns)s.") % {"columns": ", ".join(missing)},
        )
    return columns


def _payload(columns: list[str | None], row: list[Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {"customer": {}}
    for column, cell in zip(columns, row, strict=False):
        if column is None:
            continue
        value = cell.isoformat() if hasattr(cell, "isoformat") else str(cell).strip()
        value = VALUE_ALIASES.get(column, {}).get(value, value)
        if column.startswith("customer."):
            payload["customer"][column.split(".", 1)[1]] = value
        elif value != "":
            payload[column] = value
    return payload


def _flatten(errors: Any, prefix: str = "") -> list[str]:
    if isinstance(errors, dict):
        out: list[str] = []
        for key, value in errors.items():
            out.extend(_flatten(value, f"{prefix}{key}."))
        return out
    if isinstance(errors, list):
        return [f"{prefix.rstrip('.')}: {message}" if prefix else str(message) for message in errors]
    return [f"{prefix.rstrip('.')}: {errors}"]


def import_rows(*, actor: User, rows: Iterable[list[Any]]) -> ImportReport:
    report = ImportReport()
    iterator = iter(rows)
    try:
        columns = _header(next(iterator))
    except StopIteration:
        raise ImportFileError(ErrorCode.EMPTY_FILE, _("The file is empty.")) from None
    teams = {team.name: team.pk for team in Team.objects.all()}
    for number, row in enumerate(iterator, start=2):
        if not any(str(cell).strip() for cell in row):
            continue
        report.total += 1
        if report.total > settings.KESU_MAX_IMPORT_ROWS:
            report.errors.append(
                {"row": number, "errors": [_("Too many rows; the rest of the file was not imported.")]}
            )
            break
        payload = _payload(columns, row)
        if "team" in payload:
            team_name = payload["team"]
            payload["team"] = teams.get(team_name, -1)
            if payload["team"] == -1:
                report.errors.append(
                    {"row": number, "errors": [_("Unknown team: %(team)s.") % {"team": team_name}]}
                )
                continue
        ref = payload.get("external_ref")
        if ref and Complaint.objects.filter(external_ref=ref).exists():
            report.skipped += 1
            continue
        serializer = ComplaintCreateIn(data=payload)
        if not serializer.is_valid():
            report.errors.append({"row": number, "errors": _flatten(serializer.errors)})
            continue
        try:
            with transaction.atomic():
                complaint = take_in(actor=actor, **create_kwargs(serializer.validated_data))
        except ComplaintError as error:
            report.errors.append({"row": number, "errors": [error.message]})
            continue
        except IntegrityError:
            report.skipped += 1
            continue
        report.created += 1
        report.references.append(complaint.reference)
    return report


def import_file(*, actor: User, name: str, stream: IO[bytes], size: int | None = None) -> ImportReport:
    if not actor.has_perm("complaints.import_complaints"):
        raise PermissionRefused()
    if size is not None and size > settings.KESU_MAX_IMPORT_BYTES:
        raise ImportFileError(ErrorCode.FILE_TOO_LARGE, _("The file is larger than the import limit."))
    return import_rows(actor=actor, rows=read_rows(name, stream))
