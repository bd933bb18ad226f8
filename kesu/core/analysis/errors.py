"""Errors raised by the analysis engine."""


class AnalysisError(ValueError):
    """The input cannot be analysed (not a string, empty or whitespace-only).

    ``code`` is stable so the CLI, the API and the tests speak of the same refusal.
    """

    def __init__(self, message: str, code: str = "invalid_text") -> None:
        super().__init__(message)
        self.code = code
