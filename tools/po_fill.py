#!/usr/bin/env python3
"""Fill gettext catalogs during development.

    python tools/po_fill.py en                 # English: message ids are English, copy them
    python tools/po_fill.py fr FILE.json …     # French: {"msgid": "msgstr", ...}
                                               #   with context: {"ctx|msgid": "msgstr"}
                                               #   plurals: {"msgid": ["singulier", "pluriel"]}
    python tools/po_fill.py fr OTHER.po        # take translations from another catalog (merges)

Only empty or fuzzy entries are written unless --force; prints what is still missing.
"""
import argparse
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def key(message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context}|{msgid}" if message.context else msgid


def load_mapping(path: Path) -> dict:
    if path.suffix != ".po":
        return json.loads(path.read_text("utf-8"))
    with path.open("rb") as fh:
        catalog = read_po(fh)
    return {key(m): (list(m.string) if isinstance(m.string, tuple) else m.string)
            for m in catalog if m.id and m.string and not m.fuzzy}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("locale", choices=["fr", "en"])
    parser.add_argument("mappings", nargs="*", help="JSON files or other .po catalogs")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    path = ROOT / "translations" / args.locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=args.locale)
    mapping = {}
    for source in args.mappings:
        mapping.update(load_mapping(Path(source)))
    missing = []
    for message in catalog:
        if not message.id:
            continue
        empty = not message.string or (isinstance(message.string, tuple) and not all(message.string))
        if not (empty or message.fuzzy or args.force):
            continue
        if args.locale == "en":
            message.string = message.id
        elif key(message) in mapping:
            value = mapping[key(message)]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
        elif empty or message.fuzzy:
            missing.append(key(message))
            continue
        message.flags.discard("fuzzy")
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=True, include_lineno=False)
    for item in missing:
        print("missing:", item)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
