# Copy to instance/config.py. Values here override the defaults; environment variables override these.
# SECRET_KEY = "a long random value: python -c 'import secrets; print(secrets.token_hex(32))'"
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://virage@127.0.0.1/virage"
# MAIL_SERVER = "smtp.example.org"
# MAIL_PORT = 587
# MAIL_USE_TLS = True
# MAIL_USERNAME = "virage"
# MAIL_PASSWORD = "..."
# MAIL_DEFAULT_SENDER = "Virage <no-reply@example.org>"
# PRIVACY_OFFICER_NAME = "Prénom Nom"
# PRIVACY_OFFICER_EMAIL = "vie-privee@example.org"
# PROGRAMME_TARGET = 1120
