"""Reference lists of the confidentiality incident register."""
from crm.i18n import _l, lazy_pgettext

INFORMATION_CATEGORIES = {
    "contact_details": _l("Contact details (name, email, phone)"),
    "professional": _l("Professional information (title, enterprise)"),
    "follow_up": _l("Follow-up notes and journey"),
    "attendance": _l("Session attendance"),
    "user_accounts": _l("Virage user accounts"),
    "other": lazy_pgettext("information category", "Other"),
}
