"""Satisfaction surveys: after a cohort's session (or at the cohort's end), one survey per person
marked present, sent once through its outbox in the person's language and answered on a public page
behind a signed link; results per session, cohort, organization and programme, hidden below a
number of answers. Its round of the worker, its sections of the cohort and session pages and of the
dashboard, a contact's export and erasure answer signals (crm/surveys/integration.py).
"""
from flask import Blueprint

bp = Blueprint("surveys", __name__, template_folder="templates")
