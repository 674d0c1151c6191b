"""How the privacy module's writes read in an enterprise's history: consent given or withdrawn, erasure.

Imported by ``crm.privacy.views`` so that registering the blueprint registers these terms. Law 25: an
anonymization's entry names the erased fields, never their values, and erasure's placeholder reads
as a word.
"""
from crm import signals
from crm.contributions import Field, HistoryTerms, codes, show_moment
from crm.enterprises.history import field_label
from crm.i18n import _l, lazy_pgettext
from crm.privacy.services import ERASED, ERASURE_REASONS, PURPOSES


def erased_labels(names) -> str:
    """["first_name", "email"] → "First name, Email": the contact fields' labels, in the reader's language."""
    if not isinstance(names, list):
        return "—"
    return ", ".join(field_label("contacts", str(name)) for name in names)


CONSENT_CONTEXT = {
    "purpose": Field(lazy_pgettext("consent", "Purpose"), codes(PURPOSES)),
    # i18n: how the person gave or withdrew consent, e.g. "Expressed through: paper form of 3 March"
    "source": Field(lazy_pgettext("consent", "Expressed through")),
}


@signals.history_terms.connect
def history_terms(_sender, **_extra):
    return HistoryTerms(
        actions={"consent_granted": lazy_pgettext("history", "Consent given"),
                 "consent_withdrawn": lazy_pgettext("history", "Consent withdrawn"),
                 "anonymize": lazy_pgettext("history", "Anonymized")},
        fields={"contacts": {"anonymized_at": Field(_l("Anonymized on"), show_moment)}},
        contexts={"consent_granted": CONSENT_CONTEXT, "consent_withdrawn": CONSENT_CONTEXT,
                  "anonymize": {"reason": Field(_l("Reason"), codes(ERASURE_REASONS)),
                                "erased_fields": Field(_l("Information erased"), erased_labels)}},
        # i18n: shown instead of a value that anonymization erased
        values={ERASED: _l("(erased)")},
    )
