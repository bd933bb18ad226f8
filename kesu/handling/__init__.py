"""Handling 处理: the acts of the method that span capabilities, each in one transaction.

Taking a complaint in starts its clocks and escalates it when it is serious; a reply stops the
first-reply clock; a recorded solution stops the effective-reply clock; closing stops both;
reopening restarts them; a dissatisfied follow-up closes, reopens and escalates. The complaint
(:mod:`kesu.complaints`) and each capability (:mod:`kesu.sla`, :mod:`kesu.escalation`,
:mod:`kesu.followup`) do their own part and know nothing of one another; the acts here put the
parts together, and :mod:`kesu.handling.steps` says which capability does what at each point
(``ON_INTAKE``, ``ON_REPLY``, ``ON_SOLUTION``, ``ON_CLOSE``, ``ON_REOPEN``, ``ON_BREACH``) — the
place where a new capability (quality inspection, reviews, training) hooks in.

Web pages, the API, the bulk importer, the demo and the sweep call these acts:

- :func:`kesu.handling.intake.take_in`, :func:`~kesu.handling.intake.take_in_idempotent`
- :func:`kesu.handling.conversation.add_message`
- :func:`kesu.handling.solution.record_solution`, :func:`~kesu.handling.solution.decide_approval`
- :func:`kesu.handling.stages.move`
- :func:`kesu.handling.follow_up.record_follow_up`, :func:`~kesu.handling.follow_up.answer_follow_up_link`
- :func:`kesu.handling.sweep.sweep`; :mod:`kesu.handling.importer` for bulk intake

(This package is a Django app for its management commands and tasks; it has no models, and its
``__init__`` imports nothing so that the app registry can load it first.)
"""
