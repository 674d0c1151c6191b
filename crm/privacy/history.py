"""How the privacy module's writes read in an enterprise's history: erasure.

Imported by ``crm.privacy.views`` so that registering the blueprint registers these terms. Law 25: an
anonymization's entry names the erased fields, never their values, and erasure's placeholder reads
as a word.
"""
from crm import signals
from crm.contributions import Field, HistoryTerms, codes, show_moment
from crm.enterprises.history import field_label
from crm.i18n import _l, lazy_pgettext
from crm.privacy.services import ERASED, ERASURE_REASONS


def erased_labels(names) -> str:
    """["first_name", "email"] → "First name, Email": the contact fields' labels, in the reader's language."""
    if not isinstance(names, list):
        return "—"
    return ", ".join(field_label("contacts", str(name)) for name in names)


@signals.history_terms.connect
def history_terms(_sender, **_extra):
    return HistoryTerms(
        actions={"anonymize": lazy_pgettext("history", "Anonymized")},
        fields={"contacts": {"anonymized_at": Field(_l("Anonymized on"), show_moment)}},
        contexts={"anonymize": {"reason": Field(_l("Reason"), codes(ERASURE_REASONS)),
                                "erased_fields": Field(_l("Information erased"), erased_labels)}},
        # i18n: shown instead of a value that anonymization erased
        values={ERASED: _l("(erased)")},
    )
