"""The customer's follow-up page at ``/f/<token>/``: no login, Chinese first, CSRF-protected,
rate-limited per address. Refusals (forged, expired, used) answer 410 with a plain page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.complaints.models import Complaint
from kesu.core import privacy
from kesu.followup import ratelimit, services
from kesu.followup.forms import CustomerAnswerForm
from kesu.handling.follow_up import answer_follow_up_link
from kesu.notifications.templates import render as render_template

#: Page views and answers per client address per window.
RATE_LIMIT = 30
RATE_WINDOW_S = 600


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    limit = int(getattr(settings, "KESU_FOLLOWUP_RATE_LIMIT", RATE_LIMIT))
    if not ratelimit.allow(
        f"followup:{ratelimit.client_address(request)}", limit=limit, window_s=RATE_WINDOW_S
    ):
        return render(request, "followup/refused.html", {"code": ErrorCode.RATE_LIMITED}, status=429)
    try:
        link = services.follow_up_link_check(token)
    except services.LinkRefused as refusal:
        return render(
            request, "followup/refused.html", {"code": refusal.code, "message": refusal.message}, status=410
        )
    form = CustomerAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            answer_follow_up_link(
                token=token, result=form.cleaned_data["result"], comment=form.cleaned_data["comment"]
            )
        except services.LinkRefused as refusal:
            return render(
                request,
                "followup/refused.html",
                {"code": refusal.code, "message": refusal.message},
                status=410,
            )
        except ComplaintError as error:
            form.add_error(None, error.message)
        else:
            return render(request, "followup/thanks.html", {"result": form.cleaned_data["result"]})
    complaint = link.complaint
    return render(
        request,
        "followup/answer.html",
        {
            "form": form,
            "reference": complaint.reference,
            "surname": privacy.surname(complaint.customer.name),
            "summary": customer_summary(complaint),
            # The admin-edited greeting (notifications' "follow-up-page"), without a name: the
            # page has greeted the customer by surname already, never by a masked name.
            "greeting": render_template("follow-up-page", name="", ref=complaint.reference)[1],
            "expires_at": link.expires_at,
        },
    )


def customer_summary(complaint: Complaint) -> dict[str, Any]:
    """What the customer is reminded of: when they complained, about what, and the kind of
    solution — never the agents' internal steps, notes or the analysis."""
    return {
        "received_at": complaint.received_at,
        "product": complaint.product,
        "category": complaint.category.name if complaint.category_id else "",
        "solution": complaint.get_solution_type_display() if complaint.solution_type else "",
        "amount": complaint.solution_amount,
    }
