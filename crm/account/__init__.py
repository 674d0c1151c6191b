"""The signed-in person's own account: password and two-factor authentication."""
