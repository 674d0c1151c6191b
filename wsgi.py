"""WSGI entry point: ``gunicorn wsgi:app``."""
import gc

from crm import create_app

app = create_app()
# What start-up built (models, templates, catalogs) lives as long as the worker: moved out of the
# garbage collector's reach, so that its full collections do not walk it again and again.
gc.collect()
gc.freeze()
# A page allocates tens of thousands of short-lived objects; with the default threshold (700) the
# youngest generation was collected several times per request while most of them were still alive.
# Collected every 10,000 allocations, most have been freed by then (bench/profile_page.py,
# GC_THRESHOLD: about 3 % of a page's CPU).
gc.set_threshold(10_000, 20, 100)
