"""The REST API under /api/v1 (JSON, bearer tokens, RFC 9457 problem details) and the pages that
manage its tokens.

``bp`` answers the API itself: every route authenticates a bearer token (crm/api/auth.py), never the
session cookie, and applies the same access rules as the pages (crm/access.py). ``pages`` holds the
signed-in pages: personal tokens on the account page, service tokens for the programme office, the
documentation.
"""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
pages = Blueprint("api_pages", __name__, template_folder="templates")
