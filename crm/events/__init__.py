"""Public events: awareness webinars, workshops and trainings open to registration.

A manager publishes an event; people register on its public pages without an account; the
waiting list fills when it is full and a cancellation promotes the first waiting person; the
manager checks people in (or imports a webinar tool's attendance) and the enterprises that came
reach the awareness stage. Routes: ``views_public`` (no account), ``views_manage`` and
``views_attendance`` (signed in); ``sending`` drains the events' outbox for the reminders worker.
"""
from flask import Blueprint

bp = Blueprint("events", __name__, template_folder="templates")
