"""The complaint record (SPEC §2), its conversation and its append-only audit trail.

State changes go through the acts (``kesu.handling``, ``kesu.complaints.services``); nothing
here holds business rules beyond the invariants a row must keep on its own.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.append_only import AppendOnlyModel
from kesu.core import kpi as core_kpi
from kesu.core.workflow import Stage
from kesu.storage import StorageAlias


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WEB = "web", _("Online form")
    CHAT = "chat", _("Online chat")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    WALK_IN = "walk_in", _("Walk-in")
    SOCIAL = "social", _("Social media")
    REFERRAL = "referral", _("Referral from above")


class Source(models.TextChoices):
    CUSTOMER = "customer", _("Customer directly")
    REGULATOR_MIIT = "regulator_miit", _("MIIT (工信部)")
    REGULATOR_PROVINCE_COMM = "regulator_province_comm", _("Provincial communications administration")
    REGULATOR_FINANCE = "regulator_finance", _("Financial regulator")
    REGULATOR_MARKET = "regulator_market", _("Market regulator / 12315")
    CONSUMER_ASSOCIATION = "consumer_association", _("Consumer association")
    HEADQUARTERS = "headquarters", _("Group headquarters")


class ReceivingUnit(models.TextChoices):
    """Which unit took a complaint in (受理单位): a walk-in or letter counts as an escalated
    complaint only when the configured units took it in (SPEC §11: by default the provincial-level
    company itself, not a branch counter)."""

    PROVINCIAL = "provincial", _("Provincial company")
    CITY = "city", _("City branch")
    COUNTER = "counter", _("Branch counter")


#: Referrals from regulators, authorities and headquarters make an escalated complaint (升级投诉);
#: so do walk-ins and letters received directly by the units :class:`EscalatedComplaintConfig`
#: names (SPEC §11, escalated complaints per million).
ESCALATED_CHANNELS = frozenset({Channel.WALK_IN, Channel.LETTER})


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class DemandType(models.TextChoices):
    REFUND = "refund", _("Refund")
    REPLACEMENT = "replacement", _("Replacement")
    REPAIR = "repair", _("Repair")
    COMPENSATION = "compensation", _("Compensation")
    APOLOGY = "apology", _("Apology")
    EXPLANATION = "explanation", _("Explanation")
    PUNISH_STAFF = "punish_staff", _("Punish the staff responsible")
    OTHER = "other", _("Other")


class SolutionType(models.TextChoices):
    REPAIR = "repair", _("Repair")
    REPLACEMENT = "replacement", _("Replacement")
    REFUND = "refund", _("Refund")
    COMPENSATION = "compensation", _("Compensation")
    APOLOGY = "apology", _("Apology")
    EXPLANATION = "explanation", _("Explanation")
    OTHER = "other", _("Other")


#: Solutions that pay the customer: they state how much, and the amount counts against authority.
COMPENSATING = frozenset({SolutionType.REFUND, SolutionType.COMPENSATION})


class RefundMethod(models.TextChoices):
    """Credit to the bill/account is preferred over cash (话费返回优于现金退还)."""

    BILL_CREDIT = "bill_credit", _("Credit to the bill")
    ACCOUNT = "account", _("Back to the original account")
    CASH = "cash", _("Cash")


class FollowUpResult(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    VERY_DISSATISFIED = "very_dissatisfied", _("Very dissatisfied")
    UNREACHABLE = "unreachable", _("Customer unreachable")


class StageChoices(models.TextChoices):
    """Stage labels for forms and lists; admins rename stages in :class:`StageConfig`."""

    ACCEPT = Stage.ACCEPT.value, _("Accept")
    LISTEN = Stage.LISTEN.value, _("Listen & empathize")
    CONFIRM = Stage.CONFIRM.value, _("Confirm facts & needs")
    PROPOSE = Stage.PROPOSE.value, _("Propose a solution")
    AGREE = Stage.AGREE.value, _("Agree")
    ACT = Stage.ACT.value, _("Act")
    FOLLOW_UP = Stage.FOLLOW_UP.value, _("Follow up")
    CLOSED = Stage.CLOSED.value, _("Closed")
    REVIEW = Stage.REVIEW.value, _("Review")


class Category(models.Model):
    """Complaint taxonomy (SPEC §3), admin-editable; sub-categories point to their parent."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    compensation_standard = models.DecimalField(
        _("compensation standard (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "The usual compensation for this kind of complaint (SPEC §11). A demand far above it is shown "
            "to team leads as a bad-faith signal; a sub-category without one uses its parent's."
        ),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


#: The longest reason to close without a follow-up (the column, the API and the act agree).
MAX_CLOSE_REASON = 500

class Complaint(models.Model):
    #: Set by intake on the instance it just created: the attachments it stored with it (often
    #: none), so what runs in the same transaction (an escalation's package) need not read them
    #: back. None on every instance read from the database.
    intake_attachments: list[Attachment] | None = None

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="complaints"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_complaints",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    source = models.CharField(_("source"), max_length=30, choices=Source.choices, default=Source.CUSTOMER)
    escalated_complaint = models.BooleanField(
        _("escalated complaint (升级投诉)"),
        default=False,
        help_text=_(
            "Referred by a regulator, an authority or headquarters, or a walk-in or letter received"
            " directly by a unit the escalated-complaint rules name."
        ),
    )
    receiving_unit = models.CharField(
        _("receiving unit"),
        max_length=20,
        choices=ReceivingUnit.choices,
        default=ReceivingUnit.PROVINCIAL,
        help_text=_(
            "Which unit took the complaint in; decides whether a walk-in or letter is an escalated complaint."
        ),
    )
    product = models.CharField(_("product or service"), max_length=200, blank=True)
    order_number = models.CharField(_("order or account number"), max_length=64, blank=True, db_index=True)
    text = models.TextField(_("the customer's words"))
    language = models.CharField(_("language"), max_length=10, blank=True)
    demand_type = models.CharField(
        _("demanded remedy"), max_length=20, choices=DemandType.choices, blank=True
    )
    demand_amount = models.DecimalField(
        _("demanded amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    demand_note = models.CharField(_("demand details"), max_length=500, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subcategory = models.ForeignKey(
        Category,
        verbose_name=_("sub-category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=StageChoices.choices, default=Stage.ACCEPT.value
    )
    checklist_done = models.JSONField(_("checklist items done"), default=list, blank=True)
    analysis = models.JSONField(_("analysis"), default=dict, blank=True)
    # The semantic tier (the encoder) refines the inline analysis after intake, in a task.
    semantic_pending = models.BooleanField(_("semantic analysis pending"), default=False)
    embedding = models.BinaryField(_("text embedding (float16)"), null=True, blank=True, editable=False)
    category_by_analysis = models.BooleanField(
        _("category set by the analysis"),
        default=False,
        help_text=_("Cleared when a person sets or corrects the category; only then does the analysis stop updating it."),
    )

    solution_type = models.CharField(_("solution"), max_length=20, choices=SolutionType.choices, blank=True)
    solution_text = models.TextField(_("solution details"), blank=True)
    solution_amount = models.DecimalField(
        _("solution amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    refund_method = models.CharField(
        _("refund method"), max_length=20, choices=RefundMethod.choices, blank=True
    )
    agreement_note = models.TextField(_("agreed next steps"), blank=True)
    follow_up_result = models.CharField(
        _("follow-up result"), max_length=30, choices=FollowUpResult.choices, blank=True
    )
    follow_up_note = models.TextField(_("follow-up comment"), blank=True)
    close_reason = models.CharField(
        _("reason for closing without follow-up"), max_length=MAX_CLOSE_REASON, blank=True
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    escalation_risk = models.FloatField(
        _("escalation risk"),
        default=0.0,
        help_text=_("From the analysis, 0–1; the highest of the customer's messages."),
    )
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"), default=0, help_text=_("0 = with the agent; see the escalation ladder.")
    )
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeat of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeats",
        help_text=_("The earlier complaint on the same matter by the same customer (重复投诉)."),
    )
    repeat_count = models.PositiveSmallIntegerField(_("earlier complaints on the same matter"), default=0)
    customer_hidden = models.JSONField(
        _("customer details hidden from the team"),
        default=list,
        blank=True,
        help_text=_(
            "The returning customer's stored details (name, phone, e-mail, ID card) that the handling "
            "team did not give at intake and had no earlier complaint to know them from: shown masked "
            "to the team, in full only to roles that see every team."
        ),
    )
    bad_faith = models.BooleanField(
        _("marked as bad-faith (恶意投诉)"),
        default=False,
        help_text=_("Set by a team lead with a reason; the complaint is still handled professionally."),
    )
    bad_faith_reason = models.TextField(_("bad-faith reason"), blank=True)
    bad_faith_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked bad-faith by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    bad_faith_marked_at = models.DateTimeField(_("marked bad-faith at"), null=True, blank=True)
    external_ref = models.CharField(
        _("external reference"),
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The reference in the source system; re-importing the same row does not duplicate it."),
    )

    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    first_reply_at = models.DateTimeField(_("first reply at"), null=True, blank=True)
    effective_solution_at = models.DateTimeField(_("effective solution at"), null=True, blank=True)
    customer_agreed_at = models.DateTimeField(_("customer agreed at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    follow_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at"]
        permissions = [
            ("view_all_complaints", _("Can see every team's complaints")),
            ("view_team_complaints", _("Can see the own team's complaints")),
            ("handle_complaint", _("Can handle complaints")),
            ("transfer_complaint", _("Can transfer complaints to another owner")),
            ("view_customer_pii", _("Can see customers' personal data unmasked")),
            ("import_complaints", _("Can bulk-import complaints")),
            ("view_audit", _("Can read the audit trail")),
            ("mark_bad_faith", _("Can mark a complaint as bad-faith")),
            ("view_bad_faith_signals", _("Can see bad-faith signals from the analysis")),
        ]
        indexes = [
            models.Index(fields=["team", "stage", "-received_at"], name="complaint_team_stage_idx"),
            models.Index(fields=["owner", "stage"], name="complaint_owner_stage_idx"),
            models.Index(fields=["stage", "-received_at"], name="complaint_stage_received_idx"),
            models.Index(fields=["customer", "-received_at"], name="complaint_customer_idx"),
            models.Index(fields=["-received_at"], name="complaint_received_idx"),
            models.Index(fields=["team", "-escalation_risk"], name="complaint_team_risk_idx"),
            models.Index(
                fields=["received_at"], condition=models.Q(semantic_pending=True), name="complaint_semantic_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def stage_enum(self) -> Stage:
        return Stage(self.stage)

    @property
    def is_open(self) -> bool:
        return self.stage not in (Stage.CLOSED, Stage.REVIEW)


class MessageKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent reply")
    NOTE = "note", _("Internal note")


class Message(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.PROTECT
    )
    body = models.TextField(_("message"))
    quoted = models.TextField(
        _("quoted history"),
        blank=True,
        help_text=_("What the customer's mail client quoted below their words: kept, not analysed."),
    )
    email_message_id = models.CharField(
        _("e-mail Message-ID"),
        max_length=250,
        blank=True,
        help_text=_("Of the mail this message came in or went out as; replies thread by it."),
    )
    delivery = models.ForeignKey(
        "notifications.OutboxMessage",
        verbose_name=_("delivery"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("How a reply reaches the customer: the outbox message that carries it."),
    )
    analysis = models.JSONField(_("analysis"), default=dict, blank=True)
    semantic_pending = models.BooleanField(_("semantic analysis pending"), default=False)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["complaint", "created_at"], name="message_complaint_idx"),
            models.Index(
                fields=["created_at"], condition=models.Q(semantic_pending=True), name="message_semantic_idx"
            ),
            # Threading: a customer's reply names the Message-ID it answers.
            models.Index(
                fields=["email_message_id"],
                condition=~models.Q(email_message_id=""),
                name="message_email_id_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.kind}:{self.pk}"


class AttachmentKind(models.TextChoices):
    BILL = "bill", _("Bill or receipt")
    SCREENSHOT = "screenshot", _("Screenshot")
    PHOTO = "photo", _("Photo of the defect")
    RECORDING = "recording", _("Recording")
    ID_DOCUMENT = "id_document", _("ID document")
    OTHER = "other", _("Other")


#: Kinds that hold a person's identity: shown only to those who may see personal data unmasked.
PERSONAL_KINDS = frozenset({AttachmentKind.ID_DOCUMENT})


def attachment_path(instance: Attachment, filename: str) -> str:
    """Stored under a name of our own (the customer's name is only shown): a file name from a
    mail client never becomes a path."""
    return f"complaints/{timezone.now():%Y/%m}/{instance.storage_key}{instance.extension}"


#: ``STORAGES["attachments"]`` — the file system by default, a bucket by setting — looked up on
#: each use, so the field follows the setting (a test's, a deployment's) rather than the one in
#: force when the model was loaded.
_ATTACHMENTS_STORAGE = StorageAlias("attachments")


def attachments_storage() -> Storage:
    return _ATTACHMENTS_STORAGE


class Attachment(models.Model):
    """Evidence 证据 a customer or an agent attached: a bill, a screenshot, a photo of the defect,
    a recording, an ID document. The file lives in Django's storage (``STORAGES["attachments"]``)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=AttachmentKind.choices, default=AttachmentKind.OTHER
    )
    file = models.FileField(_("file"), upload_to=attachment_path, storage=attachments_storage, max_length=200)
    storage_key = models.CharField(max_length=40, editable=False)
    extension = models.CharField(max_length=16, blank=True, editable=False)
    filename = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    created_at = models.DateTimeField(_("attached at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["complaint", "created_at"], name="attachment_complaint_idx")]

    def __str__(self) -> str:
        return self.filename

    @property
    def personal(self) -> bool:
        return self.kind in PERSONAL_KINDS


class AuditEvent(AppendOnlyModel):
    """One change to a complaint: who, what, when, before/after. Append-only — enforced here,
    in the admin, and by a database trigger (see the migration) against raw UPDATEs."""

    append_only_message = "The audit trail is append-only."

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="audit_events", verbose_name=_("complaint")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(_("action"), max_length=40)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["complaint", "created_at"], name="audit_complaint_idx")]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.action}"


class StageConfig(models.Model):
    """Admin-editable name and description of a workflow stage (the stages themselves are code)."""

    stage = models.CharField(_("stage"), max_length=20, choices=StageChoices.choices, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    def __str__(self) -> str:
        return self.name


class ChecklistItemConfig(models.Model):
    """Admin-editable checklist item of a stage. Required items must be done to leave it."""

    stage = models.ForeignKey(StageConfig, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=50)
    label = models.CharField(_("label (Chinese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    required = models.BooleanField(_("required to leave the stage"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["stage", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["stage", "code"], name="checklist_item_unique_code")]

    def __str__(self) -> str:
        return self.label


class IdempotencyRecord(models.Model):
    """The outcome of an API create made with an ``Idempotency-Key``; a retry replays it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    complaint = models.ForeignKey(Complaint, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class EscalatedComplaintConfig(models.Model):
    """Which walk-ins and letters count as escalated complaints 升级投诉 (SPEC §11), one row
    (admin-edited). Referrals from regulators, authorities and headquarters always count."""

    walk_ins = models.BooleanField(_("walk-ins count"), default=True)
    letters = models.BooleanField(_("letters count"), default=True)
    receiving_units = models.JSONField(
        _("receiving units that count"),
        default=list,
        blank=True,
        help_text=_("Walk-ins and letters count only when one of these units took them in."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("escalated-complaint rules")
        verbose_name_plural = _("escalated-complaint rules")

    def __str__(self) -> str:
        return str(_("Escalated-complaint rules"))

    def clean(self) -> None:
        unknown = set(self.receiving_units or []) - set(ReceivingUnit.values)
        if unknown:
            raise ValidationError(
                {
                    "receiving_units": _("Unknown receiving unit: %(units)s.")
                    % {"units": ", ".join(sorted(unknown))}
                }
            )

    def rules(self) -> core_kpi.EscalatedComplaintRules:
        channels = {Channel.WALK_IN.value} if self.walk_ins else set()
        if self.letters:
            channels.add(Channel.LETTER.value)
        return core_kpi.EscalatedComplaintRules(frozenset(channels), frozenset(self.receiving_units or []))

    @classmethod
    def current(cls) -> core_kpi.EscalatedComplaintRules:
        """The rules in force: the admin's row, else the SPEC default."""
        row = cls.objects.order_by("pk").first()
        return row.rules() if row is not None else core_kpi.DEFAULT_ESCALATED_COMPLAINT_RULES
