"""Erasure: each feature that keeps personal information about contacts erases its own.

``anonymize_contact`` erases the Contact and its audit history, then sends
``signals.contact_anonymized``: each feature's receiver removes what identifies the person from its
rows, keeping the rows that statistics count (states, dates). A receiver flushes, never commits,
and runs a constant number of queries.
"""

ERASED = "[anonymized]"  # what replaces an erased value, in rows and in audit entries
