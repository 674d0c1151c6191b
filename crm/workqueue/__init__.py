"""The work queue: a coach's (or a manager's) home page, what needs doing today and this week, with
the row's actions (log an activity, close a follow-up) done without leaving the page; and the
daily digest email that sums it up for coaches who did not opt out (``digest``)."""
from flask import Blueprint

bp = Blueprint("workqueue", __name__, template_folder="templates")
