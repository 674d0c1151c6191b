"""What every feature shares about the programme: the time zone it lives in, and the error that
services raise when a rule of the programme refuses an operation."""
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

# Times are stored in UTC and shown, typed and counted in Québec time.
QUEBEC = ZoneInfo("America/Montreal")


def local_midnight(day: date) -> datetime:
    """The UTC instant when ``day`` begins in Québec."""
    return datetime.combine(day, time(0), tzinfo=QUEBEC).astimezone(UTC)


class DomainError(ValueError):
    """``message`` is translated for the user; ``field`` names the form field it belongs to."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
