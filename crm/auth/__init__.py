"""Sign-in, sign-out and accounts."""
