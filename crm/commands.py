"""The ``flask crm …`` command group, which features add their commands to (backup, import,
retention…); crm/cli.py gives it to the app with the other groups."""
from flask.cli import AppGroup

crm_cli = AppGroup("crm", help="Virage administration.")
