"""What every feature shares about the programme: the time zone it lives in, and the error that
services raise when a rule of the programme refuses an operation."""
from zoneinfo import ZoneInfo

# Times are stored in UTC and shown, typed and counted in Québec time.
QUEBEC = ZoneInfo("America/Montreal")


class DomainError(ValueError):
    """``message`` is translated for the user; ``field`` names the form field it belongs to."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
