"""The business calendar as a person edits it: a line per weekday, a date per line for holidays
and make-up workdays 调休 — never raw JSON — with refusals in the user's language."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.sla.models import BusinessCalendarConfig

WEEKDAYS = [
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
    ("sat", _("Saturday")),
    ("sun", _("Sunday")),
]
PERIOD = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$")


def _periods(text: str, label: str) -> list[str]:
    periods = [p.strip().replace("–", "-").replace(" ", "") for p in re.split(r"[,，;；\s]+", text) if p.strip()]
    for period in periods:
        if not PERIOD.match(period) or period.split("-")[0] >= period.split("-")[1]:
            raise forms.ValidationError(
                _("%(day)s: “%(value)s” is not a working period like 09:00-12:00.")
                % {"day": label, "value": period}
            )
    return periods


def _dates(text: str) -> list[str]:
    out = []
    for value in (v.strip() for v in re.split(r"[,，;；\s]+", text) if v.strip()):
        try:
            out.append(date.fromisoformat(value).isoformat())
        except ValueError:
            raise forms.ValidationError(
                _("“%(value)s” is not a date like 2026-10-01.") % {"value": value}
            ) from None
    return sorted(set(out))


class BusinessCalendarForm(forms.ModelForm):
    timezone = forms.CharField(label=_("Time zone"), initial="Asia/Shanghai")
    holidays = forms.CharField(
        label=_("Holidays"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One date per line, e.g. 2026-10-01."),
    )
    makeup_workdays = forms.CharField(
        label=_("Make-up workdays (调休)"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Weekend dates that are worked, one per line."),
    )

    for _key, _label in WEEKDAYS:
        locals()[f"week_{_key}"] = forms.CharField(
            label=_label,
            required=False,
            help_text=_("Working periods, e.g. 09:00-12:00, 13:00-18:00; empty: a day off."),
        )
    del _key, _label

    class Meta:
        model = BusinessCalendarConfig
        fields = ["name"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        data = (self.instance.data if self.instance and self.instance.pk else None) or {}
        week = data.get("week", {})
        for key, _label in WEEKDAYS:
            self.initial.setdefault(f"week_{key}", ", ".join(week.get(key, [])))
        self.initial.setdefault("timezone", data.get("timezone", "Asia/Shanghai"))
        self.initial.setdefault("holidays", "\n".join(data.get("holidays", [])))
        self.initial.setdefault("makeup_workdays", "\n".join(data.get("makeup_workdays", [])))
        self._makeup_periods = data.get("makeup_periods", [])

    def clean_timezone(self) -> str:
        value = self.cleaned_data["timezone"].strip()
        if value not in available_timezones():
            raise forms.ValidationError(_("Unknown time zone; use a name like Asia/Shanghai."))
        return value

    def clean_holidays(self) -> list[str]:
        return _dates(self.cleaned_data["holidays"])

    def clean_makeup_workdays(self) -> list[str]:
        return _dates(self.cleaned_data["makeup_workdays"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        week = {}
        for key, label in WEEKDAYS:
            try:
                week[key] = _periods(data.get(f"week_{key}", "") or "", str(label))
            except forms.ValidationError as error:
                self.add_error(f"week_{key}", error)
        if not self.errors:
            self.instance.data = {
                "timezone": data["timezone"],
                "week": week,
                "holidays": data["holidays"],
                "makeup_workdays": data["makeup_workdays"],
                "makeup_periods": self._makeup_periods,
            }
        return data
