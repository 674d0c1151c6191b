"""Cohorts, sessions (collective and individual), attendance and calendars.

Routes: ``views_cohorts``, ``views_sessions``, ``views_calendar``; ``views`` holds what they share
(the menu entries, the facilitator choices, the template filters). ``integration`` and ``reporting``
answer other features' signals (the enterprise page, the bulk enrolment, the dashboard).
"""
from flask import Blueprint

bp = Blueprint("cohorts", __name__, template_folder="templates")
