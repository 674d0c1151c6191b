"""WSGI entry point: ``gunicorn wsgi:app``."""
import gc

from crm import create_app

app = create_app()
# What start-up built (models, templates, catalogs) lives as long as the worker: moved out of the
# garbage collector's reach, so that its full collections do not walk it again and again.
gc.collect()
gc.freeze()
