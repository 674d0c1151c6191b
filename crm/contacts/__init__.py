"""Contacts: the people of an enterprise, and their consent to each purpose (Law 25).

The routes that add, edit and archive a contact are in ``views``, which also answers
``signals.enterprise_sections`` with the contacts section of the enterprise page. The privacy
office's tools (access log, export, anonymization) belong to the privacy feature, which uses this one.
"""
from flask import Blueprint

bp = Blueprint("contacts", __name__, template_folder="templates")
