"""Administration: the people who sign in and the partner organizations."""
