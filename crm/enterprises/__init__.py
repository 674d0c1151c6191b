"""Enterprises: the list, the caseload, each enterprise's page and what is recorded on it.

The routes are in ``views`` (list, caseload, profile) and ``record_views`` (the enterprise's page).
"""
from flask import Blueprint

bp = Blueprint("enterprises", __name__, template_folder="templates")
