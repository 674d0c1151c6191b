"""Referrals: an organization refers an enterprise to another one (moved, or shared for a period), with
the consent of the enterprise's contact on record (Law 25); the receiving organization accepts,
choosing a coach, or declines."""
from flask import Blueprint

bp = Blueprint("referrals", __name__, template_folder="templates")
