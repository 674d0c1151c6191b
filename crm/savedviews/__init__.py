"""Saved views of the enterprise list: its filters, sort and columns under a name, for oneself or
shared with one's organization. Applying a view is opening the list with its query string."""
from flask import Blueprint

bp = Blueprint("savedviews", __name__, template_folder="templates")
