"""The OpenAPI schema tells the truth about errors: every operation documents the refusals it can
answer, each in the API's one error shape (:mod:`kesu.api.errors`), as a postprocessing hook of
drf-spectacular (after its own enum hook, see ``SPECTACULAR_SETTINGS``).

Which refusals an operation can give follows from what it takes:

* 400 (bad input, a refused rule) where it has parameters or a body;
* 401 (no or a bad, expired or revoked token) and 403 (the role may not) unless anyone may call it;
* 404 where it names something in its path, or takes a page number past the end;
* 409 (the state forbids it now: already owned, already answered, an idempotency key reused)
  for every write;
* 413 where it takes a body (the size limit, before the view reads it), and 415 (a body of a
  media type it does not parse);
* 429 on the token endpoint (too many failed logins).

``tests/api/test_schemathesis.py`` sends generated requests to every operation and fails on any
response the schema does not declare.
"""

from __future__ import annotations

from typing import Any

ERROR_COMPONENT = "Error"

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A refusal. `code` is stable (the registry is kesu.core.errors.ErrorCode and DRF's "
    "authentication codes); `message` is in the request's language.",
    "properties": {
        "code": {"type": "string", "example": "invalid"},
        "message": {"type": "string"},
        "details": {
            "type": "array",
            "description": "Every reason, where a refusal has several (a stage move's checks).",
            "items": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                "required": ["code", "message"],
            },
        },
        "fields": {
            "type": "object",
            "description": "With code `invalid`: the messages per field, as DRF gives them.",
            "additionalProperties": {},
        },
    },
    "required": ["code", "message"],
}

DESCRIPTIONS = {
    "400": "Bad input, or a rule refused the request.",
    "401": "No token, or a bad, expired or revoked one.",
    "403": "The user's role may not do this.",
    "404": "Not found, or not visible to the user (a page number past the end of a list too).",
    "409": "The complaint's state forbids it now (already owned or answered, a reused Idempotency-Key).",
    "413": "The request body is over the size limit.",
    "415": "The request body's media type is not one this operation reads.",
    "429": "Too many failed logins; try again later.",
}

WRITES = {"post", "put", "patch", "delete"}
#: Operations anyone may call (no 401/403), by path and method.
ANONYMOUS = {("/api/v1/auth/token/", "post")}
THROTTLED = {("/api/v1/auth/token/", "post")}


def error_statuses(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    parameters = operation.get("parameters", [])
    takes_body = "requestBody" in operation
    statuses = []
    if parameters or takes_body or "{" in path:
        statuses.append("400")
    if (path, method) not in ANONYMOUS:
        statuses += ["401", "403"]
    if "{" in path or any(p.get("name") == "page" and p.get("in") == "query" for p in parameters):
        statuses.append("404")
    if method in WRITES:
        statuses.append("409")
    if takes_body:
        statuses += ["413", "415"]
    if (path, method) in THROTTLED:
        statuses.append("429")
    return statuses


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code in error_statuses(path, method, operation):
                responses.setdefault(
                    code, {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": ref}}}
                )
    return result
