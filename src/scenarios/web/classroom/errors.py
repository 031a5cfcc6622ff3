"""The classroom's one error: a request that cannot be honoured, with the HTTP status to answer."""

from __future__ import annotations

from scenarios.errors import ScenarioError


class ClassroomError(ScenarioError):
    """A request that cannot be honoured; ``status`` is the HTTP status the web layer returns."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status
