"""Home page, language switch, privacy page."""
