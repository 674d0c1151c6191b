"""Errors that services raise when a rule of the programme refuses an operation."""


class DomainError(ValueError):
    """``message`` is translated for the user; ``field`` names the form field it belongs to."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
