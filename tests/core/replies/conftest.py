from kesu.core.replies import check_reply


def codes(text: str, **kwargs) -> dict[str, list[str]]:
    """{finding code: [evidence, ...]} of a reply."""
    found: dict[str, list[str]] = {}
    for finding in check_reply(text, **kwargs).findings:
        found.setdefault(finding.code, []).append(finding.evidence)
    return found
