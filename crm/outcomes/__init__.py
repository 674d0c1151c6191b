"""The outcome chain of an enterprise: the digital plan it produced, then its projects (planned,
started, carried out or abandoned), with what they cost, the public funding they obtained and the
jobs they created or maintained. Its section of the enterprise page, its words in the history and
its section of the dashboard (plan → project carried out) answer signals (crm/outcomes/integration.py).
"""
from flask import Blueprint

bp = Blueprint("outcomes", __name__, template_folder="templates")
