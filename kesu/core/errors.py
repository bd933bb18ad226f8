"""Every refusal's stable code, in one registry (Zulip's ``ErrorCode``, Saleor's ``error_codes``).

The services raise them, the API answers ``{"code", "message"}`` with them, the web pages and the
tests speak of the same refusal by the same name. The message is in the user's language; the code
never changes. The workflow's refusals (:mod:`kesu.core.workflow`) use the same codes.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    # the request itself
    INVALID = "invalid"  # some fields are not valid ("fields" says which)
    BAD_REQUEST = "bad_request"  # a request Django itself refused (a malformed one, outside DRF)
    METHOD_NOT_ALLOWED = "method_not_allowed"  # DRF's code too; the Allow header says which
    SERVER_ERROR = "server_error"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    RATE_LIMITED = "rate_limited"
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    # user rights (the admin's user page)
    AUTHORITY_ABOVE_OWN = "authority_above_own"
    # intake 受理
    TEXT_REQUIRED = "text_required"
    TEAM_REQUIRED = "team_required"
    UNKNOWN_TEAM = "unknown_team"
    UNKNOWN_TIER = "unknown_tier"
    UNKNOWN_CATEGORY = "unknown_category"
    INVALID_CHANNEL = "invalid_channel"
    INVALID_SOURCE = "invalid_source"
    RECEIVED_IN_FUTURE = "received_in_future"
    RECEIVED_TOO_LONG_AGO = "received_too_long_ago"
    # bulk import
    FILE_REQUIRED = "file_required"
    FILE_TOO_LARGE = "file_too_large"
    EMPTY_FILE = "empty_file"
    BAD_ENCODING = "bad_encoding"
    BAD_FILE = "bad_file"
    MISSING_COLUMNS = "missing_columns"
    UNSUPPORTED_FILE = "unsupported_file"
    TOO_MANY_ROWS = "too_many_rows"
    TOO_MANY_COLUMNS = "too_many_columns"
    TOO_MANY_CELLS = "too_many_cells"
    CELL_TOO_LONG = "cell_too_long"
    UNPACKS_TOO_LARGE = "unpacks_too_large"  # an XLSX whose parts decompress beyond the limit
    # ownership 首问责任制
    ALREADY_OWNED = "already_owned"
    UNKNOWN_USER = "unknown_user"
    INVALID_NEW_OWNER = "invalid_new_owner"
    SAME_OWNER = "same_owner"
    # the workflow's stages and checklists
    UNKNOWN_STAGE = "unknown_stage"
    SAME_STAGE = "same_stage"
    NOT_ALLOWED = "not_allowed"
    OWNER_REQUIRED = "owner_required"
    CHECKLIST_INCOMPLETE = "checklist_incomplete"
    UNKNOWN_CHECKLIST_ITEM = "unknown_checklist_item"
    CHECKLIST_ITEM_BY_REVIEW = "checklist_item_by_review"  # the 复盘 stage's ticks come from the case review
    AGREEMENT_REQUIRED = "agreement_required"
    FOLLOW_UP_OR_REASON_REQUIRED = "follow_up_or_reason_required"
    COMPLAINT_CLOSED = "complaint_closed"
    REASON_REQUIRED = "reason_required"
    INVALID_PRIORITY = "invalid_priority"
    # the conversation
    BODY_REQUIRED = "body_required"
    INVALID_KIND = "invalid_kind"
    REPLY_BLOCKED = "reply_blocked"
    # replies that reach the customer, and attachments 附件
    INVALID_DELIVERY = "invalid_delivery"
    NO_CUSTOMER_EMAIL = "no_customer_email"
    NO_CUSTOMER_PHONE = "no_customer_phone"
    ATTACHMENT_EMPTY = "attachment_empty"
    ATTACHMENT_TOO_LARGE = "attachment_too_large"
    ATTACHMENT_TYPE_REFUSED = "attachment_type_refused"
    TOO_MANY_ATTACHMENTS = "too_many_attachments"
    INVALID_ATTACHMENT_KIND = "invalid_attachment_kind"
    # inbound mail 来信
    BAD_SIGNATURE = "bad_signature"
    MAIL_INTAKE_UNCONFIGURED = "mail_intake_unconfigured"
    # solutions, agreement, authority
    INVALID_SOLUTION = "invalid_solution"
    SOLUTION_TEXT_REQUIRED = "solution_text_required"
    SOLUTION_REQUIRED = "solution_required"
    INVALID_AMOUNT = "invalid_amount"
    REFUND_METHOD_REQUIRED = "refund_method_required"
    CASH_REASON_REQUIRED = "cash_reason_required"
    ABOVE_AUTHORITY = "above_authority"
    AMOUNT_REQUIRED = "amount_required"
    WITHIN_AUTHORITY = "within_authority"
    AGREEMENT_NOTE_REQUIRED = "agreement_note_required"
    ALREADY_DECIDED = "already_decided"
    # service-level clocks
    ALREADY_PAUSED = "already_paused"
    NOT_PAUSED = "not_paused"
    # escalation 升级
    INVALID_REASON = "invalid_reason"
    TOP_LEVEL = "top_level"
    ALREADY_ESCALATED = "already_escalated"
    ESCALATION_CLOSED = "escalation_closed"
    # follow-up 回访 and work orders 工单
    INVALID_FOLLOW_UP = "invalid_follow_up"
    NOT_IN_FOLLOW_UP = "not_in_follow_up"
    INVALID_METHOD = "invalid_method"
    COMMENT_TOO_LONG = "comment_too_long"
    INVALID_DAYS = "invalid_days"
    LINK_INVALID = "link_invalid"
    LINK_EXPIRED = "link_expired"
    LINK_USED = "link_used"
    LINK_NOT_OPEN = "link_not_open"
    LINK_RETIRED = "link_retired"  # a newer link was sent, another was answered, or a reopen
    FOLLOW_UP_ALREADY_RECORDED = "follow_up_already_recorded"  # one answer per follow-up cycle
    WORK_ORDER_INCOMPLETE = "work_order_incomplete"
    WORK_ORDER_DONE = "work_order_done"
    DUE_IN_PAST = "due_in_past"
    RESULT_REQUIRED = "result_required"
    # the KPI dashboard
    INVALID_PERIOD = "invalid_period"
    PERIOD_TOO_LONG = "period_too_long"
    INVALID_TEAM = "invalid_team"
    # quality inspection 质检 (the transcript codes are the core's TranscriptError codes)
    INVALID_SCORE = "invalid_score"
    INVALID_SCORECARD = "invalid_scorecard"
    ITEM_NOT_APPEALED = "item_not_appealed"
    NO_CONVERSATION = "no_conversation"
    NO_SCORECARD = "no_scorecard"
    NO_TRANSCRIPTS = "no_transcripts"
    NOT_AN_INSPECTOR = "not_an_inspector"
    NOT_APPLICABLE_REFUSED = "not_applicable_refused"
    SAME_INSPECTOR = "same_inspector"
    TEXT_TOO_LONG = "text_too_long"
    UNKNOWN_ITEM = "unknown_item"
    ALREADY_APPEALED = "already_appealed"
    ITEMS_PENDING = "items_pending"
    TOO_MANY_TRANSCRIPTS = "too_many_transcripts"
    UNKNOWN_COMPLAINT = "unknown_complaint"
    BAD_TIME = "bad_time"
    INVALID_JSON = "invalid_json"
    MISSING_COLUMN = "missing_column"
    MISSING_TEXT = "missing_text"
    NO_TURNS = "no_turns"
    NOT_A_TRANSCRIPT = "not_a_transcript"
    TOO_MANY_TURNS = "too_many_turns"
    UNKNOWN_SPEAKER = "unknown_speaker"
    # case reviews 复盘, improvement actions and opportunities (closing the loop 闭环)
    REVIEW_REQUIRED = "review_required"
    REVIEW_INCOMPLETE = "review_incomplete"
    ROOT_CAUSE_REQUIRED = "root_cause_required"
    REVIEW_NOT_DRAFT = "review_not_draft"
    REVIEW_NOT_SUBMITTED = "review_not_submitted"
    OWN_REVIEW = "own_review"
    UNKNOWN_ROOT_CAUSE = "unknown_root_cause"
    UNKNOWN_TOUCHPOINT = "unknown_touchpoint"
    INVALID_MEASURE = "invalid_measure"
    INVALID_STATUS = "invalid_status"
    OFFER_NEGATIVE_EMOTION = "offer_negative_emotion"
    OFFER_AFTER_DISSATISFIED = "offer_after_dissatisfied"
    OFFER_BAD_FAITH = "offer_bad_faith"
    OFFER_NO_CONSENT = "offer_no_consent"
    # training 培训 (role-play, the case library)
    INVALID_SCENARIO = "invalid_scenario"
    SCENARIO_INACTIVE = "scenario_inactive"
    SESSION_FINISHED = "session_finished"
    SESSION_ACTIVE = "session_active"
    INVALID_GROUP = "invalid_group"
    ROUND_NOT_FINISHED = "round_not_finished"
    GROUP_FINISHED = "group_finished"
    INVALID_RATING = "invalid_rating"
    COMPLAINT_NOT_CLOSED = "complaint_not_closed"
    CASE_EXISTS = "case_exists"
    CASE_LEAKS = "case_leaks_personal_data"
    SECOND_PERSON_REQUIRED = "second_person_required"
    CASE_NOT_CHECKED = "case_not_checked"
    CASE_NOT_PUBLISHED = "case_not_published"
    # the demo
    RESET_REFUSED = "reset_refused"
