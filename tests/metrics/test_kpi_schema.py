"""The OpenAPI schema of ``GET /api/v1/kpis/`` describes the figures it answers with, not a bare
object: a client generated from it knows each KPI's key, value, numerator, denominator and
targets. And it tells the truth: every key of a real answer is in it, with its type."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

TYPES = {"integer": int, "number": (int, float), "string": str, "boolean": bool, "array": list, "object": dict}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return resolve(spec, schema["allOf"][0])
    return schema


def kpis_answer_schema(spec: dict[str, Any]) -> dict[str, Any]:
    ok = spec["paths"]["/api/v1/kpis/"]["get"]["responses"]["200"]
    return resolve(spec, ok["content"]["application/json"]["schema"])


def test_the_kpis_schema_lists_the_figures_fields(spec):
    answer = kpis_answer_schema(spec)
    assert {"period", "scope", "kpis", "satisfaction_by_tier", "trend", "pareto", "funnel"} <= set(answer["properties"])
    figure = resolve(spec, answer["properties"]["kpis"]["items"])
    assert {"key", "label", "value", "display", "numerator", "denominator", "is_rate", "assessment", "targets"} <= set(
        figure["properties"]
    )
    assert figure["properties"]["numerator"]["type"] == "integer"
    assert figure["properties"]["value"] == {**figure["properties"]["value"], "type": "number", "nullable": True}
    target = resolve(spec, figure["properties"]["targets"]["items"])
    assert {"scheme", "value", "direction", "assessment"} <= set(target["properties"])
    months = resolve(spec, answer["properties"]["trend"])["properties"]["months"]
    assert months["type"] == "array" and months["items"]["type"] == "string"


def conforms(spec: dict[str, Any], schema: dict[str, Any], data: Any, where: str = "") -> list[str]:
    """Where ``data`` is not what ``schema`` says (a key it does not list, a type it does not allow)."""
    schema = resolve(spec, schema)
    if data is None:
        return [] if schema.get("nullable") or not schema else [f"{where}: null"]
    wanted = schema.get("type")
    if (wanted and not isinstance(data, TYPES[wanted])) or (wanted in ("integer", "number") and isinstance(data, bool)):
        return [f"{where}: {type(data).__name__} is not {wanted}"]
    problems = []
    if isinstance(data, dict) and "properties" in schema:
        problems += [f"{where}.{key}: not in the schema" for key in data if key not in schema["properties"]]
        problems += [f"{where}.{key}: missing" for key in schema.get("required", []) if key not in data]
        for key, value in data.items():
            if key in schema["properties"]:
                problems += conforms(spec, schema["properties"][key], value, f"{where}.{key}")
    elif isinstance(data, dict) and isinstance(schema.get("additionalProperties"), dict):
        for key, value in data.items():
            problems += conforms(spec, schema["additionalProperties"], value, f"{where}.{key}")
    elif isinstance(data, list) and "items" in schema:
        for i, value in enumerate(data):
            problems += conforms(spec, schema["items"], value, f"{where}[{i}]")
    return problems


@pytest.mark.parametrize("month", ["2026-09", "2025-01"])  # figures, and an empty month (nulls)
def test_a_real_answer_conforms_to_the_kpis_schema(spec, september, api, manager, team, month):
    response = api(manager).get("/api/v1/kpis/", {"month": month, "team": team.pk})
    assert response.status_code == 200
    assert conforms(spec, kpis_answer_schema(spec), response.json()) == []
    custom = api(manager).get("/api/v1/kpis/", {"from": "2026-09-01", "to": "2026-09-05"})  # every team
    assert conforms(spec, kpis_answer_schema(spec), custom.json()) == []
