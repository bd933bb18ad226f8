"""The complaint's own writes, one module per act; each locks the row, checks permission and the
workflow, writes the change and its audit event (:mod:`kesu.complaints.audit`) in one transaction.

Exported here: the acts that touch the complaint alone, which views, the API and the demo call
directly. The acts that also start or stop clocks, escalate or reopen — taking a complaint in, a
message, a solution, a stage move, a follow-up — are composed above every capability in
:mod:`kesu.handling`; their complaint-side pieces live in :mod:`.intake`, :mod:`.conversation`,
:mod:`.solution` and :mod:`.stages`, which only :mod:`kesu.handling` calls (an import contract
holds that).
"""

from kesu.complaints.services.customers import CustomerData, customer_resolve
from kesu.complaints.services.follow_up import complaint_record_follow_up, complaint_set_close_reason
from kesu.complaints.services.ownership import (
    complaint_mark_bad_faith,
    complaint_transfer,
    complaint_update_details,
)
from kesu.complaints.services.reanalysis import complaint_reanalyse
from kesu.complaints.services.solution import complaint_record_agreement
from kesu.complaints.services.stages import complaint_accept, complaint_check_item, refusal_messages

__all__ = [
    "CustomerData",
    "complaint_accept",
    "complaint_check_item",
    "complaint_mark_bad_faith",
    "complaint_reanalyse",
    "complaint_record_agreement",
    "complaint_record_follow_up",
    "complaint_set_close_reason",
    "complaint_transfer",
    "complaint_update_details",
    "customer_resolve",
    "refusal_messages",
]
